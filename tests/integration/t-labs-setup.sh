#!/bin/bash
# docs/labs/setup.sh and env.sh as a learner runs them (t-labs.sh runs the
# labs' blocks in lib.sh's namespaces of the same shape, not these two
# scripts): setup.sh makes lab-host, lab-up and lab-lan with their
# addresses and routes, env.sh in lab-host names them and this checkout's
# minirun, a container there reaches the upstream through MASQUERADE, and
# `setup.sh down` leaves nothing. Traffic goes only to 203.0.113.1 and
# 198.51.100.0/24, in those namespaces. A learner's lab already running (its
# namespaces or /run/minirun-lab) is left alone: the test then skips.
. "$(dirname "$0")/lib.sh"
SETUP="$TOP/docs/labs/setup.sh"
LAB_ROOT=/run/minirun-lab # env.sh's MINIRUN_ROOT

# One network test at a time on a machine (as net_setup does).
exec {T_NETLOCK}>/tmp/minirun-nettest.lock
flock "$T_NETLOCK"
lab_ns() { ip netns list | grep -oE '^lab-(host|up|lan)\b' | sort | tr '\n' ' '; }
if [ -n "$(lab_ns)" ] || [ -e "$LAB_ROOT" ]; then
	skip "docs/labs/setup.sh and env.sh" "a lab is set up on this machine already ($(lab_ns)$([ -e "$LAB_ROOT" ] && echo "$LAB_ROOT"))"
	exit 0
fi
at_cleanup "rm -rf $LAB_ROOT"
at_cleanup "$SETUP down {T_NETLOCK}>&-"

out=$("$SETUP" {T_NETLOCK}>&- 2>&1)
check "setup.sh makes the lab's network" [ $? -eq 0 ]
check_match "setup.sh says what to do next" "$out" 'nsenter --net=/run/netns/lab-host bash'
check_eq "the three namespaces" "$(lab_ns)" "lab-host lab-lan lab-up "
check_match "lab-host's way out is the upstream" "$(ip -n lab-host route show default)" 'default via 203.0.113.1 dev up0'
check_match "lab-lan's default route is lab-host" "$(ip -n lab-lan route show default)" 'default via 198.51.100.1 dev eth0'
check "lab-host reaches the upstream" ip netns exec lab-host ping -c1 -W2 203.0.113.1
check "lab-host reaches the LAN neighbour" ip netns exec lab-host ping -c1 -W2 198.51.100.2

has_line() { grep -qxE "$1" <<<"$envout"; } # REGEX: a whole line of env.sh's output
# env.sh, sourced from the top of the checkout in lab-host, as the README says.
envout=$(cd "$TOP" && ROOTFS=$ROOTFS nsenter --net=/run/netns/lab-host bash -c '
	. docs/labs/env.sh || { [ -z "${LAB:-}" ] || rm -rf "$LAB"; exit 1; }
	trap '\''rm -rf "$LAB"'\'' EXIT # env.sh'\''s scratch directory, whatever happens next
	echo "names $UP $LAN $HOSTNS"
	echo "root $MINIRUN_ROOT"
	echo "minirun $(command -v minirun)"
	echo "lab $LAB $PWD"
	minirun run --rm "$ROOTFS" ping -c1 -W2 203.0.113.1 >/dev/null && echo "container reached the upstream"
	minirun ps -aq | wc -l | sed "s/^/left /"
' {T_NETLOCK}>&- 2>&1)
labdir=$(sed -n 's|^lab \(/tmp/minirun-lab\.[^ ]*\) .*|\1|p' <<<"$envout")
check_eq "env.sh's scratch directory is gone with its shell" \
	"$([ -n "$labdir" ] && [ ! -e "$labdir" ] && echo gone)" gone
check "env.sh names the namespaces" has_line 'names lab-up lab-lan lab-host'
check "env.sh keeps the labs' containers in their own root" has_line "root $LAB_ROOT"
check "env.sh puts this checkout's minirun first" has_line "minirun $TOP/minirun"
check "env.sh moves into a scratch directory" has_line 'lab (/tmp/minirun-lab\.[^ ]+) \1'
check "a container in lab-host reaches the upstream" has_line 'container reached the upstream'
check "and is gone after --rm" has_line 'left 0'
[ "$T_FAILED" -eq 0 ] || diag "$envout"

"$SETUP" down {T_NETLOCK}>&-
check "setup.sh down removes the lab's namespaces" [ -z "$(lab_ns)" ]
check "setup.sh down twice is fine" "$SETUP" down {T_NETLOCK}>&-
