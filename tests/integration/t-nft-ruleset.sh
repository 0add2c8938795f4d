#!/bin/bash
# net/nft.c and net/conntrack.c, driven through tests/helpers/nft-tool inside
# lib.sh's throwaway "host" namespace (the machine's own ruleset is never
# touched): the exact shape of `table inet minirun`, ensure run twice and
# concurrently, map elements (50 in one batch, duplicates refused as a whole,
# idempotent removal), deleting the table; then traffic end to end through a
# "container" namespace behind bridge mini0, and forgetting conntrack entries.
. "$(dirname "$0")/lib.sh"

BR=mini0
SUBNET=10.99.0.0/24
CIP=10.99.0.2 # the "container"
HOSTIP=198.51.100.1 # the host's address on the LAN (lib.sh)

missing=""
for tool in nft jq curl conntrack busybox cc pkg-config; do
	command -v "$tool" >/dev/null || missing+=" $tool"
done
if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
	skip "nftables tests" "need root and:${missing:- (all present)}"
	exit 0
fi

# The tool: NFT_TOOL if given (the Makefile's build), else built fresh here so
# that it is never older than the sources.
if [ -z "${NFT_TOOL:-}" ]; then
	NFT_TOOL="$T_DIR/nft-tool"
	# shellcheck disable=SC2046
	if ! out=$(cd "$TOP" && cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		$(pkg-config --cflags libmnl libnftnl) tests/helpers/nft-tool.c net/nft*.c net/nl.c \
		net/conntrack.c common/*.c -o "$NFT_TOOL" $(pkg-config --libs libmnl libnftnl) 2>&1); then
		not_ok "build tests/helpers/nft-tool"
		diag "$out"
		exit 1
	fi
fi

net_setup || {
	not_ok "make the throwaway namespaces"
	exit 1
}

nt() { in_host "$NFT_TOOL" "$@"; }
count() { # count KIND: objects of that kind in the table (rule, chain, map)
	in_host nft -j list table inet minirun | jq --arg k "$1" '[.nftables[] | select(has($k))] | length'
}
elems() { # elems MAP: its number of elements
	in_host nft -j list map inet minirun "$1" | jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add // 0'
}

# What `nft list ruleset` must print (nft's own formatting of the planned shape):
# both tables, inet minirun and bridge minirun.
expected_ruleset() {
	cat <<EOF
table inet minirun {
	map ports_any {
		type inet_proto . inet_service : ipv4_addr . inet_service
		flags timeout
	}

	map ports_ip {
		type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
		flags timeout
	}

	chain guard {
		type filter hook prerouting priority raw; policy accept;
		iifname != "lo" ip daddr 127.0.0.0/8 drop
	}

	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip
		fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
	}

	chain output {
		type nat hook output priority -100; policy accept;
		fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip
		fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
	}

	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr $SUBNET oifname != "$BR" masquerade
		ip saddr 127.0.0.0/8 oifname "$BR" masquerade
		ct status dnat ip saddr $SUBNET oifname "$BR" masquerade
	}

	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname "$BR" ct state established,related accept
		oifname "$BR" iifname "$BR" accept
		oifname "$BR" ct status dnat accept
		oifname "$BR" drop
	}
}
table bridge minirun {
	set allowed_src {
		type ifname . ether_addr . ipv4_addr
		flags timeout
	}

	chain prerouting {
		type filter hook prerouting priority filter; policy accept;
		iifname "mr*" iifname . ether saddr . ip saddr @allowed_src accept
		iifname "mr*" arp htype 1 arp ptype ip arp hlen 6 arp plen 4 iifname . ether saddr . arp saddr ip @allowed_src iifname . arp saddr ether . arp saddr ip @allowed_src accept
		iifname "mr*" drop
	}
}
EOF
}

# ---- the table ----

check "ensure makes the table" nt ensure "$BR" "$SUBNET"
check_eq "nft list ruleset shows exactly the documented table" "$(in_host nft list ruleset)" "$(expected_ruleset)"
first=$(in_host nft list ruleset)
check "ensure again succeeds" nt ensure "$BR" "$SUBNET"
check_eq "... and changes nothing (12 rules)" "$(count rule)" 12
check_eq "... the listing is the same" "$(in_host nft list ruleset)" "$first"

check "deltable removes it" nt deltable
check_eq "... nothing is left" "$(in_host nft list ruleset)" ""
pids=()
for i in 1 2 3 4 5 6 7 8; do
	nt ensure "$BR" "$SUBNET" 2>"$T_DIR/ensure.$i" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
check_eq "8 concurrent ensures all succeed" "$bad" 0
[ "$bad" = 0 ] || diag "$(cat "$T_DIR"/ensure.*)"
check_eq "... and make one table: 2 maps, 5 chains, 12 rules" \
	"$(count map) $(count chain) $(count rule)" "2 5 12"
check_eq "... of the documented shape" "$(in_host nft list ruleset)" "$(expected_ruleset)"

# ---- map elements ----

args=()
for p in $(seq 8000 8039); do args+=(tcp 0.0.0.0 "$p" "$CIP" $((p - 7920))); done
for p in $(seq 8040 8049); do args+=(udp "$HOSTIP" "$p" "$CIP" 53); done
check "add 50 ports in one call" nt add "${args[@]}"
check_eq "... 40 in ports_any, 10 in ports_ip" "$(elems ports_any) $(elems ports_ip)" "40 10"
check_eq "... the rule count stays 12" "$(count rule)" 12
check_match "... keys and values read back (any address)" \
	"$(in_host nft list map inet minirun ports_any)" 'tcp \. 8000 : 10\.99\.0\.2 \. 80,'
check_match "... keys and values read back (one address)" \
	"$(in_host nft list map inet minirun ports_ip)" '198\.51\.100\.1 \. udp \. 8049 : 10\.99\.0\.2 \. 53'

out=$(nt add tcp 0.0.0.0 9100 "$CIP" 80 tcp 0.0.0.0 8000 "$CIP" 80 2>&1)
check_eq "a duplicate port fails the add" "$?" 1
check_match "... naming the taken port" "$out" 'publish 0\.0\.0\.0:8000->10\.99\.0\.2:80/tcp: .*File exists'
check_eq "... and adds nothing (not even the free 9100)" "$(elems ports_any) $(elems ports_ip)" "40 10"
check "the same port for udp, and on one address, are other keys" \
	nt add udp 0.0.0.0 8000 "$CIP" 80 tcp "$HOSTIP" 8000 "$CIP" 80
check "... and go again" nt del udp 0.0.0.0 8000 "$CIP" 80 tcp "$HOSTIP" 8000 "$CIP" 80

check "del the 50" nt del "${args[@]}"
check_eq "... the maps are empty" "$(elems ports_any) $(elems ports_ip)" "0 0"
check "del again is fine (idempotent)" nt del "${args[@]}"
nt add tcp 0.0.0.0 7001 "$CIP" 1 tcp 0.0.0.0 7002 "$CIP" 2 tcp 0.0.0.0 7003 "$CIP" 3
in_host nft delete element inet minirun ports_any '{ tcp . 7002 }'
check "del of a half-removed set removes the rest" \
	nt del tcp 0.0.0.0 7001 "$CIP" 1 tcp 0.0.0.0 7002 "$CIP" 2 tcp 0.0.0.0 7003 "$CIP" 3
check_eq "... nothing is left" "$(elems ports_any)" 0
check_eq "the rule count is still 12" "$(count rule)" 12

# A removal retires elements by an update (Linux 6.12 on): they stay until
# the kernel's next tick. A run that takes such a port back at once, as one
# that reclaims a dead run's port does, waits for them instead of failing.
bad=0
for p in $(seq 9101 9120); do
	nt handover tcp 0.0.0.0 "$p" "$CIP" 80 10.99.0.3 2>>"$T_DIR/handover" || bad=$((bad + 1))
done
check_eq "a port taken back is published again at once, 20 of 20" "$bad" 0
[ "$bad" = 0 ] || diag "$(sort "$T_DIR/handover" | uniq -c)"
check_eq "... each to the new address" \
	"$(in_host nft list map inet minirun ports_any | grep -c 'tcp \. 91[0-2][0-9] : 10\.99\.0\.3 \. 80')" 20
out=$(nt handover tcp 0.0.0.0 9101 "$CIP" 80 10.99.0.4 2>&1)
check_eq "... while a port in use stays refused" "$?" 1
check_match "... naming it" "$out" 'publish 0\.0\.0\.0:9101->10\.99\.0\.2:80/tcp: .*File exists'

check "deltable" nt deltable
check_eq "... removes it all" "$(in_host nft list ruleset)" ""
check "deltable again is fine" nt deltable
check "del with the table gone is fine" nt del tcp 0.0.0.0 7001 "$CIP" 1
check_eq "... and makes nothing" "$(in_host nft list ruleset)" ""

# ---- end to end ----
# host: bridge mini0 10.99.0.1/24, the "container" (own netns) at 10.99.0.2 behind a
# veth, a busybox httpd in it; upstream and LAN neighbour from lib.sh.

CNS="mrt-c-$$"
ip netns add "$CNS"
at_cleanup "ip netns pids $CNS | xargs -r kill -9; ip netns del $CNS"
in_host ip link add "$BR" type bridge
in_host ip addr add 10.99.0.1/24 dev "$BR"
in_host ip link set "$BR" up
in_host ip link add vc0 type veth peer name eth0 netns "$CNS"
in_host ip link set vc0 master "$BR" up
# hairpin: the container's packets to its own published port come back out of its port.
in_host ip link set vc0 type bridge_slave hairpin on
ip -n "$CNS" link set lo up
ip -n "$CNS" addr add "$CIP/24" dev eth0
ip -n "$CNS" link set eth0 up
ip -n "$CNS" route add default via 10.99.0.1
in_host sysctl -qw net.ipv4.ip_forward=1
in_host sysctl -qw "net.ipv4.conf.$BR.route_localnet=1"

mkdir -p "$T_DIR/www" "$T_DIR/up"
echo "hello from the container" >"$T_DIR/www/index.html"
echo "hello from upstream" >"$T_DIR/up/index.html"
# (disowned: they die with their namespaces, and bash need not report it)
ip netns exec "$CNS" busybox httpd -f -p 80 -h "$T_DIR/www" &
disown
ip netns exec "$UPNS" busybox httpd -f -p 80 -h "$T_DIR/up" &
disown
if ! wait_for 5 ip netns exec "$CNS" curl -sf http://127.0.0.1/ ||
	! wait_for 5 in_up curl -sf http://127.0.0.1/; then
	not_ok "the web servers start"
fi

get() { # get NS URL: the body, or nothing after 3 s
	ip netns exec "$1" curl -s --max-time 3 "$2"
}
hello="hello from the container"

check "ensure and publish 8080 (any address) and $HOSTIP:8081" sh -c \
	"ip netns exec $HOSTNS $NFT_TOOL ensure $BR $SUBNET && ip netns exec $HOSTNS $NFT_TOOL add tcp 0.0.0.0 8080 $CIP 80 tcp $HOSTIP 8081 $CIP 80"
check_eq "host -> 127.0.0.1:8080 reaches the container" "$(get "$HOSTNS" http://127.0.0.1:8080/)" "$hello"
check_eq "host -> its own $HOSTIP:8080" "$(get "$HOSTNS" "http://$HOSTIP:8080/")" "$hello"
check_eq "host -> its upstream address 203.0.113.2:8080" "$(get "$HOSTNS" http://203.0.113.2:8080/)" "$hello"
check_eq "LAN neighbour -> $HOSTIP:8080" "$(get "$LANNS" "http://$HOSTIP:8080/")" "$hello"
check_eq "LAN neighbour -> $HOSTIP:8081 (published on that address)" "$(get "$LANNS" "http://$HOSTIP:8081/")" "$hello"
check_eq "host -> 127.0.0.1:8081 does not (published on $HOSTIP only)" "$(get "$HOSTNS" http://127.0.0.1:8081/)" ""
check_eq "upstream -> 203.0.113.2:8081 does not either" "$(get "$UPNS" http://203.0.113.2:8081/)" ""
check_eq "the container -> $HOSTIP:8080, its own published port (hairpin)" "$(get "$CNS" "http://$HOSTIP:8080/")" "$hello"
check_eq "the container -> upstream (masqueraded: upstream has no route back)" \
	"$(get "$CNS" http://203.0.113.1/)" "hello from upstream"
check_eq "LAN neighbour -> $CIP:80 directly is dropped (forward)" "$(get "$LANNS" "http://$CIP/")" ""
in_host nft flush chain inet minirun forward
check_eq "... which is the forward chain's doing: without it, it gets through" \
	"$(get "$LANNS" "http://$CIP/")" "$hello"

# CVE-2020-8558: with route_localnet on the bridge, a container that routes
# 127.0.0.0/8 to the host reaches the host's loopback-only services. UDP shows
# it without a listener: a datagram delivered to a closed port counts as
# Udp NoPorts in the host's /proc/net/snmp.
# shellcheck disable=SC2016
udp_noports() { in_host awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $3 }' /proc/net/snmp; }
# to_host_loopback EXPECTED: three datagrams to the host's 127.0.0.1:9998
# (closed), then a marker to its 10.99.0.1:9998 (closed too, never guarded);
# once the host has counted the marker and EXPECTED more (same path, in
# order), prints how many of the three reached it.
to_host_loopback() {
	local n0 grown
	n0=$(udp_noports)
	ip netns exec "$CNS" bash -c 'for i in 1 2 3; do echo x >/dev/udp/127.0.0.1/9998; done; echo x >/dev/udp/10.99.0.1/9998'
	grown() { [ $(($(udp_noports) - n0)) -ge $(($1 + 1)) ]; }
	wait_for 5 grown "$1"
	echo $(($(udp_noports) - n0 - 1))
}
ip -n "$CNS" route del local 127.0.0.1 dev lo table local
ip -n "$CNS" route del local 127.0.0.0/8 dev lo table local
ip -n "$CNS" route add 127.0.0.0/8 via 10.99.0.1
ip netns exec "$CNS" sysctl -qw net.ipv4.conf.eth0.route_localnet=1
check_eq "a container cannot send to the host's 127.0.0.1 (guard)" "$(to_host_loopback 0)" 0
in_host nft flush chain inet minirun guard
check_eq "... which is the guard's doing: without it, it can" "$(to_host_loopback 3)" 3
ip -n "$CNS" route del 127.0.0.0/8 via 10.99.0.1
ip -n "$CNS" route add local 127.0.0.0/8 dev lo table local
ip -n "$CNS" route add local 127.0.0.1 dev lo table local
ip netns exec "$CNS" sysctl -qw net.ipv4.conf.eth0.route_localnet=0
# Put guard and forward back the only way minirun has: a fresh table.
nt deltable && nt ensure "$BR" "$SUBNET" && nt add tcp 0.0.0.0 8080 "$CIP" 80 tcp "$HOSTIP" 8081 "$CIP" 80
check_eq "... the table is whole again" "$(in_host nft list ruleset | sed "/elements = /d")" "$(expected_ruleset)"

# ---- conntrack ----

ctcount() { # ctcount PROTO PORT: entries whose original destination port is PORT
	in_host conntrack -L -f ipv4 -p "$1" --orig-port-dst "$2" 2>/dev/null | grep -c "dport=$2 "
}
get "$HOSTNS" http://127.0.0.1:8080/ >/dev/null
get "$LANNS" "http://$HOSTIP:8081/" >/dev/null
check "nft-tool add udp 0.0.0.0 5353" nt add udp 0.0.0.0 5353 "$CIP" 53
in_host bash -c 'echo ping >/dev/udp/127.0.0.1/5353; echo ping >/dev/udp/198.51.100.1/5353'
before_8081=$(ctcount tcp 8081)
[ "$(ctcount tcp 8080)" -gt 0 ] && [ "$(ctcount udp 5353)" -gt 0 ] && [ "$before_8081" -gt 0 ]
check_eq "conntrack has entries for tcp 8080, tcp 8081 and udp 5353" "$?" 0
out=$(nt ctflush udp 5353)
check_match "ctflush udp 5353 deletes them" "$out" '^[1-9][0-9]*$'
check_eq "... none left" "$(ctcount udp 5353)" 0
out=$(nt ctflush tcp 8080)
check_match "ctflush tcp 8080 deletes them" "$out" '^[1-9][0-9]*$'
check_eq "... none left" "$(ctcount tcp 8080)" 0
check_eq "... tcp 8081 is untouched" "$(ctcount tcp 8081)" "$before_8081"
check_eq "ctflush of a port without entries deletes 0" "$(nt ctflush tcp 8082)" 0

check "unpublish everything" nt del tcp 0.0.0.0 8080 "$CIP" 80 tcp "$HOSTIP" 8081 "$CIP" 80 udp 0.0.0.0 5353 "$CIP" 53
check_eq "host -> 127.0.0.1:8080 no longer answers" "$(get "$HOSTNS" http://127.0.0.1:8080/)" ""
check_eq "LAN neighbour -> $HOSTIP:8080 neither" "$(get "$LANNS" "http://$HOSTIP:8080/")" ""
check "deltable at the end" nt deltable
