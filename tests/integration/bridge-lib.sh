# bridge-lib.sh - helpers shared by the t-bridge-*.sh tests (sourced after
# lib.sh). Everything runs inside lib.sh's throwaway namespaces.

# shellcheck disable=SC2034 # used by the tests that source this file
BB="$ROOTFS/bin/busybox" # a static busybox, for servers in the test's namespaces

# The state files of this test's containers that are running (minirun saves
# "running" once the network is built, just before the command starts).
running_states() {
	local f
	for f in "$ROOT"/containers/*/state.json; do
		[ -f "$f" ] && [ "$(jq -r .status "$f" 2>/dev/null)" = running ] && echo "$f"
	done
}
n_running() { running_states | wc -l; }
# wait_running N: until N containers are running (bounded).
wait_running() { wait_for "${2:-10}" sh -c "[ \$(ls \"$ROOT\"/containers/*/state.json 2>/dev/null | xargs -r jq -r .status | grep -c running) -ge $1 ]"; }
# state_of NAME: the state.json of the container called NAME.
state_of() { echo "$ROOT/containers/$(basename "$(readlink -f "$ROOT/names/$1")")/state.json"; }

n_leases() { ls "$ROOT/ipam/leases" 2>/dev/null | wc -l; }
n_states() { ls "$ROOT/containers" 2>/dev/null | wc -l; }
# mr_links: the containers' host ends in service (on a bridge, or up). A
# released one is taken off mini0 and down at once, and the kernel deletes it
# with the container's namespace moments later (net_clean waits for that).
mr_links() {
	in_host ip -o link show | grep -E '^[0-9]+: mr' | grep -E ' master |[<,]UP[,>]' |
		awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '
}
n_elems() {
	tick
	in_host nft -j list table inet minirun 2>/dev/null |
		jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add // 0'
}
n_rules() { in_host nft -j list table inet minirun | jq '[.nftables[] | select(.rule)] | length'; }

# No mr* link, no map element, no lease: what every container must take
# back when it ends (assert_clean checks more, this is the network part).
net_clean() {
	local what=$1 left=""
	[ -n "$(mr_links)" ] && left+="links: $(mr_links); "
	wait_for 30 no_mr_link || left+="links not deleted: $(in_host ip -o link show | grep -oE '^[0-9]+: mr[^:@]*' | tr '\n' ' '); "
	[ "$(n_elems)" != 0 ] && left+="map elements: $(n_elems); "
	[ "$(n_leases)" != 0 ] && left+="leases: $(n_leases); "
	if [ -z "$left" ]; then ok "$what"; else not_ok "$what"; diag "$left"; fi
}

# get NS URL: the body, or nothing (3 s at most).
get() { ip netns exec "$1" curl -s --max-time 3 "$2"; }
# answers NS URL: the page of the busybox rootfs arrives.
answers() { get "$1" "$2" | grep -q 'hello from minirun'; }
# refused NS URL: nothing arrives (connection refused, dropped or timed out).
refused() { ! ip netns exec "$1" curl -s --max-time 2 -o /dev/null "$2"; }

# bad125 "what" REGEX ARGS...: minirun exits 125 with exactly one stderr line
# "minirun: " + REGEX.
bad125() {
	local what=$1 re=$2 err rc
	shift 2
	err=$(mr "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 125 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" =~ ^minirun:\ $re$ ]]; then
		ok "$what"
	else
		not_ok "$what"
		diag "exit $rc, stderr: $err"
	fi
}

# stop PID: end a container started with mr_bg --init (the reaper passes
# SIGTERM on), and reap minirun; SIGKILL if it is not gone within 5 s. The
# status is minirun's.
gone() { local s; s=$(ps -o stat= -p "$1" 2>/dev/null); [ -z "$s" ] || [[ "$s" == Z* ]]; }
stop() {
	kill -TERM "$1" 2>/dev/null
	wait_for 5 gone "$1" || { diag "pid $1 ignored SIGTERM; SIGKILL"; kill -9 "$1" 2>/dev/null; }
	wait "$1" 2>/dev/null
}

# A CGI that prints the peer's address, for busybox httpd -h DIR.
make_peer_cgi() {
	mkdir -p "$1/cgi-bin"
	printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho "$REMOTE_ADDR"\n' >"$1/cgi-bin/peer"
	chmod +x "$1/cgi-bin/peer"
}
# The same, made inside a container before its httpd starts (a shell snippet).
# shellcheck disable=SC2034,SC2016
PEER_CGI='mkdir -p /var/www/cgi-bin && printf "#!/bin/sh\necho Content-Type: text/plain\necho\necho \$REMOTE_ADDR\n" >/var/www/cgi-bin/peer && chmod +x /var/www/cgi-bin/peer'
# busybox httpd shows an IPv4 peer as [::ffff:A.B.C.D]; this leaves A.B.C.D.
peer_of() { get "$1" "$2" | sed 's/^\[::ffff://; s/\]$//'; }

# bridge_setup: the tools these tests observe with, then lib.sh's namespaces.
# A missing tool is a failure (make deps installs them), never a silent skip.
bridge_setup() {
	local tool
	for tool in nft jq curl; do
		command -v "$tool" >/dev/null || { not_ok "$tool is needed (make deps installs it)"; return 1; }
	done
	net_setup || { not_ok "make the throwaway namespaces"; return 1; }
}

# start_upstream_peer: an httpd in the upstream namespace on 203.0.113.1:8000
# whose /cgi-bin/peer answers with the address a request came from (so a
# test can see MASQUERADE), stopped at cleanup.
start_upstream_peer() {
	local www="$T_DIR/upwww"
	make_peer_cgi "$www"
	in_up "$BB" httpd -f -p 8000 -h "$www" &
	UPSRV=$!
	at_cleanup "kill $UPSRV"
	wait_for 5 in_up curl -s --max-time 1 http://203.0.113.1:8000/cgi-bin/peer
}

# kernel_at_least MAJOR MINOR: the running kernel is that version or later.
kernel_at_least() {
	local maj min
	IFS=. read -r maj min _ <<<"$(uname -r)"
	min=${min%%[^0-9]*}
	[ "$maj" -gt "$1" ] || { [ "$maj" -eq "$1" ] && [ "$min" -ge "$2" ]; }
}
