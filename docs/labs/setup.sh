#!/bin/bash
# setup.sh [down] - the labs' own little network, in three network namespaces
# so nothing of the machine's own is touched (the same shape as the tests'):
#   lab-host  up0 203.0.113.2/24  <->  lab-up  eth0 203.0.113.1/24   (the host's way out)
#   lab-host lan0 198.51.100.1/24 <->  lab-lan eth0 198.51.100.2/24  (a LAN neighbour)
# `setup.sh down` removes them (and everything that runs in them).
set -e
if [ "${1:-}" = down ]; then
	for ns in lab-host lab-up lab-lan; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9
		ip netns del "$ns" 2>/dev/null || true
	done
	exit 0
fi
ip netns add lab-host
ip netns add lab-up
ip netns add lab-lan
for ns in lab-host lab-up lab-lan; do ip -n "$ns" link set lo up; done
ip -n lab-host link add up0 type veth peer name eth0 netns lab-up
ip -n lab-host link add lan0 type veth peer name eth0 netns lab-lan
ip -n lab-host addr add 203.0.113.2/24 dev up0
ip -n lab-host addr add 198.51.100.1/24 dev lan0
ip -n lab-up addr add 203.0.113.1/24 dev eth0
ip -n lab-lan addr add 198.51.100.2/24 dev eth0
ip -n lab-host link set up0 up
ip -n lab-host link set lan0 up
ip -n lab-up link set eth0 up
ip -n lab-lan link set eth0 up
ip -n lab-host route add default via 203.0.113.1
ip -n lab-lan route add default via 198.51.100.1
echo "now: sudo nsenter --net=/run/netns/lab-host bash, then: . docs/labs/env.sh"
