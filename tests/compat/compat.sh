#!/bin/bash
# compat.sh - `make compat`: the same scenarios on Docker and on minirun, side
# by side, and a table of what differs (issue 8).
#
#   tests/compat/compat.sh           the table, scenario by scenario
#   tests/compat/compat.sh --tap     one TAP line per scenario (tests/integration/t-compat.sh)
#
# Both engines live in lib.sh's throwaway host namespace: a private dockerd
# (docker-lib.sh: own data and exec roots, socket, pidfile, cgroup parent, a
# fake modprobe, Docker's defaults otherwise) and minirun with the test's own
# --root. Both run the same image: the test rootfs plus a UDP echo server,
# imported into Docker with `docker import` (nothing is pulled).
#
# Each scenario prints what a user would see (stdout, "stderr: " lines, "exit:
# N"), once per engine; the outputs are compared after normalization:
#   same                  equal once container ids, ages, the image's name and
#                         the host ports of each engine (Docker 18xxx, minirun
#                         28xxx) are replaced by placeholders;
#   same modulo subnet    equal once the bridge addresses are too (Docker's
#                         172.17.0.0/16, minirun's 10.99.0.0/16, and the MACs
#                         made from them);
#   different             shown with both outputs; ok in --tap mode only when
#                         docs/docker-differences.md lists the scenario (its
#                         table is the one list of expected differences);
#   not applicable        one engine has no such feature.
# Scenarios marked "status" compare the exit status only (error messages
# have each engine's own words).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
. "$HERE/../integration/docker-lib.sh"
FORMAT=table
[ "${1:-}" = --tap ] && FORMAT=tap
DOC=$TOP/docs/docker-differences.md
TAG=compat-image
[ "$FORMAT" = tap ] || trap 't_finish >/dev/null; exit $?' EXIT
# A one-line verdict, when the suite cannot run at all.
give_up() {
	if [ "$FORMAT" = tap ]; then
		skip "Docker compatibility suite" "$1"
		exit 0
	fi
	echo "compat: not run: $1" >&2
	T_FAILED=1
	exit 1
}

missing=""
[ -x "$MINIRUN" ] || missing+=" minirun (make)"
[ -x "$ROOTFS/bin/busybox" ] || missing+=" rootfs $ROOTFS"
for tool in jq curl nsenter cc; do command -v "$tool" >/dev/null || missing+=" $tool"; done
[ "$(id -u)" = 0 ] || give_up "needs root"
[ -z "$missing" ] || give_up "missing:$missing"
[ -f "$DOC" ] || give_up "no $DOC"
command -v dockerd >/dev/null || give_up "no Docker engine here (apt-get install docker.io)"

# ---- the list of expected differences: docs/docker-differences.md ----
# Rows of its table look like "| `scenario` | on purpose | why |".
declare -A EXPECTED
while IFS='|' read -r _ name kind _; do
	name=$(echo "$name" | tr -d ' `')
	kind=$(echo "$kind" | sed 's/^ *//; s/ *$//')
	[ -n "$name" ] && EXPECTED[$name]=$kind
done < <(grep -E '^\| `[a-z0-9-]+` \|' "$DOC")

net_setup || {
	not_ok "make the throwaway namespaces"
	exit 1
}

IMG=$T_DIR/$TAG
cp -a "$ROOTFS" "$IMG"
cc -static -O2 -o "$IMG/bin/udp-echo" "$TOP/tests/helpers/udp-echo.c" 2>/dev/null ||
	give_up "cannot build tests/helpers/udp-echo.c statically"

# One host resolv.conf for both engines, whatever the machine's, shaped as
# distributions leave it (a comment, a search line, a loopback and an IPv6
# server among usable ones): dockerd sees it as /etc/resolv.conf
# (DOCKERD_RESOLV), minirun through `ip netns exec`'s /etc/netns/NS/.
RESOLV=$T_DIR/resolv.conf
printf '%s\n' '# written by the compat suite' 'search lab.example' 'nameserver 198.51.100.53' \
	'nameserver 127.0.0.1' '' 'options edns0 trust-ad' 'nameserver 2001:db8::53' >"$RESOLV"
[ -d /etc/netns ] || at_cleanup "rmdir /etc/netns"
mkdir -p "/etc/netns/$HOSTNS"
at_cleanup "rm -rf /etc/netns/$HOSTNS"
cp "$RESOLV" "/etc/netns/$HOSTNS/resolv.conf"

at_cleanup dockerd_cleanup
if ! DOCKERD_RESOLV=$RESOLV dockerd_start "$T_DIR/docker" "$HOSTNS" "minirun-compat-$$"; then
	give_up "Docker engine cannot start here: $DOCKERD_WHY"
fi
dockerd_import "$IMG" "$TAG" || give_up "docker import failed"
DOCKER_VERSION=$(dk version -f '{{.Server.Version}}' 2>/dev/null)
MINIRUN_VERSION=$(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')

# ---- the engines behind one interface ----
# erun ENGINE RUN-ARGS... (with @ standing for the image)
erun() {
	local e=$1 a args=()
	shift
	for a in "$@"; do
		if [ "$a" = @ ]; then
			if [ "$e" = docker ]; then args+=("$TAG"); else args+=("$IMG"); fi
		else
			args+=("$a")
		fi
	done
	if [ "$e" = docker ]; then
		$ERUN_EXEC "$DOCKER_CLIENT" -H "unix://$DOCKERD_DIR/sock" run "${args[@]}"
	else
		$ERUN_EXEC ip netns exec "$HOSTNS" "$MINIRUN" --root "$ROOT" run "${args[@]}" {T_NETLOCK}>&-
	fi
}
ERUN_EXEC=""
# erun_bg ENGINE RUN-ARGS...: in the background, the client's own pid in BGPID
# (the subshell execs it, so that signals sent to BGPID reach the client)
erun_bg() {
	(
		ERUN_EXEC=exec
		erun "$@"
	) &
	BGPID=$!
}
# everb ENGINE VERB ARGS...: ps, port, inspect, kill, rm, ...
everb() {
	local e=$1
	shift
	if [ "$e" = docker ]; then
		"$DOCKER_CLIENT" -H "unix://$DOCKERD_DIR/sock" "$@"
	else
		ip netns exec "$HOSTNS" "$MINIRUN" --root "$ROOT" "$@" {T_NETLOCK}>&-
	fi
}
# eport ENGINE N: the host port number N (0-999) of this engine
eport() { if [ "$1" = docker ]; then echo $((18000 + $2)); else echo $((28000 + $2)); fi; }
# capture CMD...: what a user sees: stdout, stderr marked, the exit status
capture() {
	local rc
	"$@" >"$T_DIR/out" 2>"$T_DIR/err"
	rc=$?
	cat "$T_DIR/out"
	sed 's/^/stderr: /' "$T_DIR/err"
	echo "exit: $rc"
}
running() { everb "$1" inspect "$2" 2>/dev/null | jq -e '.[0].State.Running' >/dev/null; }

# ---- normalization ----
norm_ids() {
	sed -E -e 's/\b[0-9a-f]{64}\b/<ID64>/g' -e 's/\b[0-9a-f]{12}\b/<ID>/g' \
		-e 's/\b[12]8([0-9]{3})\b/<P\1>/g' -e 's/\b(3[2-9][0-9]{3}|[4-6][0-9]{4})\b/<EPHEMERAL>/g' \
		-e 's/(, )?:::[0-9<>A-Z]+->[0-9]+\/(tcp|udp)//g; /^([0-9]+\/(tcp|udp) -> )?:::[0-9<>A-Z]+$/d' \
		-e "s#$IMG#$TAG#g" \
		-e 's/(Less than a second|About a minute|About an hour|[0-9]+ (second|minute|hour|day)s?)/<T>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z/<TIME>/g' \
		-e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]+ \+0000 UTC/<TIME>/g'
}
norm_subnet() {
	sed -E -e 's/\b172\.17\.0\.0\b/<SUBNET>/g; s/\b10\.99\.0\.0\b/<SUBNET>/g' \
		-e 's/\b172\.17\.255\.255\b/<BCAST>/g; s/\b10\.99\.255\.255\b/<BCAST>/g' \
		-e 's/\b172\.17\.0\.1\b/<GW>/g; s/\b10\.99\.0\.1\b/<GW>/g' \
		-e 's/\b172\.17\.0\.([0-9]+)\b/<IP>/g; s/\b10\.99\.0\.([0-9]+)\b/<IP>/g' \
		-e 's/\b02:42:(ac:11|0a:63):00:[0-9a-f]{2}\b/<MAC>/g' \
		-e 's/\b(docker0|mini0)\b/<BRIDGE>/g'
}

# ---- running one scenario on both ----
N_SAME=0 N_SUBNET=0 N_DIFF=0 N_EXPECTED=0 N_NA=0 N_STALE=0
RESULTS=()
row() { printf '%-26s %s\n' "$1" "$2"; }
show_both() { # docker-output minirun-output
	echo "    docker:"
	sed 's/^/    | /' <<<"$1"
	echo "    minirun:"
	sed 's/^/    | /' <<<"$2"
}
# scenario NAME [status] FUNC [ARGS...]: FUNC ENGINE ARGS... prints the output
scenario() {
	local name=$1 mode=exact fn d m dn mn verdict why
	shift
	if [ "$1" = status ]; then
		mode=status
		shift
	fi
	fn=$1
	shift
	d=$("$fn" docker "$@" 2>&1)
	m=$("$fn" minirun "$@" 2>&1)
	why=${EXPECTED[$name]:-}
	if [[ $d == N/A* || $m == N/A* ]]; then
		verdict="not applicable"
	else
		if [ "$mode" = status ]; then
			dn=$(grep '^exit:' <<<"$d")
			mn=$(grep '^exit:' <<<"$m")
		else
			dn=$(norm_ids <<<"$d")
			mn=$(norm_ids <<<"$m")
		fi
		if [ "$dn" == "$mn" ]; then
			verdict=same
		elif [ "$(norm_subnet <<<"$dn")" == "$(norm_subnet <<<"$mn")" ]; then
			verdict="same modulo subnet"
		else
			verdict=different
		fi
	fi
	case $verdict in
	same) N_SAME=$((N_SAME + 1)) ;;
	"same modulo subnet") N_SUBNET=$((N_SUBNET + 1)) ;;
	"not applicable") N_NA=$((N_NA + 1)) ;;
	different) if [ -n "$why" ]; then N_EXPECTED=$((N_EXPECTED + 1)); else N_DIFF=$((N_DIFF + 1)); fi ;;
	esac
	if [ "$FORMAT" = tap ]; then
		if [ "$verdict" = different ] && [ -z "$why" ]; then
			not_ok "$name: different from Docker and not in docs/docker-differences.md"
			diag "$(show_both "$d" "$m")"
		elif [ "$verdict" = different ]; then
			ok "$name: different, as documented ($why)"
		elif [ -n "$why" ] && [ "$verdict" != "not applicable" ]; then
			N_STALE=$((N_STALE + 1))
			not_ok "$name: $verdict, but docs/docker-differences.md lists it as a difference"
		else
			ok "$name: $verdict"
		fi
	else
		if [ "$verdict" = different ]; then
			if [ -n "$why" ]; then row "$name" "different (documented: $why)"; else row "$name" "different (NOT DOCUMENTED)"; fi
			show_both "$d" "$m"
		elif [ "$verdict" = "not applicable" ]; then
			row "$name" "not applicable"
			show_both "$d" "$m"
		else
			row "$name" "$verdict${why:+ (but documented as a difference: stale row)}"
		fi
	fi
	SEEN+=("$name")
}
SEEN=()

[ "$FORMAT" = tap ] || {
	echo "Docker $DOCKER_VERSION and minirun $MINIRUN_VERSION, side by side (tests/compat/compat.sh)"
	echo
	row SCENARIO RESULT
}

. "$HERE/scenarios.sh"

# Every documented row must name a scenario that exists.
for name in "${!EXPECTED[@]}"; do
	found=0
	for s in "${SEEN[@]}"; do [ "$s" = "$name" ] && found=1; done
	if [ "$found" = 0 ]; then
		N_STALE=$((N_STALE + 1))
		if [ "$FORMAT" = tap ]; then
			not_ok "docs/docker-differences.md lists \`$name\`, which is no scenario"
		else
			row "$name" "documented, but no such scenario"
		fi
	fi
done

# Nothing of either engine's containers may be left (the lib's cleanups
# would hide it).
left=$(dk ps -aq | wc -l)
dk rmi "$TAG" >/dev/null 2>&1
dockerd_cleanup # (its mounts are under T_DIR too)
if [ "$FORMAT" = tap ]; then
	check_eq "no Docker container is left" "$left" 0
	assert_clean "no minirun container is left"
else
	echo
	echo "$((${#SEEN[@]})) scenarios: $N_SAME same, $N_SUBNET same modulo subnet, $N_EXPECTED different as documented, $N_DIFF different and NOT documented, $N_NA not applicable, $N_STALE stale doc rows"
	[ "$left" = 0 ] || echo "compat: $left Docker containers were left" >&2
	[ "$N_DIFF" = 0 ] && [ "$N_STALE" = 0 ] || T_FAILED=1
fi
