#!/bin/bash
# minirun --explain: each step printed, as it is done, as the command that
# would do it by hand. Two containers are started with --explain in lib.sh's
# throwaway "host" namespace (with Docker's iptables shape, so that the
# DOCKER-USER lines are printed too); then the printed host commands (ip,
# bridge, sysctl, nft, iptables) are replayed in a second, fresh namespace
# pair, and what they built is compared with what minirun built: links,
# addresses and routes on the host and in each container, the sysctls, and
# `nft list ruleset`. The comparison is shown to notice a difference. Also:
# the container's own steps (mounts, hostname, pivot_root, exec) in order, the
# container's stdout and log untouched, nothing printed without --explain.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"

missing=""
for tool in nft jq iptables-nft nsenter bridge; do
	command -v "$tool" >/dev/null || missing+=" $tool"
done
if [ "$(id -u)" != 0 ] || [ -n "$missing" ]; then
	skip "--explain replay" "need root and:${missing:- (all present)}"
	exit 0
fi

net_setup || {
	not_ok "make the throwaway namespaces"
	exit 1
}
RHOST="mrt-rhost-$$" # the replay's "host"; its containers' namespaces are named by the replay
REPLAY_NS=()
at_cleanup 'for n in "${REPLAY_NS[@]}" "$RHOST"; do ip netns del "$n"; done'
ip netns add "$RHOST" && ip -n "$RHOST" link set lo up || {
	not_ok "make the replay namespace"
	exit 1
}
in_rhost() { nsenter --net="/run/netns/$RHOST" "$@"; }

# Docker 20.10's FORWARD shape, in both "hosts" alike.
docker_shape() {
	"$@" iptables-nft -N DOCKER-USER &&
		"$@" iptables-nft -P FORWARD DROP &&
		"$@" iptables-nft -A FORWARD -j DOCKER-USER &&
		"$@" iptables-nft -A DOCKER-USER -j RETURN
}
docker_shape in_host && docker_shape in_rhost || {
	not_ok "Docker's iptables shape"
	exit 1
}

# ---- bad input: still one line, nothing made ----

err=$(mr --explain run --rm -p nope "$ROOTFS" true 2>&1 >/dev/null)
check_match "--explain with bad input: still one line, minirun: what: why" "$err" '^minirun: [^
]*$'

# ---- two containers, explained ----

out=$(mr --explain run -d --name a -p 8080:80 -p 127.0.0.1:5353:53/udp "$ROOTFS" sleep 300 2>"$T_DIR/a.txt")
check_match "run -d --explain prints only the id on stdout" "$out" '^[0-9a-f]{64}$'
out=$(mr --explain run -d --name b "$ROOTFS" sleep 300 2>"$T_DIR/b.txt")
check_match "... the second one too" "$out" '^[0-9a-f]{64}$'
cat "$T_DIR/a.txt" "$T_DIR/b.txt" >"$T_DIR/explain.txt"
at_cleanup 'mr rm -f a b'

# The first line number of a line matching an ERE (0: none).
line_of() { grep -nE -m1 -- "$2" "$1" | cut -d: -f1 || true; }
# in_order FILE ERE...: every pattern is there, in this order.
in_order() {
	local f=$1 prev=0 n
	shift
	for re in "$@"; do
		n=$(line_of "$f" "$re")
		if [ -z "$n" ] || [ "$n" -le "$prev" ]; then
			echo "not found after line $prev: $re"
			return 1
		fi
		prev=$n
	done
}
check "the container's steps, in order: mounts, hostname, pivot_root, exec" in_order "$T_DIR/a.txt" \
	'^ctr# mount --make-rprivate /$' '^ctr# mount -t overlay .* overlay merged$' \
	'^ctr# mount -t proc .* proc merged/proc$' '^ctr# mount -t sysfs ' '^ctr# mknod -m 666 merged/dev/null c 1 3$' \
	'^ctr# mount --bind hosts merged/etc/hosts$' '^ctr# hostname [0-9a-f]{12}$' '^ctr# cd merged' \
	'^ctr# pivot_root \. \.$' '^ctr# umount -l \.$' '^ctr# mount --rbind /proc/sys /proc/sys$' \
	'^ctr# exec env -i PATH=[^ ]+ HOSTNAME=[0-9a-f]{12} HOME=/root sleep 300$'
check "the host's steps, in order: clone, netns, bridge, veth, container side, tables, elements" \
	in_order "$T_DIR/a.txt" '^host# unshare --pid --mount --uts --ipc --net --fork sh$' \
	'^host# ip netns attach [0-9a-f]{12} [0-9]+$' '^host# ip link add mini0 address ([0-9a-f]{2}:){5}[0-9a-f]{2} mtu [0-9]+ up type bridge$' \
	'^host# ip addr add 10\.99\.0\.1/16 brd 10\.99\.255\.255 dev mini0$' \
	'^host# ip link add mr[0-9a-f]{12} .*master mini0 txqueuelen 0 type veth peer name eth0 netns [0-9a-f]{12} ' \
	'^host# sysctl -w net\.ipv6\.conf\.mr[0-9a-f]{12}\.disable_ipv6=1$' \
	'^host# ip link set mr[0-9a-f]{12} up type bridge_slave hairpin on$' '^host# ip -n [0-9a-f]{12} link set lo up$' \
	'^host# ip -n [0-9a-f]{12} route add default via 10\.99\.0\.1 dev eth0$' \
	"^host# nft -f - <<'EOF'$" '^host# nft add element bridge minirun allowed_src ' \
	"^host# nft create element inet minirun ports_any '\\{ tcp \\. 8080 : 10\\.99\\.0\\.[0-9]+ \\. 80 \\}'$" \
	"^host# nft create element inet minirun ports_ip '\\{ 127\\.0\\.0\\.1 \\. udp \\. 5353 : " \
	'^host# conntrack -D -p udp --orig-port-dst 5353$'
check_match "... Docker's DOCKER-USER gets its rules as iptables commands" "$(grep '^host# iptables' "$T_DIR/a.txt")" \
	'^host# iptables -I DOCKER-USER -o mini0 -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -m comment --comment minirun -j ACCEPT'
check_eq "the second run makes no bridge and no tables: they are there" \
	"$(grep -cE '^host# (nft -f|ip link add mini0|iptables)' "$T_DIR/b.txt")" 0
check_eq "every line is a command (host#, ctr#), a comment, or the nft script" \
	"$(sed "/^host# nft -f - <<'EOF'\$/,/^EOF\$/d" "$T_DIR/explain.txt" | grep -cvE '^(host# |ctr# |# )')" 0
check_eq "the container's own log holds none of it" "$(mr logs a; mr logs b)" ""

# ---- replay the host's commands in a fresh namespace pair ----

# The host's commands as a script: `ip netns attach NAME PID` names a running
# container's namespace; here the replay makes a new one with that name.
make_replay() {
	local line name here=0
	echo "set -e"
	while IFS= read -r line; do
		if [ "$here" = 1 ]; then
			echo "$line"
			[ "$line" = EOF ] && here=0
			continue
		fi
		[[ "$line" == "host# "* ]] || continue
		line=${line#host# }
		case "$line" in
		"unshare "*) continue ;; # the container's shell: not a network step
		"ip netns attach "*)
			read -r _ _ _ name _ <<<"$line"
			echo "ip netns add $name"
			;;
		"ip "* | "bridge "* | "sysctl "* | "iptables "* | "nft "*) echo "$line" ;;
		# conntrack -D exits 1 when it found nothing to forget
		"conntrack -D "*) echo "$line || [ \$? = 1 ]" ;;
		*)
			echo "unknown host command: $line" >&2
			return 1
			;;
		esac
		[[ "$line" == *"<<'EOF'" ]] && here=1
	done
	return 0
}
if make_replay <"$T_DIR/explain.txt" >"$T_DIR/replay.sh" 2>"$T_DIR/replay.err"; then
	ok "every host command is one of ip, bridge, sysctl, nft, iptables, conntrack"
else
	not_ok "every host command is one of ip, bridge, sysctl, nft, iptables, conntrack"
	diag "$(cat "$T_DIR/replay.err")"
fi
mapfile -t REPLAY_NS < <(awk '$1 == "ip" && $2 == "netns" && $3 == "add" {print $4}' "$T_DIR/replay.sh")
check_eq "... with one container namespace per container" "${#REPLAY_NS[@]}" 2
if out=$(in_rhost bash "$T_DIR/replay.sh" 2>&1); then
	ok "the printed commands run without an error"
else
	not_ok "the printed commands run without an error"
	diag "$out"
	diag "$(cat "$T_DIR/replay.sh")"
fi

# What a network namespace holds, normalized (no ifindex, handle or counter;
# MACs where minirun sets them: mini0's, the containers'). $1: host or container side; the
# rest: a command prefix that runs in that namespace.
# ip_view SIDE KEY OBJECT SHAPE SORT CMD...: `ip -d -j OBJECT show` in the
# namespace CMD runs in, the entries whose KEY names mini0 or an mr* link
# (all of them on the container side), each as SHAPE, sorted by SORT.
ip_view() {
	local side=$1 key=$2 object=$3 shape=$4 sort=$5
	shift 5
	"$@" ip -d -j "$object" show | jq -c --arg side "$side" --arg key "$key" "[.[]
		| select(\$side == \"container\" or .[\$key] == \"mini0\" or (.[\$key] | startswith(\"mr\")))
		| $shape] | sort_by($sort)"
}
links_of() {
	ip_view "$1" ifname link '{ifname, kind: .linkinfo.info_kind, master, mtu, txqlen,
		up: ((.flags | index("UP")) != null), hairpin: .linkinfo.info_slave_data.hairpin,
		mac: (if $side == "container" or .ifname == "mini0" then .address else null end)}' \
		.ifname "${@:2}"
}
addrs_of() {
	ip_view "$1" ifname addr \
		'{ifname, a: [.addr_info[] | select(.family == "inet") | {local, prefixlen, broadcast}]}' \
		.ifname "${@:2}"
}
routes_of() {
	ip_view "$1" dev route '{dst, gateway, dev, protocol, scope, prefsrc}' .dst "${@:2}"
}
sysctls_of() {
	"$@" sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/mini0/route_localnet' | tr '\n' ' '
}
host_state() { # prefix...
	links_of host "$@"
	addrs_of host "$@"
	routes_of host "$@"
	sysctls_of "$@"
	echo
	# the rules' bytecode too, not only how nft prints them; set elements
	# come in hash order, so they are compared sorted, apart
	"$@" nft --debug=netlink list table inet minirun | grep -v $'^\telement '
	"$@" nft --debug=netlink list table bridge minirun | grep -v $'^\telement '
	"$@" nft -j list ruleset | jq -c '.nftables[] | (.set // .map // empty)
		| select(.table == "minirun") | {family, name, elem: ((.elem // []) | map(tojson) | sort)}'
	# iptables' own view of its table: iptables 1.8.9 keeps `-m comment` as
	# an xt match where minirun writes nft's rule comment; both read back
	# the same to iptables, and a comment matches nothing.
	"$@" iptables-nft -S
}
ctr_state() { # prefix...
	links_of container "$@"
	addrs_of container "$@"
	routes_of container "$@"
}

# same_hosts WHAT: minirun's host and the replay's hold the same.
same_hosts() {
	host_state in_host >"$T_DIR/host.minirun"
	host_state in_rhost >"$T_DIR/host.replay"
	if diff -u "$T_DIR/host.minirun" "$T_DIR/host.replay" >"$T_DIR/host.diff"; then
		ok "$1"
	else
		not_ok "$1"
		diag "$(cat "$T_DIR/host.diff")"
	fi
}
same_hosts "host: the same links, addresses, routes, sysctls and nftables ruleset"
check_eq "... a ruleset with both tables, both containers' sources, the port and 4 DOCKER-USER rules" \
	"$(grep -c 'table .* minirun' "$T_DIR/host.replay") $(grep -o '"mr[0-9a-f]*" \. 02:42' "$T_DIR/host.replay" | wc -l) \
$(grep -c 'tcp \. 8080 : 10\.99\.0\.' "$T_DIR/host.replay") $(grep -c -- '-A DOCKER-USER .*--comment minirun' "$T_DIR/host.replay")" "2 2 1 4"

check "... compared down to the rules' bytecode (nft --debug=netlink)" \
	grep -q 'payload load 2b @ link header + 12' "$T_DIR/host.minirun"

for name in a b; do
	pid=$(jq -r .pid "$(state_of "$name")")
	ns=$(jq -r .id "$(state_of "$name")" | cut -c1-12)
	if [ "$(ctr_state nsenter -t "$pid" -n)" == "$(ctr_state ip netns exec "$ns")" ]; then
		ok "container $name: the same links (eth0's MAC too), addresses and routes"
	else
		not_ok "container $name: the same links (eth0's MAC too), addresses and routes"
		diff -u <(ctr_state nsenter -t "$pid" -n) <(ctr_state ip netns exec "$ns") | while IFS= read -r l; do diag "$l"; done
	fi
done

# ---- the comparison notices a difference ----

# noticed WHAT SIDE CHANGE UNDO: the replay's state equals minirun's before
# CHANGE (run in the replay's namespace), differs after it, and equals again
# after UNDO.
state_pair() {
	if [ "$1" = host ]; then
		host_state in_host
		echo '==='
		host_state in_rhost
	else
		ctr_state nsenter -t "$2" -n
		echo '==='
		ctr_state ip netns exec "$3"
	fi 2>/dev/null
}
same() { local p; p=$(state_pair "$@"); [ "${p%%$'\n'===$'\n'*}" == "${p#*$'\n'===$'\n'}" ]; }
noticed() {
	local what=$1 change=$2 undo=$3
	shift 3
	if ! same "$@"; then
		not_ok "$what (not equal before)"
	elif ! eval "$change" || same "$@"; then
		not_ok "$what"
	elif ! eval "$undo" || ! same "$@"; then
		not_ok "$what (not equal again after undoing it)"
	else
		ok "$what"
	fi
}
# shellcheck disable=SC2034 # veth and port are used by the eval'd commands
veth=$(awk '/^host# ip link set mr.* hairpin on$/ {print $5; exit}' "$T_DIR/a.txt")
port=$(grep -o "ports_any '{ tcp \. 8080 : [0-9.]* \. 80 }'" "$T_DIR/a.txt" | cut -d"'" -f2)
noticed "a hairpin turned off in the replay is noticed" \
	'in_rhost bridge link set dev "$veth" hairpin off' 'in_rhost bridge link set dev "$veth" hairpin on' host
noticed "a map element missing in the replay is noticed" \
	"in_rhost nft delete element inet minirun ports_any '{ tcp . 8080 }'" \
	"in_rhost nft add element inet minirun ports_any '$port'" host
pid=$(jq -r .pid "$(state_of a)")
ns=$(jq -r .id "$(state_of a)" | cut -c1-12)
noticed "a container's default route missing in the replay is noticed" \
	'ip -n "$ns" route del default' 'ip -n "$ns" route add default via 10.99.0.1 dev eth0' \
	container "$pid" "$ns"

# ---- what is pasted back does what minirun did, with hostile strings ----

# The exec line: the container's environment (-e too), not the typing
# shell's; pasted into a host shell it prints what the container printed.
mkdir -p "$T_DIR/paste" && cd "$T_DIR/paste" || exit 1
hostile='a b;$(touch pwned)`touch pwned`'"'"'"'
out=$(mr --explain run --rm --network none -e "X=$hostile" "$ROOTFS" sh -c 'printf "%s|" "$X" "$HOME" "$HOSTNAME"' 2>"$T_DIR/env.txt")
line=$(grep '^ctr# exec ' "$T_DIR/env.txt")
check_eq "the exec line, pasted, runs with the container's environment: $line" \
	"$(env -i HOME=/nowhere X=host PATH="$PATH" bash -c "${line#ctr# }" 2>&1)" "$out"
check_match "... which is -e's value, kept as given" "$out" "^a b;"
# The overlay's options hold the image's path and twice the state
# directory's: whole, however long, and a path is data when pasted.
img="$T_DIR/img \$(touch pwned);'\`touch pwned\`"
mkdir -p "$img" && cp -a "$ROOTFS/." "$img/"
# and an image without /etc/hosts, its resolv.conf a symlink (as systemd's)
rm -f "$img/etc/hosts" && ln -sf ../run/resolv.conf "$img/etc/resolv.conf"
longroot="$T_DIR/$(printf 'r%.0s' {1..200})/$(printf 's%.0s' {1..200})"
mkdir -p "$longroot"
"$MINIRUN" --root "$longroot" --explain run --rm --network none "$img" true 2>"$T_DIR/long.txt"
line=$(grep '^ctr# mount -t overlay ' "$T_DIR/long.txt")
got=$(mount() { printf '%s\n' "$@"; }; eval "${line#ctr# }")
sd=$(printf '%s\n' "$got" | sed -n 's/^nodev,lowerdir=.*,upperdir=\(.*\)\/upper,workdir=.*/\1/p')
check_eq "the overlay's mount line, pasted: the image's path and the state directory whole" \
	"$got" "$(printf '%s\n' -t overlay -o "nodev,lowerdir=$img,upperdir=$longroot/containers/${sd##*/}/upper,workdir=$longroot/containers/${sd##*/}/work,volatile" overlay merged)"
check_match "... in a state directory of this root" "$sd" "/containers/[0-9a-f]{64}$"
check "... and nothing pasted ran a command" test ! -e pwned
check "the /etc files the bind mounts need: the symlink replaced, the missing file made" \
	in_order "$T_DIR/long.txt" '^ctr# rm merged/etc/resolv\.conf$' '^ctr# touch merged/etc/resolv\.conf$' \
	'^ctr# mount --bind resolv\.conf merged/etc/resolv\.conf$' '^ctr# mount --bind hostname merged/etc/hostname$' \
	'^ctr# touch merged/etc/hosts$' '^ctr# mount --bind hosts merged/etc/hosts$'
check_eq "... and nothing for a file that is there" "$(grep -c 'etc/hostname$' "$T_DIR/long.txt")" 1
cd "$TOP" || exit 1

# ---- teardown, explained and replayed ----

mr --explain rm -f a b >/dev/null 2>"$T_DIR/rm.txt"
net_clean "both containers' links, elements and leases are gone"
# Linux 6.12 and later: retired by an update that makes them expire now;
# before: deleted by key.
if kernel_at_least 6 12; then
	src_re="^host# nft add element bridge minirun allowed_src '\\{ \"mr[0-9a-f]{12}\" \. ([0-9a-f]{2}:){5}[0-9a-f]{2} \. 10\.99\.0\.[0-9]+ timeout 1s expires 1ms \\}'$"
	ports_re="^host# nft add element inet minirun (ports_any '\\{ tcp \. 8080 timeout 1s expires 1ms : 10\.99\.0\.[0-9]+ \. 80 \\}'|ports_ip '\\{ 127\.0\.0\.1 \. udp \. 5353 timeout 1s expires 1ms : 10\.99\.0\.[0-9]+ \. 53 \\}')$"
else
	src_re="^host# nft delete element bridge minirun allowed_src '\\{ \"mr[0-9a-f]{12}\" \. ([0-9a-f]{2}:){5}[0-9a-f]{2} \. 10\.99\.0\.[0-9]+ \\}'$"
	ports_re="^host# nft delete element inet minirun (ports_any '\\{ tcp \. 8080 \\}'|ports_ip '\\{ 127\.0\.0\.1 \. udp \. 5353 \\}')$"
fi
check_eq "rm explains forgetting the UDP port's conntrack entries, once" \
	"$(grep -c '^host# conntrack -D -p udp --orig-port-dst 5353$' "$T_DIR/rm.txt")" 1
check_eq "rm explains each container's elements going, its lease and its namespace's name" \
	"$(grep -cE "$src_re" "$T_DIR/rm.txt") $(grep -cE "$ports_re" "$T_DIR/rm.txt") \
$(grep -cE '^host# ip netns delete [0-9a-f]{12}$' "$T_DIR/rm.txt")" "2 2 2"
if make_replay <"$T_DIR/rm.txt" >"$T_DIR/replay-rm.sh" 2>"$T_DIR/replay.err" &&
	out=$(in_rhost bash "$T_DIR/replay-rm.sh" 2>&1); then
	ok "the printed teardown commands run without an error"
else
	not_ok "the printed teardown commands run without an error"
	diag "$(cat "$T_DIR/replay.err")$out"
fi
# The veths go with their namespaces, moments after (on both sides).
wait_for 5 no_mr_link
wait_for 5 sh -c "! ip netns exec '$RHOST' ip -o link show | grep -qE '^[0-9]+: mr'"
same_hosts "after teardown: the same links, addresses, routes and ruleset (no element left)"

# ---- then nothing without --explain ----

err=$(mr run --rm "$ROOTFS" true 2>&1 >/dev/null)
check_eq "without --explain nothing is printed (foreground)" "$err" ""
out=$(mr run -d --name c "$ROOTFS" sleep 300 2>"$T_DIR/c.err")
check_eq "... nor with -d" "$(cat "$T_DIR/c.err")" ""
mr rm -f c >/dev/null
assert_clean
