#!/bin/bash
# bench/run.sh - `make bench`: medians of `minirun run --rm ROOTFS /bin/true`
# in each network mode against the kernel's floor (`unshare` with the same
# namespaces), and of `docker run --rm` of the same rootfs in the same modes
# when Docker is installed, all in a throwaway network namespace so the host
# is left as it was. Then the split of one minirun run (invocation -> the
# container's exec -> its exit -> minirun's exit) from the scheduler's
# tracepoints (bpftrace; strace timestamps where bpftrace cannot run), and
# where a -p run's time goes by system call (bpftrace).
# Prints a table and writes it into docs/performance.md.
#
# Docker: a private dockerd is started inside the throwaway namespace by
# tests/integration/docker-lib.sh (as the tests do) with its own data/exec
# roots, pidfile and socket under a temporary directory, a fake modprobe
# (nothing is loaded into the kernel), and a cgroup parent of its own;
# everything it made, including the few paths it insists on creating under
# /etc and /run, is removed at exit, also on failure. Podman is measured only if installed.
# Then the time from invocation to the container's exec (bench/bulk.c's
# `bulk now` as the command), the data path of a published port
# (bench/throughput.sh) and issue 6's targets against this run.
#
# Environment: ROOTFS (default rootfs/busybox), BENCH_RUNS (31),
# BENCH_DOCKER_RUNS (= BENCH_RUNS), BENCH_DOCKER=0 to skip Docker,
# BENCH_SPLIT=0 to skip the split and the system-call table, BENCH_SPLIT_RUNS (11),
# BENCH_TP_RUNS (9) and BENCH_TP_SECONDS (2) for the data path, BENCH_TMPFS=0
# to keep minirun's state root on disk. The 500-container runs are
# bench/scale.sh (make bench-scale).
# ($MR and $PR are split into words on purpose.)
# shellcheck disable=SC2086,SC2016,SC1091
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_RUNS:-31}
DN=${BENCH_DOCKER_RUNS:-$N}
SN=${BENCH_SPLIT_RUNS:-11}
ROOTFS=${ROOTFS:-rootfs/busybox}
NS="mrbench-$$"
CG="minirun-bench-$$"
ROOT=$(mktemp -d /tmp/minirun-bench.XXXXXX)
D=$ROOT/docker
. bench/throughput.sh
. tests/integration/docker-lib.sh

cleanup() {
	set +e
	dockerd_cleanup
	# anything else still in the throwaway namespace: ours.
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	sleep 0.1
	tp_teardown
	ip netns del "$NS" 2>/dev/null
	[ -z "${MRROOT:-}" ] || umount "$MRROOT" 2>/dev/null
	[ -z "${TRACEFS_MOUNTED:-}" ] || umount /sys/kernel/tracing
	if grep -q " $ROOT" /proc/self/mountinfo; then
		echo "bench: mounts remain under $ROOT; not removing it" >&2
	else
		rm -rf "$ROOT"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Other network tests running at the same time would skew the numbers.
exec {LOCK}>/tmp/minirun-nettest.lock
# A dockerd of the tests' (t-bridge-docker.sh) would also share the paths
# under /etc/docker and /run: without the lock, Docker is not measured.
LOCKED=1
if ! flock -w 180 "$LOCK"; then
	echo "bench: other network tests are still running after 3 min; measuring minirun anyway, not Docker" >&2
	LOCKED=0
fi
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

ip netns add "$NS"
ip -n "$NS" link set lo up
tp_setup

# The timers are bulk's (bench/bulk.c), in C, inside the namespace: a shell's
# `$(date +%s%N)` around a command would put date's own fork and exec (1-3
# ms) into every sample, and `ip netns exec` per run its own 2-6 ms.
# sample FILE RUNS CMD...: append RUNS wall times of CMD (us) to FILE.
sample() {
	local f=$1 n=$2
	shift 2
	ip netns exec "$NS" "$PWD/$BULK" time "$n" "$@" {LOCK}>&- >>"$f" 2>"$f.err" ||
		sed "s|^|bench: ${f##*/}: |" "$f.err" | sort -u >&2
}
# xsample FILE RUNS CMD...: the same, to the exec of CMD's final program,
# which must be `bulk now` (it prints the monotonic clock).
xsample() {
	local f=$1 n=$2
	shift 2
	ip netns exec "$NS" "$PWD/$BULK" exec "$n" "$@" {LOCK}>&- >>"$f" 2>"$f.err" ||
		sed "s|^|bench: ${f##*/}: |" "$f.err" | sort -u >&2
}
median_of() { # FILE of us -> median in ms
	sort -n "$1" 2>/dev/null | awk '{a[NR]=$1} END {if (NR) printf "%.1f", a[int((NR+1)/2)]/1000; else printf "-"}'
}
# median_ms RUNS CMD...: RUNS runs of CMD in one go, the median in ms.
median_ms() {
	local f
	f=$(mktemp "$ROOT/s.XXXXXX")
	sample "$f" "$@"
	median_of "$f"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.1fx", a / b; else printf "-"}'; }
isnum() { [[ $1 =~ ^[0-9.]+$ ]]; }

echo "bench: minirun ($N runs per mode)" >&2
# minirun's state root: a tmpfs, as /run is on Debian (this machine's /run
# is ext4, where every state file costs an inode allocation: the row "none,
# state root on ext4" shows what that adds). BENCH_TMPFS=0: on disk.
MRROOT=$ROOT/state
DISKROOT=$ROOT/state-disk
mkdir -p "$MRROOT" "$DISKROOT"
chmod 700 "$MRROOT" "$DISKROOT"
[ "${BENCH_TMPFS:-1}" = 0 ] || mount -t tmpfs -o mode=0700 minirun-bench "$MRROOT"
MR="./minirun --root $MRROOT run --rm"
# The modes take turns, ROUNDS rounds of N/ROUNDS runs each, so that a
# change in the machine's load falls on all of them alike.
R=${BENCH_ROUNDS:-5}
per=$(((N + R - 1) / R))
S=$ROOT/samples
mkdir -p "$S"
echo "bench: $R rounds of $per runs per mode, modes taking turns" >&2
for ((round = 0; round < R; round++)); do
	sample "$S/floor" "$per" unshare --net --pid --mount --uts --ipc --fork true
	sample "$S/none" "$per" $MR --network none "$ROOTFS" /bin/true
	sample "$S/none_disk" "$per" ./minirun --root "$DISKROOT" run --rm --network none "$ROOTFS" /bin/true
	sample "$S/host" "$per" $MR --network host "$ROOTFS" /bin/true
	sample "$S/bridge" "$per" $MR "$ROOTFS" /bin/true
	sample "$S/publish" "$per" $MR -p 18080:80 "$ROOTFS" /bin/true
	xsample "$S/xfloor" "$per" unshare --net --pid --mount --uts --ipc --fork "$PWD/$BULK" now
	xsample "$S/xnone" "$per" $MR --network none "$TP_ROOTFS" /bin/bulk now
	xsample "$S/xpublish" "$per" $MR -p 18080:80 "$TP_ROOTFS" /bin/bulk now
done
for m in floor none none_disk host bridge publish xfloor xnone xpublish; do
	printf -v "$m" '%s' "$(median_of "$S/$m")"
done
N=$(wc -l <"$S/none")
echo "bench: minirun's data path ($TP_RUNS x ${TP_SECONDS} s per path)" >&2
tp_mr=$(tp_minirun) || tp_mr="- - - -"

# ---- Docker, in the same namespace ----
docker_bench() {
	if [ "${BENCH_DOCKER:-1}" = 0 ]; then
		DK_NOTE="not measured (BENCH_DOCKER=0)"
		return 1
	fi
	if [ "$LOCKED" = 0 ]; then
		DK_NOTE="not measured (other network tests were running)"
		return 1
	fi
	if ! dockerd_start "$D" "$NS" "$CG" --iptables=true --userland-proxy=false {LOCK}>&-; then
		DK_NOTE="not available ($DOCKERD_WHY)"
		return 1
	fi
	if ! dockerd_import "$TP_ROOTFS" bb:bench -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' 2>"$D/err" ||
		! dk run --rm bb:bench /bin/true >/dev/null 2>>"$D/err"; then
		DK_NOTE="not available (import or first run failed: $(tail -1 "$D/err" | cut -c1-160))"
		return 1
	fi
	DK_VERSION=$(dk version -f '{{.Server.Version}}' 2>/dev/null || echo '?')
	echo "bench: Docker $DK_VERSION ($DN runs per mode)" >&2
	local DK="$DOCKER_CLIENT -H unix://$D/sock"
	dnone=$(median_ms "$DN" $DK run --rm --network none bb:bench /bin/true)
	dhost=$(median_ms "$DN" $DK run --rm --network host bb:bench /bin/true)
	dbridge=$(median_ms "$DN" $DK run --rm bb:bench /bin/true)
	dpublish=$(median_ms "$DN" $DK run --rm -p 18081:80 bb:bench /bin/true)
	# Every run must have worked: a failing `docker run` would time nothing.
	if ! dk run --rm --network none bb:bench /bin/true >/dev/null 2>&1 ||
		! dk run --rm -p 18081:80 bb:bench /bin/true >/dev/null 2>&1; then
		DK_NOTE="not available (docker run fails)"
		return 1
	fi
	echo "bench: Docker's data path" >&2
	tp_dk=$(tp_docker) || tp_dk="- - - -"
	return 0
}
DK_NOTE="" DK_VERSION="" tp_dk="- - - -"
dnone="" dhost="" dbridge="" dpublish=""
docker_bench || { dnone=$DK_NOTE dhost=$DK_NOTE dbridge=$DK_NOTE dpublish=$DK_NOTE; }
dockerd_cleanup || true

# ---- Podman, only if installed ----
pnone="not installed" ppublish="not installed"
if command -v podman >/dev/null; then
	PR="podman --root $ROOT/podman/root --runroot $ROOT/podman/run"
	if tar -C "$ROOTFS" -c . | $PR import - bb:bench >/dev/null 2>&1; then
		pnone=$(median_ms "$DN" $PR run --rm --network none bb:bench /bin/true)
		ppublish=$(median_ms "$DN" $PR run --rm -p 18082:80 bb:bench /bin/true)
	else
		pnone="import failed" ppublish="import failed"
	fi
fi

# ---- the split of one run ----
# From the scheduler's exec and exit tracepoints with bpftrace (bench/split.bt,
# no stop in minirun), else from strace --seccomp-bpf, which stops the
# processes at execve and exit_group and slows forks and execs (upper bounds).
# Fields: to the container's exec, in the container, after its exit, total.
# traced_runs SCRIPT OUT ARGS...: SN runs of `minirun run --rm ARGS ROOTFS
# /bin/true` while bpftrace runs SCRIPT; its output in OUT.
traced_runs() {
	local script=$1 out=$2 i bp
	shift 2
	bpftrace "$script" {LOCK}>&- >"$out" 2>/dev/null &
	bp=$!
	for ((i = 0; i < 100; i++)); do grep -q Attaching "$out" && break; sleep 0.1; done
	sleep 0.5
	ip netns exec "$NS" "$PWD/$BULK" time "$SN" $MR "$@" "$ROOTFS" /bin/true {LOCK}>&- >/dev/null 2>"$out.err" ||
		sed "s|^|bench: ${script##*/}: |" "$out.err" | sort -u >&2
	kill -INT "$bp"
	wait "$bp" || true
}
# bpftrace finds the tracepoints in tracefs; a machine that has it unmounted
# gets it mounted for the bench, and unmounted again (cleanup).
SPLIT_TOOL=strace
TRACEFS_MOUNTED=""
if command -v bpftrace >/dev/null; then
	SPLIT_TOOL=bpftrace
	if [ ! -e /sys/kernel/tracing/events/sched ] && mount -t tracefs tracefs /sys/kernel/tracing; then
		TRACEFS_MOUNTED=1
	fi
	[ -e /sys/kernel/tracing/events/sched ] || SPLIT_TOOL=strace
fi
split_run() {
	local i f=$ROOT/strace.out bp
	if [ "$SPLIT_TOOL" = bpftrace ]; then
		traced_runs bench/split.bt "$ROOT/split.raw" "$@"
		awk 'NF == 4 && $1 ~ /^[0-9]+$/ {printf "%.3f %.3f %.3f %.3f\n", $1 / 1000, $2 / 1000, $3 / 1000, $4 / 1000}' \
			"$ROOT/split.raw" >"$ROOT/split.txt"
	else
		for ((i = 0; i < SN; i++)); do
			ip netns exec "$NS" strace --seccomp-bpf -f -ttt -e trace=execve,exit_group -o "$f" \
				$MR "$@" "$ROOTFS" /bin/true {LOCK}>&- >/dev/null 2>&1 || return 1
			awk 'NR == 1 {main = $1; t0 = $2}
				$1 != main && /execve\("\/bin\/true"/ && / = 0$/ {c = $1; t1 = $2}
				$1 == c && /exit_group\(/ {t2 = $2}
				$1 == main && /exit_group\(/ {t3 = $2}
				END {if (t1 && t2 && t3) printf "%.3f %.3f %.3f %.3f\n",
					(t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000, (t3 - t0) * 1000}' "$f"
		done >"$ROOT/split.txt"
	fi
	[ -s "$ROOT/split.txt" ] || return 1
	for j in 1 2 3 4; do
		cut -d' ' -f$j "$ROOT/split.txt" | sort -n | awk '{a[NR]=$1} END {printf "%.1f ", a[int((NR+1)/2)]}'
	done
}
# syscall_rows ARGS...: with bpftrace, SN runs of `minirun run --rm ARGS
# ROOTFS /bin/true` under bench/syscalls.bt; table rows of the system calls
# that took the most time, per run (minirun and its child until the exec).
syscall_rows() {
	local raw=$ROOT/syscalls.raw
	traced_runs bench/syscalls.bt "$raw" "$@"
	awk -v runs="$SN" '
		FNR == NR && $1 == "#define" && $2 ~ /^__NR_/ {name[$3] = substr($2, 6); next}
		FNR == NR {next}
		/^@[tn]\[/ {split($0, f, /[][]|: /); if (substr($0, 2, 1) == "t") t[f[2]] = f[4]; else n[f[2]] = f[4]}
		END {
			what["clone"] = "the namespaces (most of it the network namespace)"
			what["mount"] = "the container'"'"'s mounts"; what["umount2"] = "detaching the host'"'"'s tree"
			what["recvfrom"] = "waiting: the sync socket (the other process), netlink answers"
			what["sendto"] = "netlink requests: rtnetlink (veth, addresses, routes), nftables batches"
			what["sendmsg"] = "netlink requests"; what["recvmsg"] = "netlink answers"
			what["rt_sigtimedwait"] = "waiting for the container to exit"
			what["wait4"] = "reaping"; what["seccomp"] = "loading the seccomp filter"
			what["prctl"] = "the capability bounding set, no_new_privs, dumpable"
			what["pivot_root"] = "pivot_root"; what["openat"] = "opening files and mount targets"
			what["execve"] = "exec"; what["read"] = "reading (state, cache, /proc)"
			what["renameat"] = "state files made atomic"; what["renameat2"] = "state files and leases made atomic"
			what["write"] = "writing state, /etc files, sysctls"; what["close"] = "closing"
			what["newfstatat"] = "stat"; what["mkdirat"] = "state and layer directories"
			what["unlinkat"] = "removing state"; what["flock"] = "the IPAM lock"
			for (id in t) {
				nm = (id in name) ? name[id] : "nr " id
				printf "%d\t%s\t%d\t%s\n", t[id], nm, n[id], what[nm]
			}
		}' /usr/include/x86_64-linux-gnu/asm/unistd_64.h "$raw" | sort -rn | head -14 |
		awk -F'\t' -v runs="$SN" '{printf "| %s | %.1f | %.3f | %s |\n", $2, $3 / runs, $1 / runs / 1e6, $4}'
}
# netlink_rows ARGS...: with bpftrace, SN runs of `minirun run --rm ARGS
# ROOTFS /bin/true` under bench/netlink.bt; a table row for each netlink
# request of a run, in the order sent, with the time inside its sendto.
netlink_rows() {
	local raw=$ROOT/netlink.raw
	traced_runs bench/netlink.bt "$raw" "$@"
	awk -v runs="$SN" '
		BEGIN {
			rt[16] = "RTM_NEWLINK"; rt[18] = "RTM_GETLINK"; rt[20] = "RTM_NEWADDR"
			rt[22] = "RTM_GETADDR"; rt[24] = "RTM_NEWROUTE"; rt[26] = "RTM_GETROUTE"
			what["RTM_NEWLINK"] = "a link made, set up, or taken off mini0 and down"
			what["RTM_GETLINK"] = "a link'"'"'s index by name"
			what["RTM_NEWADDR"] = "eth0'"'"'s address"; what["RTM_GETADDR"] = "mini0'"'"'s addresses"
			what["RTM_NEWROUTE"] = "the container'"'"'s default route"
			what["RTM_GETROUTE"] = "the host'"'"'s routes (the way out, its MTU)"
			split("NEWTABLE GETTABLE DELTABLE NEWCHAIN GETCHAIN DELCHAIN NEWRULE GETRULE DELRULE NEWSET GETSET DELSET NEWSETELEM GETSETELEM DELSETELEM NEWGEN GETGEN", m, " ")
			for (i in m) nft[i - 1] = "NFT_MSG_" m[i]
			nft[30] = "NFT_MSG_DESTROYSETELEM"
			what["NFT_MSG_GETTABLE"] = "are minirun'"'"'s tables there (else they are made again)"
			what["NFT_MSG_GETGEN"] = "the ruleset'"'"'s generation (another program'"'"'s chains: Docker'"'"'s, firewalld'"'"'s)"
			what["NFT_MSG_GETCHAIN"] = "the chains of the ruleset (another program'"'"'s that drop)"
			ct[1] = "IPCTNL_MSG_CT_GET"; ct[2] = "IPCTNL_MSG_CT_DELETE"
		}
		/^@[tn]\[/ {
			split($0, f, /[][, :]+/)
			k = f[2] " " f[3]
			if (substr($0, 2, 1) == "t") t[k] = f[4]; else n[k] = f[4]
			pos[k] = f[2]; ty[k] = f[3]
		}
		END {
			for (k in t) {
				x = ty[k] + 0; b = x >= 65536; if (b) x -= 65536
				sub_ = int(x / 256); m_ = x % 256
				if (!b && x in rt) nm = rt[x]
				else if (sub_ == 10 && m_ in nft) nm = nft[m_]
				else if (sub_ == 1 && m_ in ct) nm = ct[m_]
				else nm = sprintf("type %d", x)
				d = what[nm]
				if (b) { d = (nm == "NFT_MSG_NEWSETELEM" ? "the container'"'"'s elements (added, or at release retired by an expiry)" : "elements"); nm = "batch: " nm }
				printf "%d\t%s\t%d\t%d\t%s\n", pos[k], nm, t[k], n[k], d
			}
		}' "$raw" | sort -n | awk -F'\t' -v runs="$SN" '$4 >= runs / 2 {printf "| %d | %s | %.3f | %s |\n", $1 + 1, $2, $3 / $4 / 1e6, $5}'
}
split_rows=""
if [ "${BENCH_SPLIT:-1}" != 0 ] && { [ "$SPLIT_TOOL" = bpftrace ] || command -v strace >/dev/null; }; then
	echo "bench: split ($SN runs per mode, $SPLIT_TOOL)" >&2
	for mode in "--network none" "" "-p 18080:80"; do
		label="\`minirun run --rm ${mode:+$mode }ROOTFS /bin/true\`"
		[ -n "$mode" ] || label+=" (bridge)"
		if s=$(split_run $mode); then
			read -r a b c t <<<"$s"
			split_rows+="| $label | $a | $b | $c | $t |"$'\n'
		else
			split_rows+="| $label | failed | | | |"$'\n'
		fi
	done
fi

# ---- the table ----
row() { # label mr-time docker-time
	local l=$1 m=$2 d=$3 dcol rcol
	if isnum "$d"; then
		dcol="$d | $(ratio "$d" "$floor")"
		rcol=$(ratio "$d" "$m")
	else
		dcol="$d | -"
		rcol="-"
	fi
	echo "| $l | $m | $(ratio "$m" "$floor") | $dcol | $rcol |"
}
table=$(
	cat <<TABLE
| network mode (median, ms) | minirun | vs floor | Docker${DK_VERSION:+ $DK_VERSION} | vs floor | minirun faster (Docker / minirun) |
| --- | ---: | ---: | ---: | ---: | ---: |
| floor: \`unshare --net --pid --mount --uts --ipc --fork true\` | $floor | 1.0x | | | |
TABLE
	row "none (\`--network none\`)" "$none" "$dnone"
	row "none, state root on this machine's ext4 (\`--root\` on disk)" "$none_disk" ""
	row "host (\`--network host\`)" "$host" "$dhost"
	row "bridge (default)" "$bridge" "$dbridge"
	row "bridge, published port (\`-p 1808x:80\`)" "$publish" "$dpublish"
	echo
	echo "Podman (\`--network none\` / \`-p\`): $pnone / $ppublish."
)
syscall_table=""
if [ "${BENCH_SPLIT:-1}" != 0 ] && [ "$SPLIT_TOOL" = bpftrace ]; then
	echo "bench: system calls of $SN runs with -p (bpftrace)" >&2
	if rows=$(syscall_rows -p 18080:80) && [ -n "$rows" ]; then
		syscall_table="| system calls of \`minirun run --rm -p 18080:80 ROOTFS /bin/true\` (minirun and its child until the exec; per run, mean of $SN) | calls | ms inside | what |
| --- | ---: | ---: | --- |
$rows"
	fi
fi
netlink_table=""
if [ "${BENCH_SPLIT:-1}" != 0 ] && [ "$SPLIT_TOOL" = bpftrace ]; then
	echo "bench: each netlink request of $SN runs with -p (bpftrace)" >&2
	if rows=$(netlink_rows -p 18080:80) && [ -n "$rows" ]; then
		netlink_table="| each netlink request of \`minirun run --rm -p 18080:80 ROOTFS /bin/true\`, in order (mean of $SN runs) | request | ms inside its sendto | what |
| ---: | --- | ---: | --- |
$rows"
	fi
fi
if [ -n "$split_rows" ]; then
	split_table="| split of one run (median of $SN, ms, $([ "$SPLIT_TOOL" = bpftrace ] && echo "from sched tracepoints (bpftrace)" || echo "under strace")) | invocation -> container's exec | /bin/true | container's exit -> minirun's exit | total |
| --- | ---: | ---: | ---: | ---: |
${split_rows%$'\n'}"
else
	split_table="(The split of one run was not measured: BENCH_SPLIT=0, or neither bpftrace nor strace.)"
fi
# Issue 6's targets against this run's figures.
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {if (a == "" || a == "-" || b == "" || b == "-") print "not measured"; else if ((op == "<=" && a + 0 <= b + 0) || (op == ">=" && a + 0 >= b + 0)) print "met"; else print "missed"}'; }
r_none=$(awk -v a="$none" -v b="$floor" 'BEGIN {printf "%.2f", a / b}')
r_xpub=$(awk -v a="$xpublish" -v b="$xfloor" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-"}')
r_dk=$(awk -v a="$dpublish" -v b="$publish" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.1f", a / b; else printf "-"}')
read -r tpd tpl tpn tpnd <<<"$tp_mr"
r_lo=$(awk -v a="$tpl" -v b="$tpd" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-"}')
r_lan=$(awk -v a="$tpn" -v b="$tpnd" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "-"}')
targets="| issue 6's target | this run | |
| --- | ---: | --- |
| none mode, whole run: at most 1.5x the floor | ${r_none}x ($none / $floor ms) | $(verdict "$r_none" "<=" 1.5) |
| bridge with one \`-p\`, invocation -> the container's exec: at most 3x the floor's | ${r_xpub}x ($xpublish / $xfloor ms) | $(verdict "$r_xpub" "<=" 3) |
| (none mode, invocation -> exec, for comparison) | $xnone ms | |
| bridge with one \`-p\`, whole run: at least 20x faster than Docker's | ${r_dk}x ($dpublish / $publish ms) | $(verdict "$r_dk" ">=" 20) |
| throughput through the published port from 127.0.0.1: at least 0.95x straight | ${r_lo}x | $(verdict "$r_lo" ">=" 0.95) |
| ... from the LAN neighbour: at least 0.95x the neighbour's straight path | ${r_lan}x | $(verdict "$r_lan" ">=" 0.95) |"
tp_table="| data path: TCP, one stream, Mbit/s (median of $TP_RUNS x $TP_SECONDS s) | host -> container's address | neighbour -> container's address | 127.0.0.1 -> published port (vs straight) | neighbour -> published port (vs straight; vs the neighbour's straight) |
| --- | ---: | ---: | ---: | ---: |
$(tp_row minirun "$tp_mr")
$(tp_row "Docker${DK_VERSION:+ $DK_VERSION}" "$tp_dk")"
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
machine="${cpu:-unknown CPU}, $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"), load average $LOAD at the start, $(date -u +%Y-%m-%d)"
tables() { printf '%s\n\n' "$table" "$split_table" ${syscall_table:+"$syscall_table"} ${netlink_table:+"$netlink_table"} "$tp_table" "$targets"; }
tables
echo "machine: $machine"
{
	cat <<HEAD
# Performance

Measured by \`make bench\` (bench/run.sh) in a throwaway network namespace.
Each row is the median of repeated runs ($N for minirun, $DN for Docker), wall
clock from invocation to exit, teardown included (\`--rm\`). The floor is
\`unshare\` making the same five namespaces and running \`true\`. The
container is the busybox rootfs running \`/bin/true\`. minirun's state root
is a tmpfs, as /run is on Debian (on this machine /run is ext4: the row
"state root on this machine's ext4" shows what that costs). Docker is the distribution's engine
(\`docker.io\`, which \`make bench\` installs without starting its service),
started privately by the bench in the same namespace
(iptables on, userland proxy off, cgroupfs driver, overlay2), with the same
rootfs imported as an image; its time includes the client's round trips to
dockerd, containerd and runc. (Docker's default is the userland proxy on,
which adds a docker-proxy process per published port.) minirun publishes
port 18080, Docker 18081. The last column is how many times faster minirun
is than Docker in that mode.

HEAD
	tables
	echo "Machine: $machine."
	cat <<'TAIL'

On a shared machine with other work running (see the load average), single
numbers move by tens of percent from one run of the bench to the next, and
neighbouring rows can swap; the ratios move less.

How it is measured. Every timer is bench/bulk.c's, in C, run inside the
throwaway namespace: `bulk time` forks, execs and reaps the command and
reads the monotonic clock just before the fork and just after the reaping;
the modes take turns, in rounds. (Until 2026-11-23 the bench timed each
run between two `$(date +%s%N)` in the shell, which put date's own fork
and exec, 1-3 ms, into every sample: every ratio against the floor read
lower than it was, none mode's 1.50x was 1.7-1.8x.) "Invocation -> the
container's exec" runs `bulk now` as the container's command: it prints
the monotonic clock, which every namespace shares, and `bulk exec` takes
the difference from the clock it read before the fork (for the floor,
`unshare ... bulk now`). The split of one run comes from the scheduler's
exec and exit tracepoints (bench/split.bt, with bpftrace, which `make
bench` installs): minirun's exec, the container's exec of /bin/true, its
exit, minirun's exit; nothing stops the processes. (Without bpftrace the
bench falls back to `strace --seccomp-bpf -f -ttt -e
trace=execve,exit_group`, which stops them at those calls and slows forks
and execs: upper bounds.) The data path: a
container runs `bulk sink`, and `bulk send` pushes one TCP stream for a few
seconds at a time from the bench's host namespace to the container's
address, to 127.0.0.1 and the published port, and from a LAN neighbour
namespace (198.51.100.2, through a veth) to the host's address and the
published port, and to the container's address; the paths take turns,
medians are kept. minirun drops traffic from outside to a container's own
address (only published ports are reachable): for the neighbour's straight
path, the same hops as its published one without the DNAT, the bench puts
one accept rule first in minirun's forward chain while it measures.

Where the time of one run goes, and what was done about it (profiles: the
system-call table above and the split, both from bpftrace; `perf record -a
-g` over 30-40 runs; `strace -f -T`):
- Starting minirun: each shared library costs every run its loading and
  relocation. libnftnl, libcap, libseccomp and jansson are linked
  statically (their -dev packages ship the archives; libmnl's does not), so
  minirun starts about as fast as /bin/true.
- The namespaces: clone with five of them costs what the floor costs (the
  network namespace is most of it: loopback, sysctl tables, nftables' state
  per namespace). But the child is cloned as soon as its state directory
  exists: the address, the /etc files and the state writes are done by the
  parent while the child mounts the image (two cores work at once; they
  meet on the sync socket, "files" then "go"). The namespace's sysctls
  (accept_ra, Docker's unprivileged ports and ping range) are written by
  whichever side would otherwise wait: with `--network none` the parent,
  stepping into the namespace while the child mounts; in bridge mode the
  child, which waits for the parent's network anyway. Tried and not kept:
  making the network namespace in a thread of the parent while it prepares
  (it took the clone from 0.75 to 0.25 ms), but on this 2-vCPU machine the
  thread mostly started on the parent's own CPU and nothing overlapped; the
  runs were no faster.
- State files: state.json is written three times on the way up (the whole
  configuration at once, then created, then running), the /etc files three;
  each was fsynced (about 0.5 ms each on this ext4). No longer: it is runtime
  state, the rename is what makes a write atomic, and a killed writer leaves
  the old file or the new one. On ext4 every write is still a new inode, and
  ext4's allocator steps over the recently deleted ones (`recently_deleted`,
  `find_inode_bit`: a fifth of minirun's kernel time in a profile of many
  starts): the "state root on ext4" row. On a tmpfs (Debian's /run) that
  cost is gone.
- The seccomp filter: libseccomp built the same BPF program on every run
  (about 1 ms with its probing of the kernel). It is now built once and kept
  in ROOT/seccomp.bpf behind a key naming the minirun binary, libseccomp and
  the kernel; a run, and an `exec`, loads that program as it is
  (t-seccomp-cache.sh: a damaged or stale cache is built again, never
  used). The program is a
  binary tree of syscall numbers (libseccomp's optimize level 2), not one
  long chain: the kernel checks, JIT-compiles and caches it at load in about
  a third of the time (0.1-0.2 ms rather than 0.3-0.5), and each syscall
  takes a few comparisons.
- Mounts in the container: the overlay, /proc, /sys, /dev (tmpfs, device
  nodes, devpts, shm), the three /etc files, pivot_root, and the masked /proc
  and /sys paths: about 20 mount calls, about 1 ms in all, and each
  superblock made is one more to tear down when the container exits. They
  are the container; they stay. Trimmed: the image's own /etc files are no
  longer copied up into the container's layer before the bind mounts cover
  them, the masked directories share one empty read-only tmpfs, the masked
  and read-only paths are mounted without a stat first (a path this kernel
  lacks fails the mount itself), the image's /etc files are opened before
  any stat, and a `--rm` run removes its state directory by the names it
  made rather than by reading it. A `--rm` container's overlay is mounted
  `volatile` (as Podman does): its unmount at the container's end syncs no
  disk, which on the ext4 row was a journal commit per run.
- Small things on the way: the times in state.json are formatted in UTC by
  hand (glibc's gmtime/localtime read /etc/localtime on every run),
  jansson's hash seed comes from the container's id (not /dev/urandom), and
  the signals are set back to their defaults before the seccomp filter is
  loaded (each of the 62 calls would otherwise pass through it).
- Bridge mode, request by request (the table of netlink requests above,
  in the order a run sends them; the kernel does the work of an rtnetlink
  or nfnetlink request inside the sender's sendto, so the time inside it is
  what the request costs): the host's routes (the way out's MTU), mini0 and
  its addresses, then the one request that makes the veth pair with its
  host end on mini0 and its peer born in the container's namespace as eth0
  (the largest by far: two network devices registered and a bridge port
  added), the host end set up; in the container's namespace lo up, eth0's
  index, its address, eth0 up and the default route; then nftables:
  minirun's two tables looked up (made again if someone flushed them), the
  ruleset's generation and chains (another program's that would drop
  minirun's traffic), and one batch adding the container's elements. At
  release, one batch retiring the elements and one request taking the veth
  off mini0 and down. What was done: the peer is born in the namespace, not
  moved there (one request less, and no second registration); the host
  end comes back echoed by the request that makes it (no look-up by name);
  nothing is deleted at release (see Teardown). One of the first requests
  in the container's namespace (lo's or eth0's, from run to run) waits
  about 0.2 ms behind the child writing the namespace's sysctls; the child
  writing them before its mounts instead took that wait away from the
  request but not from the run (A/B runs of `-p`: no difference in wall
  time), so they stay where they are.
- Teardown: a deletion in nf_tables leaves the elements to a worker that
  frees them after an RCU grace period, and closing any netfilter socket of
  the namespace waits for that worker (10-20 ms here, seen as `close` in
  `strace -T`). So on Linux 6.12 and later the elements are not deleted but
  retired, in one transaction, by an update that makes them expire at once
  (`timeout 1s expires 1ms`; docs/networking.md, section 6): every close then
  takes microseconds. Older kernels delete them (one transaction with
  Linux 6.3's "destroy") and close the socket last, after the lease is
  written and the IPAM lock let go, so that other runs' teardowns do not
  queue behind the wait (they did: `rm -f` of 500 took 15 s). The veth is
  not deleted either: deleting the host end (`ip link del`) waits in the
  kernel for RCU callbacks as the device is freed (10-20 ms here, the
  `RTM_DELLINK` `sendto` in `strace -T`), while the container's namespace,
  ended with its last process, takes the pair anyway, in a kernel worker.
  minirun takes it off mini0 and down (immediate), and leaves the deletion
  to the kernel.
Docker spends its time elsewhere: the CLI's API calls (create, attach,
start, wait, remove), containerd's shim per container and runc's create and
start, libnetwork's sandbox and its iptables rules. minirun does it all in
one process: no daemon, no round trips, no shim, no second runtime.

Where the targets stand. The table of targets says met or missed for this
run on this machine; none mode is the one nearest its line, and where it
falls moves with the machine. On 2026-11-23's machine (the floor 2.4-3.0
ms) it read 1.49-1.58x once both were timed without the shell's own forks
(the "How it is measured" paragraph: with them, it read 1.5x when it was
1.7-1.8x); on 2026-12-07's (the floor 7.6-9.4 ms: every fork and exec
there costs about three times as much, the floor's and minirun's alike) it
read 1.39-1.41x. What is left beyond the floor's own clone and exit is
kernel work that makes the container: about 20 mounts (overlay, proc,
sysfs, three tmpfs, devpts, the /etc binds and the masked and read-only
paths), the detaching of the host's tree after pivot_root, loading the
seccomp program, and the teardown of those superblocks when the container
exits; the system-call table shows each. On a busy machine those steps,
spread over two processes that hand over to each other, stretch more than
the floor's few.
TAIL
} >docs/performance.md
