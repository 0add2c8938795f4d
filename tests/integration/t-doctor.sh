#!/bin/bash
# `minirun doctor` names what would break container networking, with a fix
# for each, and changes nothing. In a throwaway host namespace.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1
doc() { mr doctor 2>&1; }
snapshot() { in_host sh -c "nft list ruleset; ip -o link | awk '{print \$2}'; ip -o -4 addr | awk '{print \$2, \$4}'; ip route | sed 's/ linkdown//'; sysctl -n net.ipv4.ip_forward"; }

out=$(doc); rc=$?
check_eq "a clean host: exit 0" "$rc" 0
check_match "... and it says so" "$out" '0 problems found'
check_match "kernel features are checked" "$out" 'ok    kernel: nf_tables is there'

mr run --rm "$ROOTFS" true # makes mini0 and the subnet
in_host sysctl -qw net.ipv4.ip_forward=0
out=$(doc); rc=$?
check_eq "forwarding off with mini0 there: exit 1" "$rc" 1
check_match "... named, with the fix" "$out" $'FAIL  IPv4 forwarding is off although mini0 exists[^\n]*\n      fix: sysctl -w net.ipv4.ip_forward=1'
in_host sysctl -qw net.ipv4.ip_forward=1

in_host iptables-nft -P FORWARD DROP
out=$(doc)
check_match "a foreign FORWARD policy drop without DOCKER-USER is named" "$out" 'FAIL  the FORWARD chain of table ip filter drops forwarded traffic \(policy drop\) and offers no DOCKER-USER chain'
in_host iptables-nft -N DOCKER-USER
in_host iptables-nft -A FORWARD -j DOCKER-USER
out=$(doc)
check_match "with Docker's DOCKER-USER: minirun's rules come with the next run" "$out" 'WARN  Docker.s FORWARD policy is DROP and DOCKER-USER does not hold minirun.s rules yet'
mr run --rm "$ROOTFS" true
check_match "... and after it, nothing to say" "$(doc)" 'ok    no foreign forward chain drops'
in_host iptables-nft -F
in_host iptables-nft -X
in_host iptables-nft -P FORWARD ACCEPT
in_host nft delete table ip filter 2>/dev/null

in_host ip route add 10.99.5.0/24 via 198.51.100.2
out=$(doc)
check_match "a host route overlapping the subnet is named" "$out" 'FAIL  minirun.s subnet 10\.99\.0\.0/16 overlaps the host.s route to 10\.99\.5\.0/24'
in_host ip route del 10.99.5.0/24 via 198.51.100.2

mr_bg run --rm "$ROOTFS" sleep 5
wait_running 1
in_host ip link set up0 mtu 1300
out=$(doc)
check_match "an uplink MTU below the bridge's is named" "$out" 'WARN  mini0 has MTU 1500, more than the uplink up0 \(1300\)'
in_host ip link set up0 mtu 1500
kill -9 "$(pgrep -f '^sleep 5$' | head -1)" 2>/dev/null
wait "$BGPID" 2>/dev/null

[ -d /etc/netns ] || at_cleanup "rmdir /etc/netns"
mkdir -p "/etc/netns/$HOSTNS"
at_cleanup "rm -rf /etc/netns/$HOSTNS"
printf 'nameserver 127.0.0.53\n' >"/etc/netns/$HOSTNS/resolv.conf"
out=$(doc)
check_match "a loopback-only resolver is named" "$out" 'WARN  /etc/resolv.conf has only loopback resolvers'
rm -rf "/etc/netns/$HOSTNS"

in_host ip link del mini0
in_host ip link add mini0 type veth peer name mini0p
out=$(doc); rc=$?
check_match "a mini0 that is not a bridge is named" "$out" 'FAIL  mini0 exists and is not a bridge'
in_host ip link del mini0

mr run --rm "$ROOTFS" true
wait_for 5 no_mr_link # its veth goes with its namespace, moments after
after=$(snapshot)
check_eq "doctor itself changed nothing (same ruleset, links, routes)" "$(mr doctor >/dev/null 2>&1; snapshot)" "$after"
assert_clean
