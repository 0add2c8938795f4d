#!/bin/bash
# The network setup survives `nft flush ruleset`: the next run, or `gc`,
# makes the tables again and puts back every running container's elements.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1

mr_bg run --init --name web -p 8080:80 "$ROOTFS" httpd -f -p 80 -h /var/www
wait_for 10 in_lan curl -sf --max-time 1 http://198.51.100.1:8080/
page() { in_lan curl -s --max-time 2 http://198.51.100.1:8080/; }
local_page() { in_host curl -s --max-time 2 http://127.0.0.1:8080/; }
up() { mr exec web sh -c 'timeout 3 wget -qO- http://203.0.113.1:8000/ >/dev/null 2>&1 && echo up'; }
ip -n "$UPNS" link set lo up
ip netns exec "$UPNS" "$ROOTFS/bin/busybox" httpd -p 8000 -h "$ROOTFS/var/www" &
UPHTTPD=$!
at_cleanup "kill $UPHTTPD"
wait_for 5 in_up "$ROOTFS/bin/busybox" wget -qO- http://127.0.0.1:8000/
check_match "the published port answers the LAN" "$(page)" 'hello from minirun'
check_eq "the container reaches the upstream" "$(up)" up

in_host nft flush ruleset
check_eq "after nft flush ruleset the port is gone" "$(page)" ""
check_eq "... and so is the way out" "$(up)" ""

check "the next run works" mr run --rm "$ROOTFS" true
check_match "... and has put the published port back (LAN)" "$(page)" 'hello from minirun'
check_match "... (127.0.0.1 on the host)" "$(local_page)" 'hello from minirun'
check_eq "... and the running container's way out" "$(up)" up

in_host nft flush ruleset
check_match "gc after a flush says it restored" "$(mr gc)" 'restored the nftables tables'
check_match "... and the port answers again" "$(page)" 'hello from minirun'
check_eq "... and the way out works" "$(up)" up
check_eq "a second gc restores nothing" "$(mr gc)" ""

mr stop web >/dev/null
wait "$BGPID" 2>/dev/null
mr rm web >/dev/null
assert_clean
