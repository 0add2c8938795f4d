#!/bin/bash
# The foundation: a command in its own namespaces on the busybox rootfs.
. "$(dirname "$0")/lib.sh"
run() { mr run --rm --network none "$ROOTFS" "$@"; }

out=$(run sh -c 'hostname') && check_match "default hostname is 12 hex digits" "$out" '^[0-9a-f]{12}$'
out=$(mr run --rm --network none -h box1 "$ROOTFS" sh -c 'hostname; cat /etc/hostname')
check_eq "--hostname sets hostname and /etc/hostname" "$out" $'box1\nbox1'
check_eq "the command is PID 1" "$(run sh -c 'echo $$')" 1
check_eq "CMD defaults to /bin/sh" "$(echo 'echo from-sh' | mr run --rm -i --network none "$ROOTFS")" from-sh
check_eq "Docker's default PATH" "$(run sh -c 'echo $PATH')" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
check_eq "HOME is /root" "$(run sh -c 'echo $HOME')" /root
check_eq "-e KEY=VAL" "$(mr run --rm --network none -e A=1 -e B=two=2 "$ROOTFS" sh -c 'echo $A,$B')" "1,two=2"
check_eq "-e KEY takes the value from minirun's environment" "$(FROMHOST=yes mr run --rm --network none -e FROMHOST "$ROOTFS" sh -c 'echo $FROMHOST')" yes
check_eq "-e KEY unset in minirun's environment is left out" "$(env -u NOPE "$MINIRUN" --root "$ROOT" run --rm --network none -e NOPE "$ROOTFS" sh -c 'echo ${NOPE-unset}')" unset
check_eq "-e overrides PATH" "$(mr run --rm --network none -e PATH=/bin "$ROOTFS" sh -c 'echo $PATH')" /bin
check_eq "-w sets (and makes) the working directory" "$(mr run --rm --network none -w /work/dir "$ROOTFS" sh -c pwd)" /work/dir
check_eq "stdin is /dev/null without -i" "$(echo hidden | run cat)" ""
check_eq "stdin passes through with -i" "$(echo shown | mr run --rm -i --network none "$ROOTFS" cat)" shown

# What the container sees.
check_eq "the rootfs is / (pivot_root)" "$(run sh -c 'ls /var/www')" index.html
check "/proc is the container's own (PID 1 is the command)" run sh -c '[ "$(cat /proc/1/comm)" = sh ] && [ "$(ls -d /proc/[0-9]* | wc -l)" -lt 6 ]'
check "/sys is read-only" run sh -c '! touch /sys/x 2>/dev/null && grep -q " /sys sysfs ro" /proc/mounts'
check "/dev has null zero full random urandom tty" run sh -c 'for d in null zero full random urandom tty; do [ -c /dev/$d ] || exit 1; done'
check "/dev/pts is a private devpts with ptmx" run sh -c 'grep -q "/dev/pts devpts" /proc/mounts && [ -L /dev/ptmx ]'
check "/dev/shm is a tmpfs" run sh -c 'grep -q "/dev/shm tmpfs" /proc/mounts'
check "--rm: the overlay is volatile (its unmount syncs nothing)" run sh -c 'grep -q "^overlay / overlay .*volatile" /proc/mounts'
out=$(mr run --network none --name keeps "$ROOTFS" grep "^overlay / " /proc/mounts)
check_match "without --rm it is not (its layer stays)" "$out" '^overlay / overlay [^ ]*upperdir='
check "... that is: no volatile" sh -c "! printf '%s' '$out' | grep -q volatile"
mr rm keeps >/dev/null
check "only lo in none mode, and it is up" run sh -c '[ "$(ls /sys/class/net)" = lo ] && ip link show lo | grep -q UP'
check "host mode shares the host's interfaces" sh -c "[ \"\$('$MINIRUN' --root '$ROOT' run --rm --network host '$ROOTFS' ls /sys/class/net | sort)\" = \"\$(ls /sys/class/net | sort)\" ]"
# Seen from the host, so no tool inside adds fds of its own.
mr_bg run --rm --network none "$ROOTFS" sleep 3
wait_for 5 pgrep -f '^sleep 3$'
fds=$(ls "/proc/$(pgrep -f '^sleep 3$' | head -1)/fd" | sort -n | tr '\n' ' ')
check_eq "the container sees only fds 0, 1 and 2" "$fds" "0 1 2 "
wait "$BGPID"
check "UTS and IPC namespaces are new" sh -c "[ \"\$('$MINIRUN' --root '$ROOT' run --rm --network none '$ROOTFS' readlink /proc/1/ns/uts)\" != \"\$(readlink /proc/1/ns/uts)\" ]"
check "mounts do not reach the host" sh -c "! grep -q '$T_DIR' /proc/self/mountinfo"

# The image is never changed; each container writes into its own layer.
before=$(cd "$ROOTFS" && find . -printf '%p %s %m %T@\n' | sort | md5sum)
run sh -c 'echo x > /etc/passwd; rm /bin/ls; mkdir /newdir; echo y > /var/www/index.html' 
after=$(cd "$ROOTFS" && find . -printf '%p %s %m %T@\n' | sort | md5sum)
check_eq "the rootfs is unchanged after a container wrote to it" "$after" "$before"
check "the next container starts clean" run sh -c '[ -x /bin/ls ] && [ ! -e /newdir ]'

# Exit status as Docker's.
run true; check_eq "exit 0" $? 0
run sh -c 'exit 42'; check_eq "exit 42 passes through" $? 42
run nosuchcmd 2>"$T_DIR/err"; check_eq "command not found is 127" $? 127
check_match "... with one clear line" "$(cat "$T_DIR/err")" '^minirun: exec: "nosuchcmd": executable file not found in \$PATH$'
run /etc/passwd 2>"$T_DIR/err"; check_eq "not executable is 126" $? 126
check_match "... with one clear line" "$(cat "$T_DIR/err")" '^minirun: exec "/etc/passwd": Permission denied$'
run /no/such/path 2>/dev/null; check_eq "a missing path is 127" $? 127
mr run --rm --init --network none "$ROOTFS" sh -c 'kill -9 $$'; check_eq "killed by SIGKILL is 137 (with --init)" $? 137
# wait_guarded PID: wait for it, but SIGKILL it after 20 s (lib.sh).
wait_guarded() {
	local rc
	guard_start 20 "$1"
	wait "$1"
	rc=$?
	guard_stop
	return "$rc"
}

mr_bg run --rm --network none "$ROOTFS" sleep 30
pid=$BGPID
wait_for 10 container_pid "$pid" 'sleep 30'
kill -9 "$(container_pid "$pid" 'sleep 30')" 2>/dev/null
wait_guarded "$pid"; check_eq "a container killed by SIGKILL from the host is 137" $? 137

# Signals sent to minirun reach the container, once its shell has set the
# trap ("ready"; before it, PID 1 without a handler ignores them).
for sig in TERM INT HUP QUIT USR1 USR2; do
	mr_bg run --rm --network none "$ROOTFS" sh -c "trap 'exit 7' $sig; echo ready; while :; do sleep 0.05; done" >"$T_DIR/sig"
	pid=$BGPID
	wait_for 10 grep -q ready "$T_DIR/sig"
	kill -s "$sig" "$pid"
	wait_guarded "$pid"
	check_eq "SIG$sig reaches the container" $? 7
done
mr_bg run --rm --network none "$ROOTFS" sleep 30
pid=$BGPID
wait_for 10 container_pid "$pid" 'sleep 30'
kill -TERM "$pid"
sleep 0.3
if kill -0 "$pid" 2>/dev/null; then ok "PID 1 without a handler ignores SIGTERM, as in Docker"; else not_ok "PID 1 without a handler ignores SIGTERM"; fi
kill -KILL "$(container_pid "$pid" 'sleep 30')" 2>/dev/null
wait_guarded "$pid"

# --init: minirun's reaper is PID 1, forwards signals and reaps orphans.
check_eq "--init puts a reaper at PID 1" "$(mr run --rm --init --network none "$ROOTFS" sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "')" "2
$MINIRUN --root $ROOT run --rm --init --network none $ROOTFS sh -c echo \$\$; cat /proc/1/cmdline | tr \"\0\" \" \" "
mr_bg run --rm --init --network none "$ROOTFS" sh -c "trap 'exit 9' TERM; echo ready; while :; do sleep 0.05; done" >"$T_DIR/sig"
pid=$BGPID
wait_for 10 grep -q ready "$T_DIR/sig"
kill -TERM "$pid"
wait_guarded "$pid"
check_eq "--init forwards SIGTERM to the command" $? 9
zombies=$(mr run --rm --init --network none "$ROOTFS" sh -c '(sleep 0.1 &) ; sleep 0.5; grep -l "^State:.*Z" /proc/[0-9]*/status 2>/dev/null | wc -l')
check_eq "--init reaps orphans (no zombies)" "$zombies" 0

# State: a container without --rm stays until rm; --rm leaves nothing.
mr run --name keep --network none "$ROOTFS" sh -c 'exit 3'
check_match "ps -a lists the exited container" "$(mr ps -a)" 'keep'
check_match "ps -a shows Exited (3)" "$(mr ps -a | grep keep)" 'Exited \(3\)'
check_eq "ps without -a hides it" "$(mr ps | grep -c keep)" 0
id=$(jq -r .id "$ROOT"/containers/*/state.json)
check_match "state.json has a 64-hex id" "$id" '^[0-9a-f]{64}$'
check_eq "state.json records the exit code" "$(jq -r .exit_code "$ROOT"/containers/*/state.json)" 3
check_eq "state.json records status" "$(jq -r .status "$ROOT"/containers/*/state.json)" exited
check "rm by id prefix" mr rm "${id:0:8}"
mr run --name keep --network none "$ROOTFS" true
check "rm by name" mr rm keep
mr rm keep 2>"$T_DIR/err"; check_eq "rm of an unknown name fails" $? 1
check_eq "... saying so" "$(cat "$T_DIR/err")" "minirun: no such container: keep"
assert_clean "nothing is left after the containers"

# Nothing of the caller's reaches the container: fds, ignored and blocked
# signals, umask; and --init's reaper holds no host fd either.
exec 7>"$T_DIR/leak"
check_eq "a caller's fd 7 does not reach the container" "$(run ls /proc/1/fd | tr '\n' ' ')" "0 1 2 3 "
exec 7>&-
check_eq "--init's PID 1 holds only 0, 1 and 2" "$(mr run --rm --init --network none "$ROOTFS" ls /proc/1/fd | tr '\n' ' ')" "0 1 2 "
check_eq "signals the caller ignores (a real-time one too) are not ignored inside" "$(trap '' HUP USR1 RTMIN RTMAX; mr run --rm --network none "$ROOTFS" grep SigIgn /proc/self/status)" "SigIgn:	0000000000000000"
check_eq "... nor in --init's command, nor in its reaper (PID 1)" "$(trap '' HUP USR1 RTMIN RTMAX; mr run --rm --init --network none "$ROOTFS" grep SigIgn /proc/self/status /proc/1/status)" $'/proc/self/status:SigIgn:\t0000000000000000\n/proc/1/status:SigIgn:\t0000000000000000'
check_eq "the container's umask is 0022 whatever the caller's" "$(umask 077; mr run --rm --network none "$ROOTFS" sh -c 'umask; stat -c %a / /etc/hosts')" $'0022\n755\n644'
out=$(mr run --rm --network none -w /etc/passwd/x "$ROOTFS" true 2>&1)
check_eq "a child failure before exec is reported as itself (exit 125)" "$?" 125
check_match "... naming the cause" "$out" '^minirun: working directory /etc/passwd/x: Not a directory$'
check_eq "host mode keeps the host's hostname, as Docker" "$(mr run --rm --network host "$ROOTFS" hostname)" "$(hostname)"
assert_clean "nothing is left after these either"
