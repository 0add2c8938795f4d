#!/bin/bash
# Bridge networking (issue 5, item 5): on mini0 a container sends only from its
# own IP and MAC (`table bridge minirun`: a fixed chain, one @allowed_src
# element per container), and does not accept IPv6 router advertisements.
# Container A, with NET_ADMIN, tries to pass as container B: IP packets from
# B's address, a gratuitous ARP for B's address, frames from another MAC, and
# IPv6; each is stopped at A's veth. Then, with the check removed, the same
# tries get through (so the test can fail). All inside lib.sh's namespaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"

bridge_setup || exit 1

src_set() { tick; in_host nft list set bridge minirun allowed_src 2>/dev/null; }
n_src() { tick; in_host nft -j list set bridge minirun allowed_src 2>/dev/null | jq '[.nftables[] | select(.set) | .set.elem // [] | length] | add // 0'; }
# The test's own counters in the host: what reaches the host from B's address
# (ICMP echo) and over IPv6 from the bridge.
in_host nft -f - <<'EOF'
table inet spy {
	chain input {
		type filter hook input priority 0; policy accept;
		iifname "mini0" meta nfproto ipv6 counter name v6
		iifname "mini0" icmp type echo-request ip saddr @b counter name from_b
	}
	set b { type ipv4_addr; }
	counter v6 { }
	counter from_b { }
}
EOF
at_cleanup "ip netns exec $HOSTNS nft delete table inet spy"
packets() { in_host nft -j list counter inet spy "$1" | jq '.nftables[] | select(.counter) | .counter.packets'; }
reset_counters() { in_host nft reset counters table inet spy >/dev/null; }

mr_bg run --rm --init --name b "$ROOTFS" sleep 300
B=$BGPID
mr_bg run --rm --init --name a --cap-add NET_ADMIN "$ROOTFS" sleep 300
A=$BGPID
wait_running 2
sa=$(state_of a) sb=$(state_of b)
ipa=$(jq -r .network.ip "$sa") maca=$(jq -r .network.mac "$sa") etha=$(jq -r .network.veth "$sa")
ipb=$(jq -r .network.ip "$sb") macb=$(jq -r .network.mac "$sb") ethb=$(jq -r .network.veth "$sb")
in_host nft add element inet spy b "{ $ipb }"
ina() { mr exec a sh -c "$*"; }

# ---- the elements ----
check_eq "@allowed_src holds one element per container" "$(n_src)" 2
check_match "... veth . MAC . IP of A" "$(src_set)" "\"$etha\" \\. $maca \\. $ipa"
check_match "... and of B" "$(src_set)" "\"$ethb\" \\. $macb \\. $ipb"

# ---- router advertisements ----
check_eq "accept_ra is 0 in a bridge container (all, default, eth0)" \
	"$(ina 'cat /proc/sys/net/ipv6/conf/all/accept_ra /proc/sys/net/ipv6/conf/default/accept_ra /proc/sys/net/ipv6/conf/eth0/accept_ra' | tr '\n' ' ')" "0 0 0 "
check_eq "... and in a --network none container" \
	"$(mr run --rm --network none "$ROOTFS" cat /proc/sys/net/ipv6/conf/all/accept_ra /proc/sys/net/ipv6/conf/default/accept_ra | tr '\n' ' ')" "0 0 "
before=$(in_host cat /proc/sys/net/ipv6/conf/default/accept_ra)
mr run --rm --network host "$ROOTFS" true
check_eq "--network host leaves the host's accept_ra alone" "$(in_host cat /proc/sys/net/ipv6/conf/default/accept_ra)" "$before"

# ---- A's own traffic passes ----
start_upstream_peer
check "A reaches the gateway" ina "ping -c 1 -W 2 10.99.0.1"
check "A reaches B" ina "ping -c 1 -W 2 $ipb"
check_match "A reaches the upstream" "$(ina 'wget -qO- http://203.0.113.1:8000/cgi-bin/peer' 2>&1)" '203\.0\.113\.2'
mr_bg run --rm --init --name web -p 8080:80 "$ROOTFS" httpd -f -p 80 -h /var/www
W=$BGPID
wait_running 3
wait_for 5 answers "$HOSTNS" http://198.51.100.1:8080/
check_match "A reaches a published port through the host's address" "$(ina 'wget -qO- http://198.51.100.1:8080/' 2>&1)" 'hello from minirun'
stop "$W"

# The tries, each run twice: with the check in place and without it.
# The host knows B's MAC first; an ARP update within 1 s of that is ignored.
spoof_ip() {
	reset_counters
	ina "ping -c 1 -W 2 10.99.0.1 >/dev/null; ping -c 3 -W 1 -I $ipb 10.99.0.1 >/dev/null"
	packets from_b
}
spoof_arp() {
	in_host "$BB" ping -c 1 -W 2 "$ipb" >/dev/null
	sleep 1.2
	ina "arping -U -c 2 -w 3 -I eth0 -s $ipb $ipb >/dev/null"
	in_host ip neigh show "$ipb" dev mini0 | awk '{print $3}'
}
spoof_mac() {
	ina "ip link set eth0 address 02:42:de:ad:be:ef && ping -c 2 -W 1 10.99.0.1 >/dev/null; r=\$?; ip link set eth0 address $maca; exit \$r"
}
send_v6() {
	reset_counters
	ina "ping6 -c 2 -W 1 -I eth0 ff02::1 >/dev/null"
	packets v6
}

ina "ip addr add $ipb/32 dev eth0"
check_eq "IP packets from B's address sent by A do not reach the host" "$(spoof_ip)" 0
check_eq "A's gratuitous ARP for B's address: the host still has B's MAC" "$(spoof_arp)" "$macb"
if spoof_mac >/dev/null 2>&1; then not_ok "frames from another MAC do not get through"; else ok "frames from another MAC do not get through"; fi
check_eq "IPv6 from a container (router advertisements too) does not reach the host" "$(send_v6)" 0
check "A still reaches the gateway with its own addresses" ina "ping -c 1 -W 2 10.99.0.1"

# ---- without the check, the same tries get through ----
handle=$(in_host nft -a list chain bridge minirun prerouting | awk '/iifname "mr\*" drop/ {print $NF}')
in_host nft delete rule bridge minirun prerouting handle "$handle"
check_match "without the check: IP packets from B's address reach the host" "$(spoof_ip)" '^[1-9]'
check_eq "... the gratuitous ARP takes B's address over" "$(spoof_arp)" "$maca"
check "... frames from another MAC get through" spoof_mac
check_match "... IPv6 reaches the host" "$(send_v6)" '^[1-9]'

# ---- each container takes its element back ----
stop "$A"
check_eq "A's element is gone when A ends; B's stays" "$(n_src) $(src_set | grep -c "$ethb")" "1 1"
stop "$B"
check_eq "B's element is gone when B ends" "$(n_src)" 0
net_clean "no link, element or lease is left"
assert_clean
