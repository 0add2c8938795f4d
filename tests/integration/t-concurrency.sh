#!/bin/bash
# Concurrency: 50 runs at once get 50 distinct addresses and host ports and
# leave valid state; two runs racing for one name, address or host port:
# exactly one wins, the other fails cleanly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1

# The first run makes the bridge and table; then 50 start at once.
mr run --rm "$ROOTFS" true
for i in $(seq 50); do
	mr run -d --name "c$i" -p 80 "$ROOTFS" sleep 60 >"$T_DIR/out.$i" 2>&1 &
done
wait
ok_runs=$(cat "$T_DIR"/out.* | grep -cE '^[0-9a-f]{64}$')
check_eq "50 runs at once all start" "$ok_runs" 50
[ "$ok_runs" -ne 50 ] && diag "$(grep -vhE '^[0-9a-f]{64}$' "$T_DIR"/out.* | sort | uniq -c)"
ips=$(for f in "$ROOT"/containers/*/state.json; do jq -r .network.ip "$f"; done | sort -u | wc -l)
check_eq "... with 50 distinct addresses" "$ips" 50
ports=$(for f in "$ROOT"/containers/*/state.json; do jq -r '.network.ports[0].host_port' "$f"; done | sort -u | wc -l)
check_eq "... and 50 distinct host ports" "$ports" 50
check_eq "50 lease files" "$(ls "$ROOT/ipam/leases" | wc -l)" 50
check_eq "... each valid JSON, of its own container" "$(for f in "$ROOT"/ipam/leases/*; do jq -e .id "$f" >/dev/null || echo "bad $f"; done)" ""
check_eq "... and 50 port claims" "$(find "$ROOT/ipam/ports" -type f | wc -l)" 50
check_eq "... and 50 map elements" "$(in_host nft -j list map inet minirun ports_any | jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add')" 50
check_eq "every state.json is valid" "$(for f in "$ROOT"/containers/*/state.json; do jq -e .id "$f" >/dev/null || echo bad; done)" ""
for i in $(seq 50); do mr rm -f "c$i" >/dev/null & done
wait
assert_clean "removing all 50 at once leaves nothing"

# race2 WHAT ARGS...: two runs with the same ARGS at once; exactly one wins.
race2() {
	local what=$1 a b
	shift
	mr run -d "$@" "$ROOTFS" sleep 30 >"$T_DIR/r1" 2>&1 &
	mr run -d "$@" "$ROOTFS" sleep 30 >"$T_DIR/r2" 2>&1 &
	wait
	a=$(grep -cE '^[0-9a-f]{64}$' "$T_DIR/r1" "$T_DIR/r2" | awk -F: '{s+=$2} END {print s}')
	check_eq "$what: exactly one of two racing runs wins" "$a" 1
	b=$(cat "$T_DIR/r1" "$T_DIR/r2" | grep -vE '^[0-9a-f]{64}$')
	check_match "$what: the other fails with one clear line" "$b" '^minirun: '
	check_eq "$what: one container exists" "$(ls "$ROOT/containers" | wc -l)" 1
	for id in $(ls "$ROOT/containers"); do mr rm -f "$id" >/dev/null; done
	assert_clean "$what: nothing is left"
}
race2 "a name" --name same
race2 "an address" --ip 10.99.0.200
race2 "a host port" -p 9000:80
