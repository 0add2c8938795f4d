#!/bin/bash
# How a container's nftables elements go at teardown. On Linux 6.12 and later
# they are retired by an update that makes them expire at once (`timeout 1s
# expires 1ms`): a deletion would make closing any netfilter socket of the
# namespace wait for an RCU grace period. Older kernels, and the test hook
# MINIRUN_TEST_NFT_DELETE=1 on this one, delete them. Both paths, after
# `run --rm`, `rm -f` of several and `gc`: no element in any listing, `nft get
# element` finds none, the same port is published again at once, the rules
# stay; an old container's release leaves a newer one's element with the same
# key (and address) alone; an element changed by hand does not stop a batch;
# and tables made by an older minirun (sets without the timeout flag) make
# the release fall back to deleting.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1

EXPIRES=0
kernel_at_least 6 12 && EXPIRES=1

n_src() {
	in_host nft -j list table bridge minirun 2>/dev/null |
		jq '[.nftables[] | select(.set) | .set.elem // [] | length] | add // 0'
}
# no_elem PORT: tcp PORT is in no listing (text or JSON), and `nft get` finds nothing.
no_elem() {
	! in_host nft list table inet minirun | grep -q "tcp \. $1 " &&
		! in_host nft -j list table inet minirun | jq -c '.nftables[] | select(.map) | .map.elem // []' | grep -q "$1" &&
		! in_host nft get element inet minirun ports_any "{ tcp . $1 }" >/dev/null 2>&1
}
# nothing_left WHAT PORT...: no map or source element, none of the ports found.
nothing_left() {
	local what=$1 p bad=""
	shift
	tick
	for p in "$@"; do no_elem "$p" || bad+="$p "; done
	[ "$(n_elems) $(n_src)" = "0 0" ] || bad+="elements: $(n_elems) map, $(n_src) source; "
	if [ -z "$bad" ]; then ok "$what"; else not_ok "$what"; diag "left: $bad"; fi
}
# elem_of PORT: the map element of tcp PORT as `nft get` prints it.
elem_of() { in_host nft get element inet minirun ports_any "{ tcp . $1 }" 2>/dev/null | grep -o "tcp \. $1 : [0-9.]* \. [0-9]*"; }
# The teardown's nftables messages, from strace (one run): which kind of batch.
teardown_msgs() {
	in_host strace -f -e trace=sendto,sendmsg -s 64 -o "$T_DIR/trace" \
		"$MINIRUN" --root "$ROOT" "$@" {T_NETLOCK}>&- >/dev/null 2>&1
	grep -oE 'NFT_MSG_[A-Z]*SETELEM|0x1e /' "$T_DIR/trace" | sed 's|0x1e /|NFT_MSG_DESTROYSETELEM|' |
		sort | uniq -c | tr -s ' ' | tr '\n' ';'
}

# both_paths LABEL DELETE: the checks, with MINIRUN_TEST_NFT_DELETE=DELETE.
both_paths() {
	local label=$1 rules
	export MINIRUN_TEST_NFT_DELETE=$2
	mr run --rm -p 18080:80 "$ROOTFS" true # the tables, once
	rules=$(n_rules)

	check "$label: run --rm -p" mr run --rm -p 18080:80 "$ROOTFS" true
	nothing_left "$label: ... leaves no element (nft list, nft -j, nft get)" 18080
	check_eq "$label: ... the rules stay" "$(n_rules)" "$rules"
	mr run -d --name again -p 18080:80 "$ROOTFS" sleep 1000 >/dev/null
	check_match "$label: the same port is published again at once" "$(elem_of 18080)" '^tcp \. 18080 : 10\.99\.0\.[0-9]+ \. 80$'
	check_eq "$label: ... with its source element" "$(n_src)" 1

	for i in 1 2 3; do
		mr run -d --name "m$i" -p "1808$i:80" -p "1909$i:53/udp" "$ROOTFS" sleep 1000 >/dev/null
	done
	check_eq "$label: four containers, seven map elements" "$(n_elems)" 7
	check "$label: rm -f of several" mr rm -f m1 again m2 m3
	nothing_left "$label: ... leaves no element" 18080 18081 18082 18083
	check_eq "$label: ... nor a lease" "$(n_leases)" 0

	MINIRUN_TEST_CRASH_AFTER=9 mr run --rm --name dead -p 18085:80 "$ROOTFS" sleep 0.3 >/dev/null 2>&1
	check_eq "$label: a run killed by SIGKILL leaves its element" "$(n_elems)" 1
	wait_for 5 sh -c "! pgrep -f 'sleep 0\.3\$'"
	check "$label: gc" mr gc
	nothing_left "$label: ... takes it back" 18085
	check "$label: ... and the port is published again at once" \
		mr run --rm -p 18085:80 "$ROOTFS" true

	# An exited container (no --rm) once had the port and the address that a
	# newer one holds now: its release (in a batch with another) must not
	# retire the newer one's element, which has the very same data.
	mr run --name old -p 18087:80 "$ROOTFS" true
	mr run -d --name new --ip "$(jq -r .network.ip "$(state_of old)")" -p 18087:80 "$ROOTFS" sleep 1000 >/dev/null
	mr run -d --name other -p 18086:80 "$ROOTFS" sleep 1000 >/dev/null
	check_eq "$label: the newer container has the old one's address" \
		"$(jq -r .network.ip "$(state_of new)")" "$(jq -r .network.ip "$(state_of old)")"
	check "$label: rm -f of the old one and another" mr rm -f old other
	check_eq "$label: ... the newer one's element stays, as it was" "$(elem_of 18087)" \
		"tcp . 18087 : $(jq -r .network.ip "$(state_of new)") . 80"
	check_eq "$label: ... and its source element" "$(n_src)" 1

	# An element changed by hand (another address): the update of it is
	# refused (a map's update must carry the same data), and with it the
	# whole batch; the release then deletes by key, and nothing stays.
	mr run -d --name m4 -p 18084:80 "$ROOTFS" sleep 1000 >/dev/null
	in_host nft delete element inet minirun ports_any '{ tcp . 18084 }'
	in_host nft add element inet minirun ports_any '{ tcp . 18084 : 10.99.250.250 . 80 }'
	check "$label: rm -f with an element changed by hand" mr rm -f new m4
	nothing_left "$label: ... leaves no element" 18084 18087
	assert_clean "$label: nothing is left"
	unset MINIRUN_TEST_NFT_DELETE
}

if [ "$EXPIRES" = 1 ]; then
	both_paths "expire" 0
else
	skip "the expire path" "Linux $(uname -r) < 6.12: elements are deleted"
fi
both_paths "delete (MINIRUN_TEST_NFT_DELETE=1)" 1

# What teardown sends: an update (NEWSETELEM) and no deletion on the expire
# path; deletions on the other.
if command -v strace >/dev/null; then
	mr run -d --name s -p 18088:80 "$ROOTFS" sleep 1000 >/dev/null
	msgs=$(teardown_msgs rm -f s)
	if [ "$EXPIRES" = 1 ]; then
		check_eq "expire: rm -f sends two NEWSETELEM (source, port), no deletion" "$msgs" " 2 NFT_MSG_NEWSETELEM;"
	fi
	mr run -d --name s -p 18088:80 "$ROOTFS" sleep 1000 >/dev/null
	msgs=$(MINIRUN_TEST_NFT_DELETE=1 teardown_msgs rm -f s)
	check_eq "delete: rm -f sends two destroys (source, port)" "$msgs" " 2 NFT_MSG_DESTROYSETELEM;"
	nothing_left "... and nothing is left" 18088
else
	skip "the teardown's messages" "no strace"
fi

# ---- tables made by an older minirun: sets without the timeout flag ----

mr gc >/dev/null
in_host nft delete table inet minirun
in_host nft delete table bridge minirun
in_host nft -f - <<'EOF'
table inet minirun {
	map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
	map ports_ip { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @ports_ip
		fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
	}
}
table bridge minirun {
	set allowed_src { type ifname . ether_addr . ipv4_addr; }
}
EOF
check_eq "old tables: no timeout flag" "$(in_host nft -j list ruleset | jq '[.nftables[] | (.set // .map // empty) | select(.flags)] | length')" 0
check "old tables: run --rm -p" mr run --rm -p 18080:80 "$ROOTFS" true
nothing_left "old tables: ... leaves no element" 18080
for i in 1 2 3; do mr run -d --name "o$i" -p "1808$i:80" "$ROOTFS" sleep 1000 >/dev/null; done
check_eq "old tables: three containers' elements" "$(n_elems) $(n_src)" "3 3"
mr --explain rm -f o1 o2 o3 >/dev/null 2>"$T_DIR/old.txt"
nothing_left "old tables: rm -f of several leaves no element" 18081 18082 18083
if [ "$EXPIRES" = 1 ]; then
	check_match "old tables: --explain says why it deletes after all" "$(cat "$T_DIR/old.txt")" \
		"# the kernel refused that update .*deleted instead"
fi
check_eq "old tables: ... and prints the deletions" \
	"$(grep -c "^host# nft delete element inet minirun ports_any '{ tcp \. 1808[123] }'$" "$T_DIR/old.txt")" 3
assert_clean "old tables: nothing is left"
