#!/bin/bash
# Bridge networking (issue 3), the network itself: mini0 made on first use
# with the uplink's MTU, what a container gets (eth0, MAC, route, its host end
# on mini0), masquerade towards the upstream, /etc/hosts and /etc/resolv.conf,
# --network none and host, and that every way a container ends takes back
# its link, map elements and lease. All inside lib.sh's throwaway namespaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"

bridge_setup || exit 1

# The host's resolv.conf as minirun sees it: `ip netns exec` bind-mounts
# /etc/netns/NAME/resolv.conf over /etc/resolv.conf.
[ -d /etc/netns ] || at_cleanup "rmdir /etc/netns"
mkdir -p "/etc/netns/$HOSTNS"
at_cleanup "rm -rf /etc/netns/$HOSTNS"
printf 'nameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch lan.test\noptions edns0\n' >"/etc/netns/$HOSTNS/resolv.conf"

# ---- mini0, made on first use, following the uplink's MTU ----
check "no mini0 before the first run" sh -c "! ip -n $HOSTNS link show mini0 2>/dev/null"
ip -n "$HOSTNS" link set up0 mtu 1400

out="$T_DIR/c1.out"
mr_bg run --rm --init --name c1 -h web1 --add-host db:192.0.2.10 --add-host cache.lan:192.0.2.11 "$ROOTFS" \
	sh -c 'ip -o -4 addr show eth0; ip -o link show eth0; ip route; cat /sys/class/net/eth0/mtu; ls /sys/class/net | tr "\n" " "; echo;
	       echo ---hosts; cat /etc/hosts; echo ---resolv; cat /etc/resolv.conf; echo ---end; exec sleep 30' >"$out" 2>&1
C1=$BGPID
wait_for 10 grep -q -- ---end "$out"
st=$(state_of c1)
ip1=$(jq -r .network.ip "$st")
id1=$(jq -r .id "$st")
host_end=mr${id1:0:12}

check_match "mini0 is a bridge" "$(ip -n "$HOSTNS" -d -o link show mini0)" ' bridge '
check_eq "mini0 carries the gateway 10.99.0.1/16" "$(ip -n "$HOSTNS" -o -4 addr show mini0 | awk '{print $4}')" 10.99.0.1/16
check_match "mini0 is up" "$(ip -n "$HOSTNS" -o link show mini0)" '<[^>]*,UP[,>]'
check_match "mini0 has the uplink's MTU (1400)" "$(ip -n "$HOSTNS" -o link show mini0)" ' mtu 1400 '
check_eq "ip_forward is on" "$(in_host cat /proc/sys/net/ipv4/ip_forward)" 1
check_eq "route_localnet is on for mini0" "$(in_host cat /proc/sys/net/ipv4/conf/mini0/route_localnet)" 1
check_eq "... and not for all or default" "$(in_host cat /proc/sys/net/ipv4/conf/all/route_localnet /proc/sys/net/ipv4/conf/default/route_localnet | tr '\n' ' ')" "0 0 "
# A bridge without a MAC of its own takes its lowest port's and changes it as
# containers come and go; containers then send to a MAC that is gone.
mac0=$(in_host cat /sys/class/net/mini0/address)
check_eq "mini0's MAC is its own (addr_assign_type 3, set), not a port's" \
	"$(in_host cat /sys/class/net/mini0/addr_assign_type)" 3
check_eq "ipam/network.json records the subnet" "$(jq -r .subnet "$ROOT/ipam/network.json")" 10.99.0.0/16

# ---- the container's side ----
check_match "the first container gets 10.99.0.2" "$ip1" '^10\.99\.0\.2$'
check_match "eth0 has its address with the subnet's prefix" "$(cat "$out")" "eth0 +inet $ip1/16 "
# shellcheck disable=SC2086 # split on purpose: four bytes
mac=$(printf '02:42:%02x:%02x:%02x:%02x' ${ip1//./ })
check_match "eth0's MAC is 02:42 + the address ($mac)" "$(grep 'link/ether' "$out")" "link/ether $mac "
check_eq "state.json records that MAC" "$(jq -r .network.mac "$st")" "$mac"
check_match "the default route goes via the gateway" "$(cat "$out")" $'(^|\n)default via 10\\.99\\.0\\.1 dev eth0'
check_eq "eth0 has the uplink's MTU too" "$(sed -n '/^[0-9]*$/p' "$out" | head -1)" 1400
check_eq "the container has lo and eth0" "$(grep -E '^(eth0|lo) ' "$out" | tr ' ' '\n' | sort | grep . | tr '\n' ' ')" "eth0 lo "

# ---- the host end ----
check_eq "the host end is mr + 12 hex of the id" "$(jq -r .network.veth "$st")" "$host_end"
check_match "... attached to mini0 and up" "$(ip -n "$HOSTNS" -o link show "$host_end" 2>&1)" 'master mini0 state UP'
check_eq "both ends have no transmit queue length (as Docker's)" \
	"$(in_host cat "/sys/class/net/$host_end/tx_queue_len") $(grep -c 'qlen' <<<"$(grep ' eth0' "$out" | grep 'link/ether')")" "0 0"
check_match "... in hairpin mode" "$(in_host bridge -d link show dev "$host_end" 2>&1)" 'hairpin on'
check_eq "it is mini0's only port" "$(ip -n "$HOSTNS" -o link show master mini0 | wc -l)" 1

# ---- /etc/hosts and /etc/resolv.conf ----
hosts=$(sed -n '/^---hosts$/,/^---resolv$/p' "$out" | sed '1d;$d')
resolv=$(sed -n '/^---resolv$/,/^---end$/p' "$out" | sed '1d;$d')
check_eq "/etc/hosts ends with \"IP<tab>HOSTNAME\"" "$(tail -1 <<<"$hosts")" "$ip1	web1"
check_eq "/etc/hosts starts with Docker's localhost lines" "$(head -2 <<<"$hosts")" $'127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback'
check_eq "--add-host entries come before it, in order" "$(tail -3 <<<"$hosts" | head -2)" $'192.0.2.10\tdb\n192.0.2.11\tcache.lan'
check_eq "/etc/resolv.conf drops the host's 127.x nameserver, keeps the rest" "$resolv" $'nameserver 192.0.2.53\nsearch lan.test\noptions edns0'
out2=$(mr run --rm --dns 192.0.2.1 --dns 192.0.2.2 --dns-search a.test --dns-search b.test --dns-option ndots:2 "$ROOTFS" cat /etc/resolv.conf)
check_eq "--dns, --dns-search and --dns-option replace the host's (Docker's order: search, nameserver, options)" "$out2" $'search a.test b.test\nnameserver 192.0.2.1\nnameserver 192.0.2.2\noptions ndots:2'
out2=$(mr run --rm --dns-search . "$ROOTFS" cat /etc/resolv.conf)
check_eq "--dns-search . drops the search domains" "$out2" $'nameserver 192.0.2.53\noptions edns0'

# ---- containers reach each other, the gateway and (masqueraded) the upstream ----
check "a second container reaches the first by address" mr run --rm "$ROOTFS" ping -c 1 -W 2 "$ip1"
check "a container reaches the gateway" mr run --rm "$ROOTFS" ping -c 1 -W 2 10.99.0.1
start_upstream_peer
peer=$(mr run --rm "$ROOTFS" sh -c "timeout 3 wget -qO- http://203.0.113.1:8000/cgi-bin/peer")
check_eq "the upstream sees a container's connection from the host's address (masquerade)" "$peer" "[::ffff:203.0.113.2]"
check "the upstream has no route back to the containers (so masquerade is needed)" sh -c "! ip -n $UPNS route get 10.99.0.2 >/dev/null 2>&1"

stop "$C1"
check_eq "a container stopped by a signal exits 143" "$?" 143
net_clean "... and leaves no link, element or lease"

# The bridge keeps the uplink's MTU for later containers too (the kernel sets
# a bridge without ports back to 1500; each veth must still get 1400).
last=$(jq -r .last "$ROOT/ipam/network.json")
out2=$(mr run --rm "$ROOTFS" sh -c 'cat /sys/class/net/eth0/mtu; ip -o -4 addr show eth0')
check_match "a later container's eth0 has MTU 1400 too" "$out2" '^1400'
check_match "... and the address after the last one handed out ($last), not the freed $ip1" "$out2" "inet 10\.99\.0\.$((${last##*.} + 1))/16"

# ---- --network none and host ----
out2=$(mr run --rm --network none "$ROOTFS" ls /sys/class/net)
check_eq "--network none: only lo" "$out2" lo
err=$(mr run --rm --network none -p 8080:80 "$ROOTFS" true 2>&1)
check_eq "--network none with -p: a WARNING, and the run goes on" "$?:$err" "0:WARNING: Published ports are discarded when using none network mode"
mr_bg run --rm --init --network host -p 8080:80 "$ROOTFS" sh -c 'readlink /proc/self/ns/net; cat /etc/resolv.conf; exec sleep 30' >"$T_DIR/host.out" 2>"$T_DIR/host.err"
H=$BGPID
wait_for 10 grep -q nameserver "$T_DIR/host.out"
check_eq "--network host: the host's network namespace" "$(head -1 "$T_DIR/host.out")" "$(in_host readlink /proc/self/ns/net)"
check_eq "... keeps the host's resolv.conf as it is" "$(grep -c nameserver "$T_DIR/host.out")" 2
check_eq "... -p gives a WARNING" "$(cat "$T_DIR/host.err")" "WARNING: Published ports are discarded when using host network mode"
check_eq "... and publishes nothing, leases nothing, links nothing" "$(n_elems) $(n_leases) $(mr_links)" "0 0 "
stop "$H"

# ---- every way a container ends gives back its network ----
mr run --rm -p 8085:80 "$ROOTFS" true
check_eq "normal exit: 0" "$?" 0
net_clean "... nothing left"
mr run --rm -p 8085:80 "$ROOTFS" sh -c 'exit 3'
check_eq "exit 3 passes through" "$?" 3
net_clean "... nothing left"
mr run -p 8085:80 "$ROOTFS" nosuchcmd 2>/dev/null
check_eq "failed start (missing command, no --rm): 127" "$?" 127
net_clean "... nothing left"
mr_bg run --rm -p 8085:80 "$ROOTFS" sleep 30
K=$BGPID
wait_running 1
check_eq "while it runs: one link, one element, one lease" "$(mr_links | wc -w) $(n_elems) $(n_leases)" "1 1 1"
wait_for 10 container_pid "$K" 'sleep 30'
kill -9 "$(container_pid "$K" 'sleep 30')"
wait "$K"
check_eq "container killed with SIGKILL from the host: 137" "$?" 137
net_clean "... nothing left"
mr run --name kept -p 8085:80 "$ROOTFS" true
net_clean "a container kept after its exit (no --rm) holds no network"
mr rm kept >/dev/null
check_eq "mini0 kept its MAC while containers came and went" "$(in_host cat /sys/class/net/mini0/address)" "$mac0"
assert_clean
