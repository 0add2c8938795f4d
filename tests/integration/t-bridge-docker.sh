#!/bin/bash
# Living beside Docker (issue 3, item 9; net/foreign.c). Docker sets the
# FORWARD policy of iptables-nft's `table ip filter` to DROP; a drop in any base
# chain is final, so minirun's own accepts do not help. minirun puts two rules
# into Docker's DOCKER-USER chain instead (never touching a policy), and where
# a dropping chain offers no such place it changes nothing and prints one
# WARNING naming it. Everything happens in lib.sh's throwaway host namespace:
#   A. Docker's shape made with iptables-nft: upstream, published port, each
#      other, two rules exactly once (also with concurrent runs), iptables can
#      still read the table, policy and other chains untouched, no direct access
#      from the LAN, and the rules are what makes it work;
#   B. policy drop without DOCKER-USER: a WARNING, no way out, nothing changed;
#   C. the same, with the admin's own rules for mini0: no WARNING, works;
#   D. a hand-made `table inet` forward chain with policy drop: a WARNING;
#   E. policy accept: nothing to do, nothing added;
#   F. a real dockerd in the namespace, if there is one: both kinds of container
#      reach upstream, Docker's published port still works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/docker-lib.sh"

missing=""
[ -x "$MINIRUN" ] || missing+=" minirun (make)"
[ -x "$ROOTFS/bin/busybox" ] || missing+=" rootfs $ROOTFS"
for tool in nft jq curl busybox; do
	command -v "$tool" >/dev/null || missing+=" $tool"
done
if [ "$(id -u)" = 0 ] && ! command -v iptables-nft >/dev/null && command -v apt-get >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iptables >/dev/null 2>&1
fi
command -v iptables-nft >/dev/null || missing+=" iptables-nft (apt-get install iptables)"
if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
	skip "living beside Docker" "need root and:${missing:- (all present)}"
	exit 0
fi

net_setup || {
	not_ok "make the throwaway namespaces"
	exit 1
}

BR=mini0
UP_HELLO="hello from upstream"
WEB_IP=10.99.0.80 # lib.sh's routes leave 10.99.0.0/16, the first pool, free
RULE_IN="-A DOCKER-USER -i $BR -m comment --comment minirun -j ACCEPT"
RULE_OUT="-A DOCKER-USER -o $BR -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment minirun -j ACCEPT"

ipt() { in_host iptables-nft "$@"; }
ours() { ipt -S DOCKER-USER 2>/dev/null | grep -c -- '--comment minirun'; }
others() { ipt -S 2>&1 | grep -v -- '--comment minirun'; } # everything that is not ours
# reach_up: a container fetches upstream's page;
# stdout is the page, stderr (minirun's and wget's) goes to $T_DIR/err.
reach_up() { mr run --rm --init "$ROOTFS" timeout 3 wget -qO- http://203.0.113.1/ 2>"$T_DIR/err"; }
warnings() { grep -c '^WARNING: ' "$T_DIR/err"; }

mkdir -p "$T_DIR/up"
echo "$UP_HELLO" >"$T_DIR/up/index.html"
ip netns exec "$UPNS" busybox httpd -f -p 80 -h "$T_DIR/up" &
disown
wait_for 5 in_up curl -sf http://127.0.0.1/ || not_ok "upstream's web server starts"
ip -n "$LANNS" route add 10.99.0.0/16 via 198.51.100.1 # a neighbour that tries the direct way

brnf=$(in_host cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)
if [ "$brnf" = 1 ]; then
	diag "br_netfilter is active here: container-to-container frames pass FORWARD too"
else
	# Loading it (modprobe br_netfilter) would change the whole machine.
	diag "br_netfilter is not loaded; not loading it (machine-wide): container-to-container frames skip FORWARD"
fi

# ---- A. Docker's shape, as Docker 20.10 leaves it (without a container) ----
for c in DOCKER DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2 DOCKER-USER; do ipt -N "$c"; done
ipt -P FORWARD DROP
ipt -A FORWARD -j DOCKER-USER
ipt -A FORWARD -j DOCKER-ISOLATION-STAGE-1
ipt -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ipt -A FORWARD -o docker0 -j DOCKER
ipt -A FORWARD -i docker0 ! -o docker0 -j ACCEPT
ipt -A FORWARD -i docker0 -o docker0 -j ACCEPT
ipt -A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
ipt -A DOCKER-ISOLATION-STAGE-1 -j RETURN
ipt -A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
ipt -A DOCKER-ISOLATION-STAGE-2 -j RETURN
ipt -A DOCKER-USER -j RETURN
before=$(ipt -S)

pids=()
for i in 1 2 3 4 5 6; do
	mr run --rm "$ROOTFS" true 2>"$T_DIR/par.$i" &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
check_eq "6 concurrent first runs all succeed" "$bad" 0
[ "$bad" = 0 ] || diag "$(cat "$T_DIR"/par.*)"
check_eq "... and put minirun's four rules into DOCKER-USER exactly once" "$(ours)" 4
check_eq "... at its top, the way iptables writes them" \
	"$(ipt -S DOCKER-USER)" "-N DOCKER-USER
-A DOCKER-USER -i $BR -o docker0 -m comment --comment minirun -j RETURN
-A DOCKER-USER -i $BR -o br-+ -m comment --comment minirun -j RETURN
$RULE_IN
$RULE_OUT
-A DOCKER-USER -j RETURN"
check "iptables can still read the whole table (Docker needs -S/-L/-C)" ipt -L -n
check "iptables -C finds our rules as it would its own" sh -c \
	"ip netns exec $HOSTNS iptables-nft -C DOCKER-USER -o $BR -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment minirun -j ACCEPT &&
	 ip netns exec $HOSTNS iptables-nft -C DOCKER-USER -i $BR -m comment --comment minirun -j ACCEPT"

check_eq "a container reaches upstream (masqueraded) through Docker's FORWARD" "$(reach_up)" "$UP_HELLO"
check_eq "... without a warning" "$(warnings)" 0
check_eq "after more runs the rules are still there once" "$(ours)" 4
check_eq "the FORWARD policy is still DROP" "$(ipt -S FORWARD | head -1)" "-P FORWARD DROP"
check_eq "every other chain and rule is untouched" "$(others)" "$before"

web=$(cat "$ROOTFS/var/www/index.html")
mr_bg run --rm --init --name web --ip "$WEB_IP" -p 8080:80 "$ROOTFS" httpd -f -p 80 -h /var/www
WEBPID=$BGPID
at_cleanup "kill -TERM $WEBPID"
wait_for 10 in_lan curl -sf http://198.51.100.1:8080/
check_eq "the LAN neighbour reaches a published port (-p 8080:80)" \
	"$(in_lan curl -s --max-time 3 http://198.51.100.1:8080/)" "$web"
check_eq "... and the host does too" "$(in_host curl -s --max-time 3 http://127.0.0.1:8080/)" "$web"
check_eq "a container reaches another one at its address" \
	"$(mr run --rm --init "$ROOTFS" timeout 3 wget -qO- "http://$WEB_IP/" 2>/dev/null)" "$web"
check_eq "a container reaches another one's published port on the host" \
	"$(mr run --rm --init "$ROOTFS" timeout 3 wget -qO- http://198.51.100.1:8080/ 2>/dev/null)" "$web"
ex=$(mr net explain web 2>&1)
ex_has() { grep -qF -- "$1" <<<"$ex"; }
check "net explain: the LAN's packet passes Docker's FORWARD by minirun's DNAT rule in DOCKER-USER" \
	ex_has "DOCKER-USER, where minirun's rule '-o $BR -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT' accepts it"
check "... and the way out by its -i rule" ex_has "DOCKER-USER, where minirun's rule '-i $BR -j ACCEPT' accepts it"
check_eq "... each with the command that shows it, and no rule said missing" \
	"$(grep -c '^      \$ iptables -L DOCKER-USER -n -v$' <<<"$ex") $(grep -c 'not there now' <<<"$ex")" "2 0"
check_eq "the LAN neighbour cannot reach the container's address directly (issue 5)" \
	"$(in_lan curl -s --max-time 2 "http://$WEB_IP/")" ""
in_host nft flush chain inet minirun forward
check_eq "... not even with minirun's own forward chain emptied: our DOCKER-USER rules do not open it" \
	"$(in_lan curl -s --max-time 2 "http://$WEB_IP/")" ""

# The rules are what does it: a container that is already running loses its
# way out when they go (SIGUSR1 reaches it through minirun, then it tries).
mr_bg run --rm --init "$ROOTFS" sh -c \
	'trap "timeout 3 wget -qO- http://203.0.113.1/ || echo blocked; exit 0" USR1; echo ready; while :; do sleep 0.1; done' \
	>"$T_DIR/probe" 2>/dev/null
probe=$BGPID
wait_for 30 grep -q ready "$T_DIR/probe" || diag "the probe container did not say ready in 30 s"
ipt -D DOCKER-USER -i "$BR" -m comment --comment minirun -j ACCEPT
ipt -D DOCKER-USER -o "$BR" -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment minirun -j ACCEPT
ex=$(mr net explain web 2>&1)
check_eq "net explain says when minirun's DOCKER-USER rules are gone (both paths)" "$(grep -c 'not there now' <<<"$ex")" 2
kill -USR1 "$probe"
# Bounded: a signal lost on a busy machine must fail the check, not hang.
wait_for 15 sh -c "sed 1d '$T_DIR/probe' | grep -q ." || kill -TERM "$probe" 2>/dev/null
wait "$probe"
check_eq "without our two rules Docker's policy drops a running container's traffic" \
	"$(sed 1d "$T_DIR/probe")" blocked
check_eq "the next run puts them back, once" "$(reach_up >/dev/null; ours)" 4

kill -TERM "$WEBPID" 2>/dev/null
wait "$WEBPID" 2>/dev/null
# The forward chain was emptied above: minirun makes the table whole only when it is missing.
in_host nft delete table inet minirun

# ---- B. policy drop and no DOCKER-USER (ufw, a hand-made ruleset) ----
in_host nft delete table ip filter
ipt -P FORWARD DROP
ipt -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
before=$(ipt -S)
check_eq "no DOCKER-USER: the container cannot reach upstream (negative control)" "$(reach_up)" ""
check_eq "... minirun prints one WARNING line" "$(warnings)" 1
check_eq "... naming the chain that blocks" "$(grep '^WARNING: ' "$T_DIR/err")" \
	"WARNING: the FORWARD chain of table ip filter drops forwarded traffic (policy drop) and offers no DOCKER-USER chain; containers on $BR cannot reach the outside: allow $BR there"
check_eq "... and changes nothing in table ip filter" "$(ipt -S)" "$before"

# ---- C. the admin allowed mini0 there ----
ipt -I FORWARD -i "$BR" -j ACCEPT
ipt -I FORWARD -o "$BR" -m conntrack --ctstate DNAT -j ACCEPT
before=$(ipt -S)
check_eq "with the admin's rules for $BR in FORWARD a container reaches upstream" "$(reach_up)" "$UP_HELLO"
check_eq "... and minirun says nothing" "$(warnings)" 0
check_eq "... and changes nothing" "$(ipt -S)" "$before"
in_host nft delete table ip filter

# ---- D. a hand-made inet table ----
in_host nft add table inet fw
in_host nft add chain inet fw block '{ type filter hook forward priority 0; policy drop; }'
check_eq "an inet forward chain with policy drop blocks too" "$(reach_up)" ""
check_eq "... and is named in the WARNING" "$(grep '^WARNING: ' "$T_DIR/err")" \
	"WARNING: the block chain of table inet fw drops forwarded traffic (policy drop); containers on $BR cannot reach the outside: allow $BR there"
check_eq "... which is left as it was" "$(in_host nft list table inet fw | grep -c 'policy drop')" 1
in_host nft delete table inet fw

# ---- E. policy accept: nothing to do ----
ipt -N DOCKER-USER
ipt -A FORWARD -j DOCKER-USER
check_eq "with FORWARD accepting, a container reaches upstream" "$(reach_up)" "$UP_HELLO"
check_eq "... and nothing is added to DOCKER-USER" "$(ours) $(warnings)" "0 0"
in_host nft delete table ip filter

# ---- F. a real Docker engine inside the throwaway namespace ----
docker_part() {
	local D=$T_DIR/docker
	at_cleanup dockerd_cleanup
	# Docker sets the FORWARD policy to DROP when it is the one to turn
	# forwarding on, as on a host where it starts before minirun.
	in_host sysctl -qw net.ipv4.ip_forward=0
	if ! dockerd_start "$D" "$HOSTNS" "minirun-t-$$" --iptables=true --userland-proxy=false; then
		skip "a real dockerd beside minirun" "$DOCKERD_WHY"
		return
	fi
	if ! dockerd_import "$ROOTFS" bb:local -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin'; then
		not_ok "import the busybox rootfs into Docker"
		return
	fi
	check_eq "dockerd set the FORWARD policy to DROP" "$(ipt -S FORWARD | head -1)" "-P FORWARD DROP"
	check_eq "a Docker container reaches upstream" \
		"$(dk run --rm bb:local sh -c 'timeout 3 wget -qO- http://203.0.113.1/; :' 2>&1)" "$UP_HELLO"
	check_eq "a minirun container reaches upstream beside it" "$(reach_up)" "$UP_HELLO"
	check_eq "... with our two rules in Docker's DOCKER-USER, once" "$(ours)" 4
	check_eq "... without a warning" "$(warnings)" 0
	dk run -d --name web2 -p 8081:80 bb:local httpd -f -p 80 -h /var/www >/dev/null
	wait_for 10 in_lan curl -sf http://198.51.100.1:8081/
	dk run -d --name hidden bb:local httpd -f -p 80 -h /var/www >/dev/null
	hidden_ip=$(dk inspect -f '{{.NetworkSettings.IPAddress}}' hidden)
	wait_for 10 in_host curl -sf "http://$hidden_ip/" # it serves: what follows means something
	check_eq "a minirun container cannot reach a Docker container that published nothing (Docker's rules decide)" \
		"$(mr run --rm --init "$ROOTFS" timeout 3 wget -qO- "http://$hidden_ip/" 2>/dev/null)" ""
	check_match "... while the host itself can (control)" "$(in_host curl -s --max-time 3 "http://$hidden_ip/")" 'hello from minirun'
	dk rm -f hidden >/dev/null
	check_eq "Docker's published port still works from the LAN" \
		"$(in_lan curl -s --max-time 3 http://198.51.100.1:8081/)" "$web"
	check_eq "a minirun container reaches Docker's published port" \
		"$(mr run --rm --init "$ROOTFS" timeout 3 wget -qO- http://198.51.100.1:8081/ 2>/dev/null)" "$web"
	mr_bg run --rm --init -p 8080:80 "$ROOTFS" httpd -f -p 80 -h /var/www
	WEBPID=$BGPID
	wait_for 10 in_host curl -sf http://127.0.0.1:8080/
	check_eq "a Docker container reaches minirun's published port" \
		"$(dk run --rm bb:local sh -c 'timeout 3 wget -qO- http://198.51.100.1:8080/; :' 2>&1)" "$web"
	check "iptables (Docker's tool) still reads the table" ipt -S
	dk rm -f web2 >/dev/null
	dockerd_stop
	if dockerd_start "$D" "$HOSTNS" "minirun-t-$$" --iptables=true --userland-proxy=false; then
		check_eq "a restarted dockerd leaves our rules in DOCKER-USER as they were" "$(ours)" 4
		check_eq "... and its containers still reach upstream" \
			"$(dk run --rm bb:local sh -c 'timeout 3 wget -qO- http://203.0.113.1/; :' 2>&1)" "$UP_HELLO"
		check_eq "... and so do minirun's" "$(reach_up)" "$UP_HELLO"
	else
		not_ok "dockerd starts again"
	fi
	kill -TERM "$WEBPID" 2>/dev/null
	wait "$WEBPID" 2>/dev/null
	check_eq "the FORWARD policy is still Docker's DROP" "$(ipt -S FORWARD | head -1)" "-P FORWARD DROP"
	dk rmi -f bb:local >/dev/null 2>&1
	dockerd_cleanup
	check "dockerd stopped and left no mounts" sh -c "! grep -q ' $D/' /proc/self/mountinfo"
}
docker_part

assert_clean
