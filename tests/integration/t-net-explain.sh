#!/bin/bash
# `minirun net explain`: every command it prints to show a hop is run in the
# host namespace and must succeed and show this container's element, route,
# bridge port or conntrack entry, so the explanation stays true to the code.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1
command -v conntrack >/dev/null || { not_ok "conntrack is needed (make deps installs it)"; exit 1; }
start_upstream_peer

id=$(mr run -d --init --name web -p 8080:80 -p 127.0.0.1:5353:53/udp -p 198.51.100.1:8090:80 "$ROOTFS" httpd -f -p 80 -h /var/www)
veth=mr${id:0:12}
wait_for 5 answers "$LANNS" http://198.51.100.1:8080/
# traffic for the conntrack entries the explanation points at
check "a LAN neighbour reaches the published port" answers "$LANNS" http://198.51.100.1:8080/
check "the host reaches it" answers "$HOSTNS" http://198.51.100.1:8080/
check "127.0.0.1 on the host reaches it" answers "$HOSTNS" http://127.0.0.1:8080/
check "the container reaches the upstream" mr exec web wget -qO- http://203.0.113.1:8000/cgi-bin/peer

out=$(mr net explain web --port 8080); rc=$?
check_eq "net explain exits 0" "$rc" 0
check_eq "no Docker here: no DOCKER-USER hop (t-bridge-docker.sh has one)" "$(grep -c DOCKER-USER <<<"$out")" 0
check_match "names the container's address and veth" "$out" "eth0 10\\.99\\.0\\.2/16.*veth pair: $veth"
check_match "reads the host's LAN address from the kernel" "$out" 'From the LAN: a neighbour connects to 198\.51\.100\.1:8080/tcp'
check_match "and its way out" "$out" 'source 203\.0\.113\.2, the address of up0'
for s in 'From the LAN' 'From the host' 'From 127\.0\.0\.1' 'Out: '; do
	check_match "a section: $s" "$out" "== $s"
done

# expect CMD: what its output must show for this container.
expect() {
	case $1 in
	"nft get element inet minirun ports_any '{ tcp . 8080 }'") echo 'tcp \. 8080 : 10\.99\.0\.2 \. 80' ;;
	"nft get element inet minirun ports_ip '{ 127.0.0.1 . udp . 5353 }'") echo '127\.0\.0\.1 \. udp \. 5353 : 10\.99\.0\.2 \. 53' ;;
	"nft list chain inet minirun prerouting" | "nft list chain inet minirun output")
		echo 'fib daddr type local dnat ip to meta l4proto \. th dport map @ports_any' ;;
	"nft list chain inet minirun forward") echo 'oifname "mini0" ct status dnat accept.*oifname "mini0" drop' ;;
	"nft list chain inet minirun postrouting")
		echo 'ip saddr 10\.99\.0\.0/16 oifname != "mini0" masquerade.*ip saddr 127\.0\.0\.0/8 oifname "mini0" masquerade' ;;
	"nft list chain inet minirun guard") echo 'iifname != "lo" ip daddr 127\.0\.0\.0/8 drop' ;;
	"ip route get 10.99.0.2") echo '10\.99\.0\.2 dev mini0 src 10\.99\.0\.1' ;;
	"bridge link show dev $veth") echo "$veth.*master mini0" ;;
	"conntrack -L -p tcp --dport 8080") echo 'src=198\.51\.100\.2 dst=198\.51\.100\.1 sport=[0-9]+ dport=8080 .*src=10\.99\.0\.2 dst=198\.51\.100\.2 sport=80' ;;
	"conntrack -L -p tcp -s 127.0.0.1 --dport 8080") echo 'src=127\.0\.0\.1 dst=127\.0\.0\.1 .*src=10\.99\.0\.2 dst=10\.99\.0\.1 sport=80' ;;
	"nsenter -t "*" -n ip route show default") echo 'default via 10\.99\.0\.1 dev eth0' ;;
	"nft list chain bridge minirun prerouting") echo 'iifname \. ether saddr \. ip saddr @allowed_src accept' ;;
	"nft get element bridge minirun allowed_src '{ \"$veth\" . 02:42:0a:63:00:02 . 10.99.0.2 }'") echo "\"$veth\" \\. 02:42:0a:63:00:02 \\. 10\\.99\\.0\\.2" ;;
	"ip route show default") echo 'default via 203\.0\.113\.1 dev up0' ;;
	"sysctl net.ipv4.conf.mini0.route_localnet") echo 'route_localnet = 1' ;;
	"sysctl net.ipv4.ip_forward") echo 'ip_forward = 1' ;;
	"conntrack -L -s 10.99.0.2") echo 'src=10\.99\.0\.2 dst=203\.0\.113\.1 .*dport=8000 .*src=203\.0\.113\.1 dst=203\.0\.113\.2' ;;
	*) return 1 ;;
	esac
}
# run_shown TEXT: each "$ CMD" line of TEXT, run in the host namespace.
run_shown() {
	local c want got n=0
	while IFS= read -r c; do
		n=$((n + 1))
		if ! want=$(expect "$c"); then
			not_ok "shown command has an expectation in this test: $c"
			continue
		fi
		got=$(in_host bash -c "$c" 2>&1 | tr '\n' ' '); rc=${PIPESTATUS[0]}
		if [ "$rc" -eq 0 ] && [[ "$got" =~ $want ]]; then
			ok "\$ $c"
		else
			not_ok "\$ $c"
			diag "exit $rc: $got"
			diag "want: /$want/"
		fi
	done < <(printf '%s\n' "$1" | sed -n 's/^      \$ //p' | sort -u)
	[ "$n" -ge 10 ] || not_ok "at least 10 commands shown (got $n)"
}
run_shown "$out"

out=$(mr network explain web --port 5353/udp); rc=$?
check_eq "network explain (the other spelling) of a port on 127.0.0.1: exit 0" "$rc" 0
check_match "... not reachable from the LAN" "$out" 'Not reachable: the port is published on 127\.0\.0\.1 only'
if [[ "$out" == *"== From the host"* ]]; then not_ok "... no 'from the host' section beside 127.0.0.1's"; else ok "... no 'from the host' section beside 127.0.0.1's"; fi
elem=$(printf '%s\n' "$out" | sed -n "s/^      \\$ \\(nft get element inet minirun ports_ip .*\\)/\\1/p")
check_match "... its element is in map ports_ip" "$(in_host bash -c "$elem" 2>&1)" '127\.0\.0\.1 \. udp \. 5353 : 10\.99\.0\.2 \. 53'
out=$(mr net explain web --port 8090/tcp)
check_match "a port published on one LAN address: the LAN path goes to that address" "$out" '== From the LAN: a neighbour connects to 198\.51\.100\.1:8090/tcp'
check_match "... and so does the host's" "$out" '== From the host: a process on the host connects to 198\.51\.100\.1:8090/tcp'
if [[ "$out" == *"== From 127.0.0.1"* ]]; then not_ok "... no 127.0.0.1 path"; else ok "... no 127.0.0.1 path"; fi
elem=$(printf '%s\n' "$out" | sed -n "s/^      \\$ \\(nft get element inet minirun ports_ip .*\\)/\\1/p" | head -n1)
check_match "... its element is in map ports_ip: $elem" "$(in_host bash -c "$elem" 2>&1)" '198\.51\.100\.1 \. tcp \. 8090 : 10\.99\.0\.2 \. 80'
check_match "without --port: the first port, and a hint" "$(mr net explain web)" '\(explaining 8080/tcp; --port P for another\)'

mr run -d --name quiet "$ROOTFS" sleep 60 >/dev/null
out=$(mr net explain quiet)
check_match "a container publishing nothing: says so" "$out" '== In: nothing is published'
check_match "... and still how it goes out" "$out" 'conntrack -L -s 10\.99\.0\.3'

mr run -d --name hostnet --network host "$ROOTFS" sleep 60 >/dev/null
mr run --name ended "$ROOTFS" true
bad125 "unknown container" 'no such container: nosuch' net explain nosuch
bad125 "a --network host container" 'hostnet uses --network host: only bridge-mode containers have a path of their own to explain' net explain hostnet
bad125 "a container that is not running" 'ended is not running: .*' net explain ended
bad125 "a port it does not publish" 'web does not publish port 9999 .*' net explain web --port 9999
bad125 "8080/udp is not 8080/tcp" 'web does not publish port 8080/udp .*' net explain web --port 8080/udp
bad125 "a --port that is no port" 'invalid --port "http": use PORT or PORT/tcp\|udp' net explain web --port http
bad125 "no NAME" '"net explain" requires exactly 1 argument: NAME' net explain
bad125 "net with no subcommand" 'usage: network show .*' net

mr rm -f web quiet hostnet ended >/dev/null
assert_clean
