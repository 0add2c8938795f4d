#!/bin/bash
# Bridge networking (issue 3), the bridge's surroundings: the subnet avoids
# the host's routes; an existing mini0 that is not a bridge, or a bridge with
# another address, is refused (one line, exit 125) and left alone; an empty
# bridge called mini0 is taken over; -p on an address the host does not have.
# Each part uses a fresh --root, as a fresh machine would.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"

bridge_setup || exit 1

fresh_root() { ROOT="$T_DIR/$1"; }
# Forget the previous part's bridge and table (both live in the test's netns).
forget_bridge() {
	ip -n "$HOSTNS" link del mini0 2>/dev/null
	in_host nft delete table inet minirun 2>/dev/null
}
mini0_addrs() { ip -n "$HOSTNS" -o -4 addr show mini0 | awk '{print $4}' | tr '\n' ' '; }
start_upstream_peer

# ---- the subnet avoids the host's routes ----
fresh_root r1
ip -n "$HOSTNS" route add 10.99.5.0/24 via 198.51.100.2
out=$(mr run --rm "$ROOTFS" sh -c 'ip -o -4 addr show eth0; ip route; timeout 3 wget -qO- http://203.0.113.1:8000/cgi-bin/peer')
check_match "a route into 10.99.0.0/16 on the host: the container gets 10.98.0.2/16" "$out" 'inet 10\.98\.0\.2/16 '
check_match "... its default route goes via 10.98.0.1" "$out" 'default via 10\.98\.0\.1 dev eth0'
check_eq "... mini0 carries 10.98.0.1/16" "$(mini0_addrs)" "10.98.0.1/16 "
check_eq "... ipam/network.json records 10.98.0.0/16" "$(jq -r .subnet "$ROOT/ipam/network.json")" 10.98.0.0/16
check_match "... and the masquerade rule is for 10.98.0.0/16" "$(in_host nft list chain inet minirun postrouting)" 'ip saddr 10\.98\.0\.0/16 oifname != "mini0" masquerade'
check_match "... so it reaches the upstream" "$out" '\[::ffff:203\.0\.113\.2\]'
check_eq "the host's route is untouched" "$(ip -n "$HOSTNS" route show 10.99.5.0/24)" "10.99.5.0/24 via 198.51.100.2 dev lan0 "
assert_clean "nothing left (root 1)"

# ---- mini0 with another address: refused, left alone ----
ip -n "$HOSTNS" route del 10.99.5.0/24 via 198.51.100.2
fresh_root r2
bad125 "a mini0 with another address (10.98.0.1/16, root 2 wants 10.99.0.1/16) is refused" \
	"mini0 carries 10\.98\.0\.1/16, not the gateway of this --root's network \(another minirun root or another program owns it\); leaving it alone" run --rm -p 8080:80 "$ROOTFS" true
check_eq "... mini0 keeps its address, and only that" "$(mini0_addrs)" "10.98.0.1/16 "
assert_clean "... nothing left (root 2)"

# ---- mini0 that is not a bridge: refused, left alone ----
forget_bridge
if ip -n "$HOSTNS" link add mini0 type dummy 2>/dev/null; then
	kind=dummy
else # no dummy module: a veth is not a bridge either
	kind=veth
	ip -n "$HOSTNS" link add mini0 type veth peer name mini0p
fi
fresh_root r3
bad125 "a mini0 that is not a bridge ($kind) is refused" "mini0 exists and is not a bridge; leaving it alone" \
	run --rm -p 8080:80 "$ROOTFS" true
check_match "... it is still a $kind" "$(ip -n "$HOSTNS" -d -o link show mini0)" " $kind "
check_eq "... without an address" "$(mini0_addrs)" ""
check_match "... and still down" "$(ip -n "$HOSTNS" -o link show mini0)" 'state DOWN'
check "... no nftables table was made" sh -c "! ip netns exec $HOSTNS nft list table inet minirun >/dev/null 2>&1"
assert_clean "... nothing left (root 3)"

# ---- an empty bridge called mini0 is taken over ----
forget_bridge
ip -n "$HOSTNS" link add mini0 type bridge
fresh_root r4
out=$(mr run --rm "$ROOTFS" ip -o -4 addr show eth0)
check_match "an existing bridge mini0 without address is used" "$out" 'inet 10\.99\.0\.2/16 '
check_eq "... it gets the gateway address" "$(mini0_addrs)" "10.99.0.1/16 "

# ---- two routes in the way: the third pool ----
forget_bridge
ip -n "$HOSTNS" route add 10.99.0.0/16 dev lan0
ip -n "$HOSTNS" route add 10.98.0.0/16 dev lan0
fresh_root r5
out=$(mr run --rm "$ROOTFS" sh -c 'ip -o -4 addr show eth0; timeout 3 wget -qO- http://203.0.113.1:8000/cgi-bin/peer')
check_match "routes to 10.99/16 and 10.98/16: the container gets 10.97.0.2/16" "$out" 'inet 10\.97\.0\.2/16 '
check_match "... and reaches the upstream" "$out" '\[::ffff:203\.0\.113\.2\]'

# ---- -p on an address the host does not have ----
bad125 "-p IP:HOSTPORT:CPORT with a foreign IP: one clear line" "cannot publish on 192\.0\.2\.99: not an address of this host" \
	run --rm -p 192.0.2.99:8080:80 "$ROOTFS" true
bad125 "-p IP::CPORT with a foreign IP: the same" "cannot publish on 192\.0\.2\.99: not an address of this host" \
	run --rm -p 192.0.2.99::80 "$ROOTFS" true
assert_clean "nothing left (root 5)"
