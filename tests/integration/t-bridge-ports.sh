#!/bin/bash
# Bridge networking (issue 3), published ports: every -p form (HOSTPORT:CPORT,
# IP:HOSTPORT:CPORT, IP::CPORT, CPORT, /udp, ranges), reached from the LAN
# neighbour, from the host's own addresses and 127.0.0.1, from another
# container (hairpin) and from the container itself; the client's address kept;
# what must NOT be reachable (unpublished ports, the container's address from
# outside, 127.0.0.1-only ports from the LAN even when it routes 127.0.0.1 to
# the host); ports in use refused; UDP conntrack flushed; a fixed rule count.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"

for tool in nft jq curl conntrack ss; do
	command -v "$tool" >/dev/null || { skip "bridge port tests" "$tool is missing"; exit 0; }
done
net_setup || { not_ok "make the throwaway namespaces"; exit 1; }

# An image with a UDP echo server (busybox's nc has no UDP): the test rootfs
# plus tests/helpers/udp-echo, built static.
IMG="$T_DIR/img"
cp -a "$ROOTFS" "$IMG"
HAVE_UDP=1
cc -static -O2 -o "$IMG/bin/udp-echo" "$TOP/tests/helpers/udp-echo.c" 2>"$T_DIR/cc.err" || HAVE_UDP=0

# ---- one web container, every -p form ----
# Port 80: busybox's page and a CGI printing the peer; port 81: another page.
mr_bg run --rm --init --name web \
	-p 8080:80 -p 127.0.0.1:8081:80 -p 198.51.100.1::80 -p 81 -p 8000-8001:80-81 \
	"$ROOTFS" sh -c "$PEER_CGI"' && mkdir /w81 && echo "port 81 here" >/w81/index.html && httpd -p 81 -h /w81 && exec httpd -f -p 80 -h /var/www'
WEB=$BGPID
wait_for 10 answers "$HOSTNS" http://127.0.0.1:8080/
st=$(state_of web)
wip=$(jq -r .network.ip "$st")
p_ip=$(jq -r '.network.ports[] | select(.host_ip == "198.51.100.1") | .host_port' "$st")
p_any=$(jq -r '.network.ports[] | select(.host_ip == "0.0.0.0" and .container_port == 81 and .host_port != 8001) | .host_port' "$st")
check_eq "state.json lists the 6 published ports" "$(jq '.network.ports | length' "$st")" 6
check_match "IP::CPORT got a free host port (state.json network.ports)" "$p_ip" '^[1-9][0-9]+$'
check_match "CPORT got a free host port" "$p_any" '^[1-9][0-9]+$'

# HOSTPORT:CPORT from everywhere.
check "8080:80 from the LAN neighbour (to 198.51.100.1)" answers "$LANNS" http://198.51.100.1:8080/
check "... from the host's own LAN address" answers "$HOSTNS" http://198.51.100.1:8080/
check "... from the host's own upstream address" answers "$HOSTNS" http://203.0.113.2:8080/
check "... from 127.0.0.1 on the host" answers "$HOSTNS" http://127.0.0.1:8080/
check_eq "the container sees the LAN client's own address (no SNAT)" "$(peer_of "$LANNS" http://198.51.100.1:8080/cgi-bin/peer)" 198.51.100.2
check_eq "... and the host's address for a connection from the host" "$(peer_of "$HOSTNS" http://203.0.113.2:8080/cgi-bin/peer)" 203.0.113.2
check_match "conntrack in the host shows the DNAT, source kept" \
	"$(in_host conntrack -L -p tcp --orig-src 198.51.100.2 --orig-port-dst 8080 2>/dev/null)" "src=198\.51\.100\.2 dst=198\.51\.100\.1 .*dport=8080 .*src=$wip dst=198\.51\.100\.2 sport=80"

# 127.0.0.1:HOSTPORT:CPORT: the host only.
check "127.0.0.1:8081:80 from 127.0.0.1 on the host" answers "$HOSTNS" http://127.0.0.1:8081/
check "... not from the LAN neighbour (198.51.100.1:8081)" refused "$LANNS" http://198.51.100.1:8081/
check "... not on the host's other addresses" refused "$HOSTNS" http://203.0.113.2:8081/

# IP::CPORT: that address only.
check "198.51.100.1::80 from the LAN on that address" answers "$LANNS" "http://198.51.100.1:$p_ip/"
check "... not on the host's other address" refused "$HOSTNS" "http://203.0.113.2:$p_ip/"

# CPORT and ranges.
check_eq "-p 81: the picked port reaches container port 81" "$(get "$LANNS" "http://198.51.100.1:$p_any/")" "port 81 here"
check "8000-8001:80-81: 8000 -> 80" answers "$LANNS" http://198.51.100.1:8000/
check_eq "... 8001 -> 81" "$(get "$LANNS" http://198.51.100.1:8001/)" "port 81 here"

# What is not published is not reachable.
check "an unpublished host port (8082) is not reachable" refused "$LANNS" http://198.51.100.1:8082/
ip -n "$LANNS" route add 10.99.0.0/16 via 198.51.100.1
check "the host itself reaches the container's address directly" answers "$HOSTNS" "http://$wip:80/"
check "... the LAN neighbour routing to it does not (forward drop)" refused "$LANNS" "http://$wip:80/"
check "... nor to its port 81" refused "$LANNS" "http://$wip:81/"
ip -n "$LANNS" route del 10.99.0.0/16 via 198.51.100.1

# From containers: hairpin through the host's address, and to itself.
out=$(mr run --rm "$ROOTFS" sh -c 'timeout 3 wget -qO- http://198.51.100.1:8080/; timeout 3 wget -qO- http://203.0.113.2:8080/cgi-bin/peer')
check_match "another container reaches 8080 through the host's address (hairpin)" "$out" 'hello from minirun'
check_match "... and is seen from the gateway (masqueraded, so the answer comes back the same way)" "$out" '\[::ffff:10\.99\.0\.1\]'
check "another container does not reach the 127.0.0.1-only port" mr run --rm "$ROOTFS" sh -c '! timeout 3 wget -qO- http://198.51.100.1:8081/'
out=$(mr run --rm -p 8083:80 "$ROOTFS" sh -c 'httpd -p 80 -h /var/www; for i in 1 2 3 4 5 6 7 8 9 10; do timeout 1 wget -qO- http://198.51.100.1:8083/ && exit 0; sleep 0.2; done; exit 1')
check_match "a container reaches its own published port through the host's address" "$out" 'hello from minirun'

# ---- ports in use ----
in_host "$BB" nc -l -p 8084 >"$T_DIR/nc.out" &
NC=$!
at_cleanup "kill $NC"
wait_for 5 sh -c "ip netns exec $HOSTNS ss -ltnH 'sport = :8084' | grep -q ."
bad125 "a host port a host process listens on is refused: 'port 8084/tcp is already in use'" \
	"port 8084/tcp is already in use" run --rm -p 8084:80 "$ROOTFS" true
check_eq "... nothing left of that run (one container, one lease)" "$(n_states) $(n_leases)" "1 1"
echo still-here | in_host "$BB" nc 127.0.0.1 8084
check "... and the host process still gets its connections" wait_for 5 grep -q still-here "$T_DIR/nc.out"
kill "$NC" 2>/dev/null; wait "$NC" 2>/dev/null
bad125 "a host port another container publishes is refused" "port 8080/tcp is already in use" run --rm -p 8080:80 "$ROOTFS" true
bad125 "... also for one of the host's addresses" "port 8080/tcp is already in use" run --rm -p 127.0.0.1:8080:80 "$ROOTFS" true
check_eq "... nothing left of those runs" "$(n_states) $(n_leases) $(n_elems)" "1 1 6"
check "... and the holder still answers" answers "$LANNS" http://198.51.100.1:8080/
check "the same port number over UDP is free" mr run --rm -p 8080:80/udp "$ROOTFS" true
bad125 "the same host port twice in one run is refused" "port 9000/tcp is already in use" run --rm -p 9000:80 -p 9000:81 "$ROOTFS" true
check "... but one port on two different host addresses is fine" mr run --rm -p 127.0.0.1:9000:80 -p 198.51.100.1:9000:81 "$ROOTFS" true

# ---- the rule count does not grow with containers ----
rules1=$(n_rules)
elems1=$(n_elems)
more=()
for i in 1 2 3 4; do
	mr_bg run --rm --init -p "910$i:80" "$ROOTFS" sleep 30
	more+=("$BGPID")
done
wait_running 5
check_eq "5 containers: as many rules as with 1 ($rules1)" "$(n_rules)" "$rules1"
check_eq "... and 4 more map elements" "$(n_elems)" "$((elems1 + 4))"
for p in "${more[@]}"; do stop "$p"; done
check_eq "their elements are gone when they end" "$(n_elems)" "$elems1"

# ---- 127.0.0.1-only ports and a neighbour that routes 127.0.0.1 to the host ----
# The LAN netns sends packets for 127.0.0.1 to the host (its own loopback
# routes removed, route_localnet on so it may). The host's prerouting would
# DNAT them (127.0.0.1 is a local address and the map has 127.0.0.1 . tcp .
# 8081), so only the guard chain (iif != lo, daddr 127/8: drop, at raw
# priority, before conntrack) stops them.
ip -n "$LANNS" route del local 127.0.0.0/8 dev lo table local
ip -n "$LANNS" route del local 127.0.0.1 dev lo table local
ip -n "$LANNS" route add 127.0.0.1/32 via 198.51.100.1
in_lan sysctl -qw net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.eth0.route_localnet=1
check_match "the neighbour now routes 127.0.0.1 to the host" "$(in_lan ip route get 127.0.0.1)" 'via 198\.51\.100\.1 dev eth0'
check "... and still does not reach the 127.0.0.1-only port" refused "$LANNS" http://127.0.0.1:8081/
probe_ct() { in_host conntrack -L -p tcp --orig-src 198.51.100.2 --orig-dst 127.0.0.1 2>/dev/null | grep -c dport=8081; }
check_eq "... its packets die before conntrack (guard chain)" "$(probe_ct)" 0
# The control: without the guard rule the same probe is DNATed to the
# container, so the check above tests something.
h=$(in_host nft -a list chain inet minirun guard | awk '/drop/ {print $NF}')
in_host nft delete rule inet minirun guard handle "$h"
in_lan curl -s --max-time 1 -o /dev/null http://127.0.0.1:8081/
check_match "control: without the guard rule the probe is DNATed to the container" \
	"$(in_host conntrack -L -p tcp --orig-src 198.51.100.2 --orig-dst 127.0.0.1 2>/dev/null)" "dport=8081 .*src=$wip "

stop "$WEB"
check "after the container ends 8080 is gone" refused "$HOSTNS" http://127.0.0.1:8080/
net_clean "... and its link, elements and lease"

# ---- UDP ----
if [ "$HAVE_UDP" = 1 ]; then
	udp() { # NS HOST PORT MSG: one datagram, the first line of the answer
		ip netns exec "$1" bash -c "exec 3<>/dev/udp/$2/$3; echo $4 >&3; timeout 2 head -n1 <&3" 2>/dev/null
	}
	# A client in the LAN that keeps one socket (one source port) for all
	# its datagrams, fed through a fifo.
	mkfifo "$T_DIR/udp.in"
	in_lan bash -c 'exec 3<>/dev/udp/198.51.100.1/5353; while read -r m; do echo "$m" >&3; timeout 2 head -n1 <&3 || echo "$m: no answer"; done' \
		<"$T_DIR/udp.in" >"$T_DIR/udp.out" 2>/dev/null &
	UC=$!
	exec {UW}>"$T_DIR/udp.in"
	at_cleanup "kill $UC"
	send() { echo "$1" >&"$UW"; wait_for 5 grep -q "^$1" "$T_DIR/udp.out"; grep "^$1" "$T_DIR/udp.out"; }
	check_eq "UDP before anything is published: no answer" "$(send one)" "one: no answer"

	mr_bg run --rm --init -p 5353:53/udp "$IMG" udp-echo 53
	U=$BGPID
	wait_running 1
	udp_ready() { [ -n "$(udp "$HOSTNS" 127.0.0.1 5353 ready)" ]; }
	wait_for 5 udp_ready
	uip=$(running_states | xargs jq -r .network.ip)
	check_eq "5353:53/udp from the LAN, the client's address kept" "$(udp "$LANNS" 198.51.100.1 5353 hi)" "hi from 198.51.100.2"
	check_eq "... from the host's own address" "$(udp "$HOSTNS" 203.0.113.2 5353 hi)" "hi from 203.0.113.2"
	check_match "... from 127.0.0.1 on the host" "$(udp "$HOSTNS" 127.0.0.1 5353 hi)" '^hi from 10\.99\.0\.1$'
	check_eq "the same LAN socket gets answers once the port is published (stale conntrack flushed)" "$(send two)" "two from 198.51.100.2"
	check_eq "an unpublished UDP port gets no answer" "$(udp "$LANNS" 198.51.100.1 5354 hi)" ""
	in_host "$IMG/bin/udp-echo" 5300 &
	UH=$!
	at_cleanup "kill $UH"
	wait_for 5 sh -c "ip netns exec $HOSTNS ss -lunH 'sport = :5300' | grep -q ."
	bad125 "a UDP port a host process holds is refused" "port 5300/udp is already in use" run --rm -p 5300:53/udp "$IMG" true
	check_eq "... and the host process still answers" "$(udp "$HOSTNS" 127.0.0.1 5300 x)" "x from 127.0.0.1"
	kill "$UH"
	stop "$U"
	check_eq "after the container ends, no conntrack entry points at it" \
		"$(in_host conntrack -L -p udp --orig-port-dst 5353 2>/dev/null | grep -c "src=$uip ")" 0
	mr_bg run --rm --init -p 5353:53/udp "$IMG" udp-echo 53
	U=$BGPID
	wait_running 1
	wait_for 5 udp_ready
	check_eq "a new container on the same UDP port gets the same LAN socket's datagrams" "$(send three)" "three from 198.51.100.2"
	stop "$U"
	exec {UW}>&-
	net_clean "UDP containers leave no link, element or lease"
else
	skip "UDP published ports" "cannot build tests/helpers/udp-echo statically: $(head -1 "$T_DIR/cc.err")"
fi
assert_clean
