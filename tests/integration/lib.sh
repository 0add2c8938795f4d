# lib.sh - helpers for integration tests (sourced). Every test works on what it
# made: its own --root, and, for network tests, a throwaway "host" network
# namespace with an "upstream" (203.0.113.0/24, the way out) and a "LAN
# neighbour" (198.51.100.0/24). Traffic goes only to loopback and to those.
set -u
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MINIRUN="$TOP/minirun"
ROOTFS=${MINIRUN_TEST_ROOTFS:-$TOP/build/rootfs-busybox}
T_N=0
T_FAILED=0
T_DIR=$(mktemp -d /tmp/minirun-t.XXXXXX)
ROOT="$T_DIR/root"
HOSTNS="" UPNS="" LANNS=""
T_CLEANUPS=()
T_NETLOCK=9 # replaced by net_setup; minirun must not inherit the lock's fd

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"; }
diag() { echo "$*" | sed 's/^/# /'; }

# check "what" cmd...: passes when cmd exits 0.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what"; diag "$out"; fi
}
# check_eq "what" got want
check_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else not_ok "$1"; diag "got:  [$2]"; diag "want: [$3]"; fi
}
# check_match "what" got regex
check_match() {
	if [[ "$2" =~ $3 ]]; then ok "$1"; else not_ok "$1"; diag "got:  [$2]"; diag "want: /$3/"; fi
}

at_cleanup() { T_CLEANUPS+=("$*"); }

# mr ARGS...: minirun with this test's root (inside the host netns if there is one).
mr() {
	if [ -n "$HOSTNS" ]; then
		ip netns exec "$HOSTNS" "$MINIRUN" --root "$ROOT" "$@" {T_NETLOCK}>&-
	else
		"$MINIRUN" --root "$ROOT" "$@"
	fi
}
# mr_bg ARGS...: minirun in the background; its pid (minirun's own, so that
# signals reach it, not a subshell) is left in BGPID.
mr_bg() {
	if [ -n "$HOSTNS" ]; then
		ip netns exec "$HOSTNS" "$MINIRUN" --root "$ROOT" "$@" {T_NETLOCK}>&- &
	else
		"$MINIRUN" --root "$ROOT" "$@" &
	fi
	BGPID=$!
}
in_host() { ip netns exec "$HOSTNS" "$@"; }
in_up() { ip netns exec "$UPNS" "$@"; }
in_lan() { ip netns exec "$LANNS" "$@"; }

# Nothing of this test may remain: no container state, lease, mount, process.
assert_clean() {
	local what=${1:-nothing is left behind} left=""
	[ -d "$ROOT/containers" ] && [ -n "$(ls -A "$ROOT/containers")" ] && left+="state dirs: $(ls "$ROOT/containers"); "
	[ -d "$ROOT/names" ] && [ -n "$(ls -A "$ROOT/names")" ] && left+="names: $(ls "$ROOT/names"); "
	[ -n "$(ls -A "$ROOT/ipam/leases" 2>/dev/null)" ] && left+="leases: $(ls "$ROOT/ipam/leases"); "
	[ -n "$(ls -A "$ROOT/ipam/ports" 2>/dev/null)" ] && left+="port claims: $(ls "$ROOT/ipam/ports"); "
	grep -q "$T_DIR" /proc/self/mountinfo && left+="mounts under $T_DIR; "
	pgrep -f "minirun --root $ROOT " >/dev/null && left+="minirun processes; "
	if [ -n "$HOSTNS" ]; then
		# A released veth is off mini0 and down at once; the kernel
		# deletes it with its container's namespace moments later.
		local links
		links=$(in_host ip -o link show | grep -E '^[0-9]+: mr' | grep -E ' master |[<,]UP[,>]' | awk -F': ' '{print $2}' | tr '\n' ' ')
		[ -n "$links" ] && left+="links in service: $links; "
		wait_for 30 no_mr_link || left+="links: $(in_host ip -o link show | awk -F': ' '{print $2}' | grep -E '^mr' | tr '\n' ' '); "
		local elems
		tick
		elems=$(in_host nft -j list table inet minirun 2>/dev/null | jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add // 0')
		[ "${elems:-0}" != 0 ] && left+="map elements: $elems; "
		elems=$(in_host nft -j list table bridge minirun 2>/dev/null | jq '[.nftables[] | select(.set) | .set.elem // [] | length] | add // 0')
		[ "${elems:-0}" != 0 ] && left+="source-set elements: $elems; "
	fi
	if [ -z "$left" ]; then ok "$what"; else not_ok "$what"; diag "$left"; fi
}

# Throwaway host netns with an upstream and a LAN neighbour.
#   host  up0 203.0.113.2/24  <->  upstream eth0 203.0.113.1/24  (default route of host)
#   host lan0 198.51.100.1/24 <->  lan      eth0 198.51.100.2/24 (default via host)
net_setup() {
	local s=$$
	# One network test at a time on a machine: wait for the others.
	exec {T_NETLOCK}>/tmp/minirun-nettest.lock
	flock "$T_NETLOCK"
	HOSTNS="mrt-host-$s" UPNS="mrt-up-$s" LANNS="mrt-lan-$s"
	ip netns add "$HOSTNS" && ip netns add "$UPNS" && ip netns add "$LANNS" || return 1
	ip -n "$HOSTNS" link set lo up
	ip -n "$UPNS" link set lo up
	ip -n "$LANNS" link set lo up
	ip -n "$HOSTNS" link add up0 type veth peer name eth0 netns "$UPNS"
	ip -n "$HOSTNS" link add lan0 type veth peer name eth0 netns "$LANNS"
	ip -n "$HOSTNS" addr add 203.0.113.2/24 dev up0
	ip -n "$HOSTNS" addr add 198.51.100.1/24 dev lan0
	ip -n "$UPNS" addr add 203.0.113.1/24 dev eth0
	ip -n "$LANNS" addr add 198.51.100.2/24 dev eth0
	ip -n "$HOSTNS" link set up0 up
	ip -n "$HOSTNS" link set lan0 up
	ip -n "$UPNS" link set eth0 up
	ip -n "$LANNS" link set eth0 up
	ip -n "$HOSTNS" route add default via 203.0.113.1
	ip -n "$LANNS" route add default via 198.51.100.1
}

net_teardown() {
	local ns
	for ns in $HOSTNS $UPNS $LANNS; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
}

# no_mr_link: no link of a container (mr*) in the host namespace.
no_mr_link() { ! in_host ip -o link show | grep -qE '^[0-9]+: mr'; }

# guard_start SECONDS PID...: SIGKILL the PIDs after SECONDS unless
# guard_stop comes first, so that a lost signal fails a check instead of
# hanging the suite. The guard is one process of builtins only (it waits in
# `read -t` on a FIFO nobody writes): killed at any moment, it leaves
# nothing behind.
guard_start() {
	local secs=$1
	shift
	[ -p "$T_DIR/guard" ] || mkfifo "$T_DIR/guard"
	(
		trap - EXIT INT TERM # ending, it must not run the test's t_finish
		read -r -t "$secs" <>"$T_DIR/guard"
		kill -KILL "$@"
	) 2>/dev/null &
	GUARD=$!
}
guard_stop() {
	# SIGKILL: just forked, the guard would still run the test's own TERM
	# and EXIT traps (t_finish), which remove T_DIR
	kill -KILL "$GUARD" 2>/dev/null
	wait "$GUARD" 2>/dev/null
}

# A release retires its nft elements (docs/networking.md, section 6): they
# are there until the kernel's next tick, at most 10 ms (HZ=100) after it. A
# count taken right after a release waits that out.
tick() { sleep 0.02; }

# container_pid PID CMD: minirun PID's container process once it runs CMD
# exactly (before its exec, the child has minirun's command line, which ends
# in CMD's words too).
container_pid() { pgrep -P "$1" -xf "$2"; }

# wait_for SECONDS cmd...: poll until cmd succeeds (bounded).
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 20; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	return 1
}

# mermaid_ready: mermaid's own parser is in build/mermaid (make
# mermaid-parser installs it); if it cannot be, MERMAID_WHY says why, in one line.
# A failure of the last 30 minutes (make check's own try) is not tried again.
mermaid_ready() {
	local out dir=${MERMAID_DIR:-$TOP/build/mermaid}
	if [ -n "$(find "$dir/.failed" -mmin -30 2>/dev/null)" ]; then
		MERMAID_WHY="$(head -n1 "$dir/.failed") (make mermaid-parser tries again)"
		return 1
	fi
	out=$(make -s -C "$TOP" MERMAID_DIR="$dir" mermaid-parser 2>&1 >/dev/null) && return 0
	MERMAID_WHY=$(printf '%s\n' "$out" | grep -m1 '^make mermaid-parser:' || printf '%s\n' "$out" | tail -n1)
	return 1
}

t_finish() {
	local c
	for ((c = ${#T_CLEANUPS[@]} - 1; c >= 0; c--)); do eval "${T_CLEANUPS[$c]}" >/dev/null 2>&1; done
	pkill -9 -f "minirun --root $ROOT " 2>/dev/null
	[ -n "$HOSTNS" ] && net_teardown
	grep "$T_DIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	rm -rf "$T_DIR"
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
trap 't_finish; exit $?' EXIT
trap 'exit 130' INT TERM
