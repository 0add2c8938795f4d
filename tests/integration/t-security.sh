#!/bin/bash
# What a container may do: Docker's default capabilities, no_new_privs,
# seccomp, masked and read-only paths.
. "$(dirname "$0")/lib.sh"
run() { mr run --rm --network none "$@"; }
status() { run "$@" sh -c 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status' | tr '\t' ' '; }

# Docker's default set is 0x00000000a80425fb.
st=$(status "$ROOTFS")
for set in Inh Prm Eff Bnd; do
	check_match "Cap$set is Docker's default set" "$st" "Cap$set: 00000000a80425fb"
done
check_match "the ambient set is empty" "$st" "CapAmb: 0000000000000000"
check_match "no_new_privs is set" "$st" "NoNewPrivs: 1"
check_match "a seccomp filter is loaded" "$st" "Seccomp: 2"
check_match "--cap-drop ALL --cap-add NET_RAW keeps only NET_RAW" "$(status --cap-drop ALL --cap-add NET_RAW "$ROOTFS")" "CapEff: 0000000000002000"
check_match "--cap-add SYS_ADMIN adds it" "$(status --cap-add sys_admin "$ROOTFS")" "CapEff: 00000000a82425fb"
check_match "--cap-drop CHOWN removes it" "$(status --cap-drop CAP_CHOWN "$ROOTFS")" "CapEff: 00000000a80425fa"
check_match "--security-opt seccomp=unconfined loads no filter" "$(status --security-opt seccomp=unconfined "$ROOTFS")" "Seccomp: 0"
check "ping works (NET_RAW, as in Docker)" run "$ROOTFS" ping -c1 -W1 127.0.0.1
# The caller's supplementary groups stay outside: root in the container has
# group 0 only (as in Docker), also in exec.
check_eq "the container's supplementary groups are 0 only, not the caller's (4 27 here)" \
	"$(setpriv --groups 4,27 "$MINIRUN" --root "$ROOT" run --rm --network none "$ROOTFS" sh -c 'grep ^Groups: /proc/self/status' | tr -s '\t ' ' ')" "Groups: 0 "
# Docker's sysctls in the container's own network namespace (minirun writes
# them from its own process, entering that namespace for a moment).
net_sysctls() { cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range /proc/sys/net/ipv6/conf/default/accept_ra 2>/dev/null | tr -s '\t\n' '  '; }
before=$(net_sysctls)
check_eq "ip_unprivileged_port_start 0 and ping_group_range 0 2147483647 (Docker's)" \
	"$(run "$ROOTFS" cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range | tr -s '\t\n' '  ')" "0 0 2147483647 "
check_eq "... and minirun's own namespace keeps its values ($before)" "$(net_sysctls)" "$before"
check "so port 80 can be bound without NET_BIND_SERVICE" run --cap-drop NET_BIND_SERVICE "$ROOTFS" \
	sh -c 'nc -l -p 80 & sleep 0.3; kill $!'
check "chown works (CHOWN)" run "$ROOTFS" chown nobody /tmp
check "chown fails without CHOWN" run --cap-drop CHOWN "$ROOTFS" sh -c '! chown nobody /tmp 2>/dev/null'

# seccomp: denied calls fail with EPERM, even with the capability.
check "mount is refused" run "$ROOTFS" sh -c 'mkdir -p /mnt; ! mount -t tmpfs t /mnt 2>/dev/null'
check "mount is refused by seccomp even with SYS_ADMIN" run --cap-add SYS_ADMIN "$ROOTFS" sh -c 'mkdir -p /mnt; mount -t tmpfs t /mnt 2>&1 | grep -q "permission denied"'
check "mount works with SYS_ADMIN and no seccomp (the filter is what stopped it)" run --cap-add SYS_ADMIN --security-opt seccomp=unconfined "$ROOTFS" sh -c "mkdir -p /mnt && mount -t tmpfs t /mnt"
check "unshare (new namespaces) is refused" run --cap-add SYS_ADMIN "$ROOTFS" sh -c 'unshare -n true 2>&1 | grep -q "not permitted"'
check "fork and threads still work" run "$ROOTFS" sh -c '(true) && (sleep 0 &) && wait'

# Device nodes: none can be made (there is no devices cgroup); fifos can.
check "mknod of a block device is refused" run "$ROOTFS" sh -c '! mknod /tmp/b b 8 0 2>/dev/null'
check "mknod of a character device is refused" run "$ROOTFS" sh -c '! mknod /tmp/c c 1 3 2>/dev/null'
check "mknod of a fifo works" run "$ROOTFS" sh -c 'mknod /tmp/f p && [ -p /tmp/f ]'
check "the image's root is nodev" run "$ROOTFS" sh -c 'grep -q "^overlay / overlay [^ ]*nodev" /proc/mounts'

# Masked and read-only paths.
check "/proc/timer_list is masked" run "$ROOTFS" sh -c '[ ! -s /proc/timer_list ] || [ -z "$(cat /proc/timer_list)" ]'
check "/proc/keys is masked" run "$ROOTFS" sh -c '[ -z "$(cat /proc/keys 2>/dev/null)" ]'
check "/sys/firmware is empty" run "$ROOTFS" sh -c '[ -z "$(ls /sys/firmware 2>/dev/null)" ]'
# mounted over without a stat first: each one this kernel has, and only those
masked="/proc/asound /proc/acpi /proc/kcore /proc/keys /proc/latency_stats /proc/timer_list /proc/timer_stats /proc/sched_debug /proc/scsi /sys/firmware /sys/devices/virtual/powercap"
want=$(for p in $masked; do [ -e "$p" ] && echo "$p"; done)
got=$(run "$ROOTFS" sh -c "for p in $masked; do grep -q \" \$p \" /proc/mounts && echo \$p; done")
check_eq "every masked path this kernel has is mounted over ($(echo $want))" "$got" "$want"
check "/proc/sys is read-only" run "$ROOTFS" sh -c '! echo x 2>/dev/null > /proc/sys/kernel/hostname && grep -q " /proc/sys proc ro" /proc/mounts'
check "/proc/sysrq-trigger is read-only" run "$ROOTFS" sh -c '! echo h 2>/dev/null > /proc/sysrq-trigger'
check "/sys is read-only" run "$ROOTFS" sh -c '! mkdir /sys/x 2>/dev/null'

# exec gets the same restrictions.
mr run -d --network none --name sec --cap-drop ALL "$ROOTFS" sleep 30 >/dev/null
check_match "exec: same capabilities as the container" "$(mr exec sec grep CapEff /proc/self/status | tr '\t' ' ')" "CapEff: 0000000000000000"
check_match "exec: seccomp too" "$(mr exec sec grep Seccomp: /proc/self/status | tr '\t' ' ')" "Seccomp: 2"
check_eq "exec: the command has no controlling terminal of the caller's (no TIOCSTI into it)" "$(mr exec sec sh -c 'cut -d" " -f7 /proc/self/stat')" 0
mr rm -f sec >/dev/null

bad=$(run --cap-add NOPE "$ROOTFS" true 2>&1); rc=$?
check_eq "an unknown capability is refused (125)" "$rc" 125
check_eq "... in one line" "$bad" 'minirun: invalid capability "NOPE" for --cap-add'
bad=$(run --security-opt apparmor=x "$ROOTFS" true 2>&1); rc=$?
check_eq "an unsupported --security-opt is refused (125)" "$rc" 125
assert_clean
