#!/bin/bash
# A released container's veth is taken off mini0 and down at once, not
# deleted: deleting it would wait 10-20 ms for RCU callbacks, and the kernel
# deletes the pair anyway with the container's namespace, moments later.
# Here: after `run --rm`, `rm -f` and `gc` no host end is in service and all
# are gone within a moment; a namespace someone still holds keeps its pair,
# off the bridge and down, and the next container on the same address (the
# same MAC) is reached at once; the pair goes when the namespace is let go.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1

all_mr() { in_host ip -o link show | grep -oE '^[0-9]+: mr[^:@]*' | awk '{print $2}' | tr '\n' ' '; }

check "run --rm -p" mr run --rm -p 18080:80 "$ROOTFS" true
check_eq "... its veth is out of service at once" "$(mr_links)" ""
check "... and gone within a moment" wait_for 5 no_mr_link

for i in 1 2 3; do mr run -d --name "c$i" -p "1808$i:80" "$ROOTFS" sleep 1000 >/dev/null; done
check_eq "three veths in service" "$(mr_links | wc -w)" 3
check "rm -f of the three" mr rm -f c1 c2 c3
check_eq "... out of service at once" "$(mr_links)" ""
check "... and gone within a moment" wait_for 5 no_mr_link

MINIRUN_TEST_CRASH_AFTER=9 mr run --rm --name dead -p 18085:80 "$ROOTFS" sleep 0.3 >/dev/null 2>&1
wait_for 5 sh -c "! pgrep -f 'sleep 0\.3\$'"
check "gc of a run killed by SIGKILL" mr gc
check_eq "... its veth out of service" "$(mr_links)" ""
check "... and gone within a moment" wait_for 5 no_mr_link

# Someone holds the container's namespace (a name, as `ip netns attach`
# gives it): the pair stays while they do, off the bridge and down.
mr run -d --name held -p 18086:80 "$ROOTFS" sleep 1000 >/dev/null
ip_held=$(jq -r .network.ip "$(state_of held)")
veth=$(jq -r .network.veth "$(state_of held)")
HELD="mrt-held-$$"
at_cleanup "ip netns del $HELD 2>/dev/null"
ip netns attach "$HELD" "$(jq -r .pid "$(state_of held)")"
check "rm -f of a container whose namespace is held" mr rm -f held
check_match "... its veth stays, off mini0 and down" "$(in_host ip -o link show "$veth" 2>&1)" '^[0-9]+: mr[0-9a-f]+@[^:]*: <[^>]*> .* state DOWN'
check "... not on mini0" sh -c "! ip netns exec '$HOSTNS' ip -o link show master mini0 | grep -q '$veth'"
mr run -d --name next --ip "$ip_held" "$ROOTFS" sleep 1000 >/dev/null
check_eq "the next container takes the same address (and MAC)" "$(jq -r .network.ip "$(state_of next)")" "$ip_held"
check "... and the host reaches it at once" in_host ping -c 1 -W 2 "$ip_held"
ip netns del "$HELD"
check "the held pair goes when the namespace is let go" wait_for 5 sh -c "! ip netns exec '$HOSTNS' ip link show '$veth' 2>/dev/null"
mr rm -f next >/dev/null
net_clean "nothing is left"
assert_clean
