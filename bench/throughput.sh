# bench/throughput.sh - sourced by bench/run.sh: the data path of a published
# port (issue 6, item 4). A container runs `bulk sink` (bench/bulk.c, built
# static and copied into a copy of the rootfs); `bulk send` pushes TCP for
# TP_SECONDS at a time along each path, TP_RUNS times, paths interleaved so
# that the machine's drift touches each alike; the median of each is kept.
#
#   direct    the bench's host namespace -> the container's address : 5201
#   loopback  the host namespace -> 127.0.0.1 : published port (DNAT in output)
#   lan       a LAN neighbour namespace -> the host's 198.51.100.1 : published
#             port (DNAT in prerouting, then forwarded onto the bridge)
#   lan-direct  the neighbour -> the container's address (routed through the
#             host, no DNAT): the same hops as "lan" without the port map
#             (minirun lets it through with one rule for the measurement)
#
# Expects NS, ROOT, MRROOT (minirun's --root) and LOCK from run.sh; sets up
# LANNS=$NS-lan with a veth lan0 (198.51.100.1/24 on the host side, .2 on the
# neighbour's).
# ($LANNS and friends are run.sh's; the quoting follows run.sh.)
# shellcheck shell=bash disable=SC2034
TP_RUNS=${BENCH_TP_RUNS:-9}
TP_SECONDS=${BENCH_TP_SECONDS:-2}
TP_PORT=5201
BULK=build/bench/bulk
LANNS="$NS-lan"

tp_setup() { # the neighbour, and a rootfs with the bulk tool in it
	ip netns add "$LANNS"
	ip -n "$LANNS" link set lo up
	ip -n "$NS" link add lan0 type veth peer name eth0 netns "$LANNS"
	ip -n "$NS" addr add 198.51.100.1/24 dev lan0
	ip -n "$LANNS" addr add 198.51.100.2/24 dev eth0
	ip -n "$NS" link set lan0 up
	ip -n "$LANNS" link set eth0 up
	ip -n "$LANNS" route add default via 198.51.100.1
	TP_ROOTFS=$ROOT/rootfs-bulk
	cp -a "$ROOTFS" "$TP_ROOTFS"
	cp "$BULK" "$TP_ROOTFS/bin/bulk"
}

tp_teardown() {
	ip netns del "$LANNS" 2>/dev/null
}

# tp_send NETNS IP PORT: one measurement in Mbit/s (empty if it failed)
tp_send() {
	ip netns exec "$1" timeout $((TP_SECONDS + 5)) "$BULK" send "$2" "$3" "$TP_SECONDS" \
		{LOCK}>&- 2>/dev/null
}

# tp_wait IP PORT: until the sink answers (a container just started)
tp_wait() {
	local i
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NS" "$BULK" send "$1" "$2" 0.01 {LOCK}>&- >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# tp_measure CIP HOSTPORT: prints "direct loopback lan lan-direct" medians
# in Mbit/s ("-" where a path carried nothing).
tp_measure() {
	local cip=$1 hp=$2 r k f
	ip -n "$LANNS" route replace "$cip/32" via 198.51.100.1
	for ((r = 0; r < TP_RUNS; r++)); do
		tp_send "$NS" "$cip" "$TP_PORT" >>"$ROOT/tp.direct"
		tp_send "$NS" 127.0.0.1 "$hp" >>"$ROOT/tp.loopback"
		tp_send "$LANNS" 198.51.100.1 "$hp" >>"$ROOT/tp.lan"
		tp_send "$LANNS" "$cip" "$TP_PORT" >>"$ROOT/tp.landirect"
	done
	ip -n "$LANNS" route del "$cip/32" 2>/dev/null
	for k in direct loopback lan landirect; do
		f=$ROOT/tp.$k
		if [ -s "$f" ]; then
			sort -n "$f" | awk '{a[NR]=$1} END {printf "%d ", a[int((NR+1)/2)]}'
		else
			printf -- "- "
		fi
		rm -f "$f"
	done
}

tp_minirun() {
	local id cip h
	id=$(ip netns exec "$NS" ./minirun --root "$MRROOT" run -d -p "18080:$TP_PORT" "$TP_ROOTFS" \
		/bin/bulk sink "$TP_PORT" {LOCK}>&-) || return 1
	cip=$(jq -r .network.ip "$MRROOT/containers/$id/state.json")
	# minirun drops traffic from outside to a container's own address; for
	# the neighbour's straight path (the same hops as its published one,
	# without the DNAT) one rule lets it through while this measures, first
	# in the forward chain so that every path passes it alike.
	h=$(ip netns exec "$NS" nft --echo --handle insert rule inet minirun forward \
		ip saddr 198.51.100.2 ip daddr "$cip" accept {LOCK}>&- | sed -n 's/.*# handle \([0-9]*\).*/\1/p')
	if tp_wait "$cip" "$TP_PORT"; then
		tp_measure "$cip" 18080
	fi
	[ -z "$h" ] || ip netns exec "$NS" nft delete rule inet minirun forward handle "$h" {LOCK}>&-
	ip netns exec "$NS" ./minirun --root "$MRROOT" rm -f "$id" {LOCK}>&- >/dev/null
}

tp_docker() {
	local id cip
	id=$(dk run -d -p "18081:$TP_PORT" bb:bench /bin/bulk sink "$TP_PORT") || return 1
	cip=$(dk inspect -f '{{.NetworkSettings.IPAddress}}' "$id")
	if tp_wait "$cip" "$TP_PORT"; then
		tp_measure "$cip" 18081
	fi
	dk rm -f "$id" >/dev/null 2>&1
}

# tp_row LABEL "direct loopback lan landirect": a table row with the ratios
# of each published path to the straight one.
tp_row() {
	local d l n nd
	read -r d l n nd <<<"$2"
	echo "| $1 | $d | $nd | $l ($(ratio_x "$l" "$d")) | $n ($(ratio_x "$n" "$d"); $(ratio_x "$n" "$nd") of the neighbour's straight) |"
}

ratio_x() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else printf "-"}'; }
