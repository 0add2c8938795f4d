#!/bin/bash
# bench/run.sh - `make bench`: medians of `minirun run --rm ROOTFS /bin/true`
# in each network mode against the kernel's floor (`unshare` with the same
# namespaces), in a throwaway network namespace so the host is left as it
# was. Prints a table and writes it into docs/performance.md.
# (Docker and Podman columns, the start-to-exec split and the 500-container
# scale runs are issue 6's, not done yet.)
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_RUNS:-31}
ROOTFS=${ROOTFS:-rootfs/busybox}
NS="mrbench-$$"
ROOT=$(mktemp -d /tmp/minirun-bench.XXXXXX)
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$ROOT"' EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up

# median_ms CMD...: run CMD N times inside the namespace, print the median in ms.
median_ms() {
	ip netns exec "$NS" bash -c '
		n=$1; shift
		for ((i = 0; i < n; i++)); do
			s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N)
			echo $(((e - s) / 1000))
		done' _ "$N" "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

MR="./minirun --root $ROOT run --rm"
floor=$(median_ms unshare --net --pid --mount --uts --ipc --fork true)
none=$(median_ms $MR --network none "$ROOTFS" /bin/true)
host=$(median_ms $MR --network host "$ROOTFS" /bin/true)
bridge=$(median_ms $MR "$ROOTFS" /bin/true)
publish=$(median_ms $MR -p 18080:80 "$ROOTFS" /bin/true)
ratio() { awk -v a="$1" -v b="$floor" 'BEGIN {printf "%.1fx", a / b}'; }

table=$(cat <<TABLE
| command (median of $N, ms) | time | vs floor |
| --- | ---: | ---: |
| \`unshare --net --pid --mount --uts --ipc --fork true\` (floor) | $floor | 1.0x |
| \`minirun run --rm --network none ROOTFS /bin/true\` | $none | $(ratio "$none") |
| \`minirun run --rm --network host ROOTFS /bin/true\` | $host | $(ratio "$host") |
| \`minirun run --rm ROOTFS /bin/true\` (bridge) | $bridge | $(ratio "$bridge") |
| \`minirun run --rm -p 18080:80 ROOTFS /bin/true\` | $publish | $(ratio "$publish") |
TABLE
)
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(date -u +%Y-%m-%d)"
echo "$table"
echo
echo "machine: $machine"
{
	cat <<'HEAD'
# Performance

Measured by `make bench` (bench/run.sh): each command run in a throwaway
network namespace, the median of repeated runs, teardown included. The floor
is `unshare` creating the same five namespaces and running `true`.

HEAD
	echo "$table"
	echo
	echo "Machine: $machine."
	cat <<'TAIL'

Where the time goes, roughly: none mode is the floor plus the overlay and
/dev mounts, the state.json writes and the parent-child sync round trip. Bridge
mode adds the veth pair (one netlink request), the container side's address
and route, and the network namespace's teardown in the kernel. A published
port adds two nftables transactions: adding the map element (about 4 ms) and
deleting it at exit, which waits for an RCU grace period (12-20 ms, see
../shared/FIELD-NOTES.md). Docker and Podman columns, the start-to-exec split
and the scale runs of issue 6 are not measured yet.
TAIL
} >docs/performance.md
