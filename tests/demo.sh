#!/bin/bash
# demo.sh - what `sudo make demo` shows: a busybox web server published on
# port 8080, fetched with curl from the host, then removed with nothing left.
set -eu
cd "$(dirname "$0")/.."
ROOTFS=${ROOTFS:-rootfs/busybox}
ROOT=${MINIRUN_ROOT:-/run/minirun}
PORT=${DEMO_PORT:-8080}
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

had_bridge=$(ip link show mini0 >/dev/null 2>&1 && echo yes || echo no)
had_table=$(nft list table inet minirun >/dev/null 2>&1 && echo yes || echo no)
had_forward=$(cat /proc/sys/net/ipv4/ip_forward)
had_root=$([ -e "$ROOT" ] && echo yes || echo no)
cleanup() {
	[ -n "${pid:-}" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	# Leave the host as we found it: the bridge and table go if we made them.
	[ "$had_bridge" = no ] && ip link del mini0 2>/dev/null
	[ "$had_table" = no ] && nft delete table inet minirun 2>/dev/null
	[ "$had_table" = no ] && nft delete table bridge minirun 2>/dev/null
	[ "$had_root" = no ] && rm -rf "$ROOT"
	# minirun turned forwarding on for the bridge; put it back as it was
	[ "$had_bridge" = no ] && echo "$had_forward" >/proc/sys/net/ipv4/ip_forward
	true
}
trap cleanup EXIT

say "./minirun run --rm --init --name demo -p $PORT:80 $ROOTFS httpd -f -p 80 -h /var/www &"
./minirun --root "$ROOT" run --rm --init --name demo -p "$PORT:80" "$ROOTFS" httpd -f -p 80 -h /var/www &
pid=$!
for _ in $(seq 100); do
	curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" && break
	sleep 0.05
done
say "./minirun ps"
./minirun --root "$ROOT" ps
say "curl http://127.0.0.1:$PORT/"
page=$(curl -s --max-time 3 "http://127.0.0.1:$PORT/")
echo "$page"
say "nft list table inet minirun   # the published port is one map element"
nft list table inet minirun | sed -n '/map ports_any/,/}/p'
say "kill -TERM <minirun>   # --init passes the signal to httpd; minirun removes the container"
kill -TERM "$pid"
wait "$pid" || true
pid=
# (the kernel deletes the veth with the container's namespace, moments after)
for _ in 1 2 3 4 5 6 7 8 9 10; do ip -br link | grep -q '^mr' || break; sleep 0.1; done
say "ip -br link; ./minirun ps -a   # nothing is left"
ip -br link | grep -E 'mini0|^mr' || true
./minirun --root "$ROOT" ps -a
case "$page" in
*"hello from minirun"*) echo; echo "demo: ok" ;;
*) echo "demo: the page did not arrive" >&2; exit 1 ;;
esac
