#!/bin/bash
# Bridge networking (issue 3), addresses: 20 containers started at once get
# 20 addresses (and 20 free host ports), addresses are handed out in turn,
# --ip, --ip refused (outside the subnet, taken) with one line and nothing
# left, leases released at exit, and the lease of a minirun killed with
# SIGKILL taken back by the next run together with its map elements.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"

bridge_setup || exit 1

addr_of() { # the address minirun's output line "N: eth0 inet A/P ..." shows
	sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p' <<<"$1"
}

# ---- 20 at once ----
# Each lives until the test stops it (SIGTERM, forwarded; its trap is set
# before it prints its address), however slowly the 20 start.
pids=()
for i in $(seq 1 20); do
	mr_bg run --rm -p 80 "$ROOTFS" sh -c 'trap "exit 0" TERM; ip -o -4 addr show eth0; while :; do sleep 0.1; done' >"$T_DIR/par.$i" 2>&1
	pids+=("$BGPID")
done
all_up() { [ "$(cat "$T_DIR"/par.* | grep -c ' inet ')" -eq 20 ]; }
if wait_for 60 all_up &&
	[ "$(running_states | xargs -r jq -r .status | grep -c running)" -eq 20 ]; then
	ok "20 containers run at the same time"
	check_eq "... with 20 leases" "$(n_leases)" 20
	check_eq "... 20 host ends on mini0" "$(ip -n "$HOSTNS" -o link show master mini0 | wc -l)" 20
	ports=$(running_states | xargs jq -r '.network.ports[0].host_port' | sort -u)
	check_eq "... 20 different host ports for -p 80" "$(wc -w <<<"$ports")" 20
	check_eq "... and 20 map elements" "$(n_elems)" 20
else
	not_ok "20 containers run at the same time"
	diag "running: $(n_running)"
fi
kill -TERM "${pids[@]}" 2>/dev/null
guard_start 30 "${pids[@]}"
rcs=""
for p in "${pids[@]}"; do
	wait "$p"
	rcs+="$? "
done
guard_stop
check_eq "all 20 exit 0" "$rcs" "$(printf '0 %.0s' {1..20})"
addrs=$(cat "$T_DIR"/par.* | sed -n 's/.* inet \([0-9.]*\)\/16 .*/\1/p' | sort -u)
check_eq "they had 20 different addresses" "$(wc -w <<<"$addrs")" 20
check_eq "... all in 10.99.0.0/16, none the gateway" "$(grep -vE '^10\.99\.[0-9]+\.[0-9]+$' <<<"$addrs"; grep -x 10.99.0.1 <<<"$addrs")" ""
net_clean "leases, links and elements are given back"

# ---- in turn ----
a=$(addr_of "$(mr run --rm "$ROOTFS" ip -o -4 addr show eth0)")
b=$(addr_of "$(mr run --rm "$ROOTFS" ip -o -4 addr show eth0)")
check_eq "the next run takes the next address, not the one just freed" "${b##*.}" "$((${a##*.} + 1))"
check_eq "after exit the lease is gone" "$(n_leases)" 0

# ---- --ip ----
out=$(mr run --rm --ip 10.99.0.200 "$ROOTFS" ip -o -4 addr show eth0)
check_match "--ip gives that address" "$out" 'inet 10\.99\.0\.200/16 '
mr_bg run --rm --init --name holder --ip 10.99.0.201 "$ROOTFS" sleep 30
HOLDER=$BGPID
wait_running 1
bad125 "--ip taken: exit 125, one line" "--ip 10\.99\.0\.201: address already in use" run --rm --ip 10.99.0.201 "$ROOTFS" true
check_eq "... nothing left of it (one container, one lease)" "$(n_states) $(n_leases) $(mr_links | wc -w)" "1 1 1"
check_eq "... and the holder keeps its address" "$(jq -r .network.ip "$(state_of holder)")" 10.99.0.201
stop "$HOLDER"
bad125 "--ip outside the subnet: exit 125, one line" "--ip 10\.98\.0\.5: not a free host address of 10\.99\.0\.0/16" run --rm --ip 10.98.0.5 "$ROOTFS" true
bad125 "--ip the gateway: refused" "--ip 10\.99\.0\.1: not a free host address of 10\.99\.0\.0/16" run --rm --ip 10.99.0.1 "$ROOTFS" true
bad125 "--ip the network address: refused" "--ip 10\.99\.0\.0: not a free host address of 10\.99\.0\.0/16" run --rm --ip 10.99.0.0 "$ROOTFS" true
bad125 "--ip the broadcast address: refused" "--ip 10\.99\.255\.255: not a free host address of 10\.99\.0\.0/16" run --rm --ip 10.99.255.255 "$ROOTFS" true
check_eq "nothing is left of the refused runs" "$(n_states) $(n_leases) $(mr_links | wc -w)" "0 0 0"
out=$(mr run --rm --ip 10.99.1.7 "$ROOTFS" ip -o -4 addr show eth0)
check_match "--ip beyond the first /24 of the /16 works" "$out" 'inet 10\.99\.1\.7/16 '

# ---- a minirun killed with SIGKILL: its lease is taken back by the next run ----
mr_bg run --rm -p 8090:80 "$ROOTFS" httpd -f -p 80 -h /var/www
K=$BGPID
wait_for 10 answers "$HOSTNS" http://127.0.0.1:8090/
kid=$(running_states | xargs jq -r .id)
kip=$(jq -r .network.ip "$ROOT/containers/$kid/state.json")
kill -9 "$K"
wait "$K" 2>/dev/null
check_eq "after minirun's SIGKILL its lease is still there" "$(jq -r .id "$ROOT/ipam/leases/$kip")" "$kid"
check_eq "... and its map element" "$(n_elems)" 1
check "... and the container is gone (it dies with minirun)" wait_for 5 sh -c "! ip -n $HOSTNS -o link show master mini0 | grep -q ."
mr_bg run --rm --init -p 8090:80 "$ROOTFS" httpd -f -p 80 -h /var/www
N=$BGPID
check "the next run can publish the same port again" wait_for 10 answers "$HOSTNS" http://127.0.0.1:8090/
nip=$(running_states | xargs jq -r .network.ip | grep -vx "$kip")
check_eq "... the dead run's lease was taken back (only the new one is left)" "$(ls "$ROOT/ipam/leases")" "$nip"
check_eq "... and its map element removed (one element, to the new container)" \
	"$(in_host nft -j list map inet minirun ports_any | jq -c '[.nftables[] | select(.map) | .map.elem[]?[1].concat[0]]')" "[\"$nip\"]"
stop "$N"
t0=$SECONDS
check "the killed run's state is removed by rm (once its PID 1 is reaped)" wait_for 20 mr rm "$kid"
diag "(waited $((SECONDS - t0)) s for the machine's init to reap it)"
assert_clean
