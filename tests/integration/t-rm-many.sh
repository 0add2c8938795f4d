#!/bin/bash
# rm [-f] of many containers at once: detached ones are killed with their
# monitor and released together (one IPAM lock, one nftables batch); a `run`
# in the foreground is not killed but tears its own container down; each REF
# is answered in order; nothing is left; and it is not slower than one by one.
# gc releases dead containers the same way, and removes temporary files of
# writers that were killed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1

# Three detached containers with TCP and UDP ports, one exited one, one in
# the foreground (its minirun stays the owner), one name that is nothing.
for i in 1 2 3; do
	mr run -d --name "d$i" -p "808$i:80" -p "909$i:53/udp" "$ROOTFS" sleep 1000 >/dev/null
done
mr run --name exited -p 8089:80 "$ROOTFS" true
mr_bg run --rm --name fg -p 8088:80 "$ROOTFS" sleep 1000
fg_pid=$BGPID
wait_running 4
check_eq "five containers' ports are published" "$(n_elems)" 7
monitors=$(for i in 1 2 3; do jq -r .owner "$(state_of "d$i")"; done)

mr rm -f d1 nothing d2 exited fg d1 d3 >"$T_DIR/out" 2>"$T_DIR/err"
check_eq "rm -f: exit 1 (some REFs are no containers)" $? 1
check_eq "rm -f: the removed REFs in order" "$(cat "$T_DIR/out")" $'d1\nd2\nexited\nfg\nd3'
check_eq "rm -f: one line per REF it could not remove, in order" "$(cat "$T_DIR/err")" \
	$'minirun: no such container: nothing\nminirun: no such container: d1'
alive=0
for m in $monitors; do # (a zombie is gone: it waits for its reaper only)
	case $(ps -o stat= -p "$m") in "" | Z*) ;; *) alive=$((alive + 1)) ;; esac
done
check_eq "the monitors are gone" "$alive" 0
wait "$fg_pid"
check_eq "the foreground run was not killed: it reports its container's SIGKILL" $? 137
net_clean "rm -f: no link, element or lease left"
assert_clean "rm -f of many"

# A newer container holds a port an exited container once had: rm of the
# old one (in a batch) must not unpublish it.
mr run --name old -p 8087:80 "$ROOTFS" true
mr run -d --name new -p 8087:80 "$ROOTFS" sleep 1000 >/dev/null
mr run -d --name other -p 8086:80 "$ROOTFS" sleep 1000 >/dev/null
check "rm of the exited one and another" mr rm -f old other
check_eq "the newer container's port is still published" "$(n_elems)" 1
check_eq "... as its own" "$(in_host nft list map inet minirun ports_any | grep -c '8087 : 10\.')" 1
check "rm -f new" mr rm -f new
assert_clean "after the newer one"

# rm -f of a container still starting: its owner (stopped here after step 2)
# has not recorded the container's pid yet. Once it goes on, rm -f kills
# what starts, rather than wait for an owner that goes on too (it gave up
# after 10 s, "did not stop", and the container ran on). In a terminal and
# detached (there the owner becomes a monitor, killed with it).
for d in "" -d; do
	MINIRUN_TEST_STOP_AFTER=2 mr_bg run $d --name starting -p 8085:80 "$ROOTFS" sleep 1000
	run_pid=$BGPID
	wait_for 5 sh -c "[ \"\$(ps -o stat= -p \$(jq -r .owner '$(state_of starting)' 2>/dev/null) 2>/dev/null)\" = T ]"
	owner=$(jq -r .owner "$(state_of starting)")
	s=$(date +%s%N)
	mr rm -f starting >"$T_DIR/out" 2>"$T_DIR/err" &
	rm_pid=$!
	sleep 0.3 # rm has looked: an owner at work, no pid yet
	kill -CONT "$owner"
	wait "$rm_pid"
	check_eq "rm -f ${d:-(terminal)} of a starting container: exit 0" "$?" 0
	ms=$((($(date +%s%N) - s) / 1000000))
	check_eq "... it is removed" "$(cat "$T_DIR/out" "$T_DIR/err")" starting
	if [ "$ms" -lt 5000 ]; then ok "... in $ms ms (< 5000)"; else not_ok "... in $ms ms"; fi
	wait "$run_pid"
	rc=$?
	# (run -d may have reported the start before its monitor was killed)
	[ -z "$d" ] && check "... and its run ends, not with 0 ($rc)" test "$rc" != 0
	check "... with no sleep left" sh -c "! pgrep -f 'sleep 1000\$' >/dev/null"
	net_clean "rm -f ${d:-(terminal)} of a starting container: no link, element or lease left"
	assert_clean "after rm -f ${d:-(terminal)} of a starting container"
done

# Many: 30 detached containers, removed in one go, well under one by one.
for i in $(seq 30); do
	mr run -d -p "$((20000 + i)):80" "$ROOTFS" sleep 1000 >/dev/null
done
check_eq "30 containers' ports are published" "$(n_elems)" 30
s=$(date +%s%N)
# shellcheck disable=SC2046
mr rm -f $(ls "$ROOT/containers") >/dev/null
ms=$((($(date +%s%N) - s) / 1000000))
if [ "$ms" -lt 3000 ]; then ok "rm -f of 30 took $ms ms (< 3000)"; else not_ok "rm -f of 30 took $ms ms"; fi
net_clean "rm -f of 30: no link, element or lease left"
assert_clean "rm -f of 30"

# gc releases many dead ones at once too: monitors killed by hand.
for i in 1 2 3; do mr run -d --name "g$i" -p "808$i:80" "$ROOTFS" sleep 1000 >/dev/null; done
for i in 1 2 3; do
	f=$(state_of "g$i")
	kill -9 "$(jq -r .owner "$f")" "$(jq -r .pid "$f")"
done
wait_for 5 sh -c "! pgrep -f 'sleep 1000\$' >/dev/null"
check_eq "gc reports the three" "$(mr gc | grep -c 'released')" 3
net_clean "gc of three: no link, element or lease left"
check "rm of the three exited" mr rm g1 g2 g3
assert_clean "after gc and rm"

# A writer killed between its temporary file and the rename (rm -f kills
# monitors that may be writing a lease): gc removes the file if that
# writer is gone, and only then.
dead=$(($(cat /proc/sys/kernel/pid_max) + 1))
touch "$ROOT/.ipam-network.json.tmp.$dead" "$ROOT/.ipam-network.json.tmp.$$"
check_eq "gc removes a dead writer's temporary file" "$(mr gc)" \
	"removed .ipam-network.json.tmp.$dead (its writer is gone)"
check "... and leaves a live writer's" test -f "$ROOT/.ipam-network.json.tmp.$$"
rm -f "$ROOT/.ipam-network.json.tmp.$$"
