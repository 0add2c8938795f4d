#!/bin/bash
# `make demo`'s script, run inside a throwaway host namespace: the page
# arrives, and the demo leaves the namespace as it found it.
. "$(dirname "$0")/lib.sh"
net_setup || { not_ok "net_setup"; exit 1; }

in_host sysctl -qw net.ipv4.ip_forward=0
out=$(cd "$TOP" && ROOTFS="$ROOTFS" MINIRUN_ROOT="$ROOT" timeout 60 ip netns exec "$HOSTNS" bash tests/demo.sh 2>&1)
rc=$?
check_eq "the demo succeeds" "$rc" 0
check_match "the demo fetched the page" "$out" 'hello from minirun'
check_match "the demo shows the published port in ps" "$out" '0\.0\.0\.0:8080->80/tcp'
# (a container's veth goes with its namespace, moments after it ends)
wait_for 5 sh -c "! ip netns exec '$HOSTNS' ip -o link show | grep -qE 'mini0|: mr'"
check_eq "no mini0 or mr* link is left" "$(in_host ip -o link show | grep -cE 'mini0|: mr')" 0
check "no minirun table is left" sh -c "! ip netns exec '$HOSTNS' nft list tables | grep -q minirun"
check_eq "forwarding is back as it was (off)" "$(in_host sysctl -n net.ipv4.ip_forward)" 0
assert_clean
