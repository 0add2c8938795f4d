#!/bin/bash
# bench/scale.sh - `make bench-scale`: N detached containers (default 500) on
# one bridge, each publishing its own port, in a throwaway network namespace.
# Reports: time to start the first and the last, nftables rules at 1 and at N
# (elements grow, rules must not), a published port's answer time at 1 and
# at N, the memory of minirun's processes per container (Pss of the
# monitors and of --init's PID 1), their CPU while idle, and the time to
# remove them all.
set -eu
cd "$(dirname "$0")/.."
N=${SCALE_N:-500}
ROOTFS=${ROOTFS:-rootfs/busybox}
NS="mrscale-$$"
ROOT=$(mktemp -d /run/minirun-scale.XXXXXX)
MR="./minirun --root $ROOT"
trap 'ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null; sleep 0.5; ip netns del "$NS" 2>/dev/null; umount "$ROOT" 2>/dev/null; rm -rf "$ROOT"' EXIT
# The state root on a tmpfs, as /run is on Debian (this machine's /run is
# ext4; SCALE_TMPFS=0 keeps it there).
[ "${SCALE_TMPFS:-1}" = 0 ] || mount -t tmpfs -o mode=0700 minirun-scale "$ROOT"
ip netns add "$NS"
ip -n "$NS" link set lo up
in_ns() { ip netns exec "$NS" "$@"; }
rules() { in_ns nft -a list ruleset | grep -c '# handle' || true; }
# The timers are bulk's (bench/bulk.c), inside the namespace: neither date's
# fork and exec nor `ip netns exec` (2-6 ms of its own) is in a sample.
BULK=$PWD/build/bench/bulk
answer_ms() { # median of 21 fetches of port $1 from 127.0.0.1, connect to close, in ms
	in_ns "$BULK" get 127.0.0.1 "$1" 21 | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.3f", a[int((NR+1)/2)]/1000; else printf "-"}'
}

# A failed start or removal gives no sample: the bench stops, saying which,
# rather than take a median over what is left.
start_one() { # start container i publishing 20000+i; prints its start time in ms (3 decimals)
	local us
	us=$(in_ns "$BULK" time 1 $MR run -d --init --name "s$1" -p "$((20000 + $1)):80" "$ROOTFS" \
		httpd -f -p 80 -h /var/www) && [ -n "$us" ] || { echo "bench-scale: start $1 failed" >&2; return 1; }
	awk -v us="$us" 'BEGIN {printf "%.3f\n", us / 1000}'
}

times=()
for i in $(seq 1 10); do
	t=$(start_one "$i") || exit 1
	times+=("$t")
done
first=${times[0]}
median_early=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
for _ in $(seq 50); do in_ns curl -s -o /dev/null --max-time 1 http://127.0.0.1:20001/ && break; sleep 0.1; done
rules1=$(rules)
answer1=$(answer_ms 20001)
times=()
for i in $(seq 11 "$N"); do
	t=$(start_one "$i") || exit 1
	times+=("$t")
done
last=${times[-1]}
median_late=$(printf '%s\n' "${times[@]}" | tail -10 | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rulesN=$(rules)
for _ in $(seq 50); do in_ns curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$((20000 + N))/" && break; sleep 0.1; done
answerN=$(answer_ms $((20000 + N)))
answer1b=$(answer_ms 20001)
elems=$(in_ns nft -j list map inet minirun ports_any | jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add')
# minirun's processes of each container: its monitor (the owner) and, with
# --init, the container's PID 1 (minirun's reaper, forked, not an exec).
mr_procs() { for f in "$ROOT"/containers/*/state.json; do jq -r '.owner, .pid' "$f"; done; }
ticks() { local t=0 q; for q in $1; do t=$((t + $(awk '{print $14 + $15}' "/proc/$q/stat"))); done; echo $t; }
procs=$(mr_procs)
pss=0
for q in $procs; do
	pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$q/smaps_rollup" 2>/dev/null || echo 0)))
done
n_mon=$(ls "$ROOT"/containers | wc -l)
cpu0=$(ticks "$procs")
sleep 5
cpu1=$(ticks "$procs")
ids=$(ls "$ROOT/containers")
# shellcheck disable=SC2086
us=$(in_ns "$BULK" time 1 $MR rm -f $ids) && [ -n "$us" ] || { echo "bench-scale: rm -f failed" >&2; exit 1; }
remove=$(awk -v us="$us" 'BEGIN {printf "%d", us / 1000}')
left=$(($(ls "$ROOT/containers" | wc -l) + $(in_ns ip -o link | grep -c ': mr' || true)))

table=$(cat <<TABLE
| $N containers, one published port each | result | target |
| --- | ---: | --- |
| start of the 1st (\`run -d -p\`, ms); median of the first 10 | $first; $median_early | |
| start of the ${N}th (ms); median of the last 10 | $last; $median_late ($(awk -v a="$median_late" -v b="$median_early" 'BEGIN {printf "%.2fx", a / b}') the first 10's) | at most 1.1x the 1st |
| nftables rules with 1 container / with $N | $rules1 / $rulesN | the same |
| port-map elements with $N | $elems | $N |
| a published port's answer from 127.0.0.1 at 1 / at $N (ms, median of 21, connect to close) | $answer1 / $answerN (the 1st again: $answer1b) | as fast |
| Pss of minirun's processes (KiB per container: its monitor and \`--init\`'s PID 1) | $((pss / (n_mon > 0 ? n_mon : 1))) | at most 1024 |
| CPU ticks of all of them in 5 s of idling | $((cpu1 - cpu0)) | 0 |
| \`rm -f\` of all $N at once (ms) | $remove | at most 2000 |
| links or state left after | $left | 0 |
TABLE
)
echo "$table"
{
	echo
	echo "## Scale ($(date -u +%Y-%m-%d), \`make bench-scale\`, $(nproc) cores)"
	echo
	echo "$table"
	cat <<'PROSE'

The state root is a tmpfs here (SCALE_TMPFS=0 keeps it on this machine's
ext4 /run). What was done for the two targets that were missed by far
(start of the 500th: 2-3x the 1st; `rm -f` of 500: 15 s):
- `rm -f` of many kills every detached container together with its monitor
  (a `run` in a terminal is left to tear its own container down), waits for
  them all at once, then releases all their networks in one go: one IPAM
  lock, one nftables transaction for all their elements (one RCU wait in
  the kernel instead of one per container), one conntrack dump for all
  their UDP ports (a dump walks every bucket of the kernel's conntrack
  table: 2-10 ms each, by machine), then the state directories. `gc` releases dead containers the same way
  (tests/integration/t-rm-many.sh).
- A start used to read every lease's owner from /proc to find dead ones
  (6 ms at 500), read the lease file twice (2 ms each at 500) and write it
  indented. Now a start looks at 8 leases in turn (a lease in its way at
  once), checks that the nftables tables exist without reading the leases,
  and writes the file compact.
- The leases were one file (ipam.json), parsed and written whole on every
  start (jansson: 0.1 ms at 10 containers, 2.4 ms at 500). Now each lease
  is a file of its own (ROOT/ipam/leases/ADDR) and each published host port
  a claim (ROOT/ipam/ports/PROTO-PORT/HOSTIP): a start finds a free address
  and port by looking for their files, writes its own, and its turn of
  reclaim looks at the next addresses rather than listing all leases.
- The kernel's part that grew with the bridge and could be avoided: the
  veth's host end is echoed back by the request that makes it (no look-up
  by name, which ran the bridge's pending link events, a walk of every
  port), has IPv6 turned off while it is still down (no link-local address
  or routes per veth for the IPv6 routing table walk on each link change,
  fib6_clean_all), and mini0's addresses are asked for alone (strict
  checking), not every link's.
How a start is timed. Until 2026-11-23 each start was timed in the
shell with `$(date +%s%N)` around `ip netns exec ... minirun run -d`: both
date's fork and exec and `ip netns exec` (about 6 ms, the same at 1 and at
500) were in every sample, and diluted the ratio (it read 1.4-1.6x). Now
`bulk time` (bench/bulk.c) runs inside the namespace and times minirun
alone, from its fork to its reaping.

Where the growth is (on 2026-11-23's machine; bpftrace, the time inside
each system call of the starting minirun and its child, summed over 30
starts at 10-40 and at 400-430 containers, per start; the start grew from
about 5.5 to about 7.4 ms there):
- veth creation with its bridge port, one RTM_NEWLINK: +0.72 ms; setting
  the port up: +0.25 ms. In the kernel (perf): br_add_if (the bridge's
  list of lower devices, its features, port count and promiscuity walks,
  the static FDB entries synced to the new port) and, when the port comes
  up, br_port_state_selection with the per-port multicast work, each a
  walk over every port of mini0. The price of one bridge for all
  containers; Docker's docker0 pays the same.
- pivot_root: +0.66 ms. The kernel's chroot_fs_refs visits every thread
  on the machine to move those whose root or working directory was the
  old root: with `--init`, three tasks per container (its monitor, the
  init, httpd), 1,200 more at 400. runc's pivot_root pays it too, with
  more tasks per container (a shim, its threads). chroot alone would
  avoid it but is not a safe replacement: a process with CAP_SYS_CHROOT
  can leave a chroot for the mount namespace's real root.
- mounts: +0.14 ms (the proc and sysfs superblocks of a new namespace are
  looked up in lists that hold every container's).
- the waits for the child (its pivot_root and mounts) make up the rest.
What minirun does itself stays flat: a start reads and writes only its own
lease, port claim and state, and one nftables transaction adds its
elements. What grows is the kernel's walks of the bridge's ports and of
every task, 1-2 ms per start at 400-500 containers; whether that stays
within 1.1x depends on how long the rest of a start takes on the machine.
On 2026-11-23's machine (the floor 2.4-3 ms, a start about 5.5 ms) the last
10 starts took about 1.35x the first 10's: missed. On 2026-12-07's, a
slower one (the floor 7.6-9.4 ms, a start 13.5-21 ms), six runs of this
script read 0.92x-1.08x (0.98, 1.07, 1.08, 0.92, 0.95, 0.96): met, with
the same walks, and thin margins. Cutting them
would mean a bridge per group of containers or no pivot_root, which the
design rules out.
PROSE
} >>docs/performance.md
