#!/bin/bash
# Crash safety: minirun killed by SIGKILL after each step of setup and
# teardown (the test-only hook MINIRUN_TEST_CRASH_AFTER=N). Whatever any step
# leaves behind, `minirun gc` takes back completely, and the next run works.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1
STEPS=11

# The container outlives no crash: it dies with minirun (PDEATHSIG).
no_container_left() { ! pgrep -f 'sleep 0\.3$' >/dev/null; }

for n in $(seq 1 $STEPS); do
	MINIRUN_TEST_CRASH_AFTER=$n mr run --rm --name crashy -p 8080:80 "$ROOTFS" sleep 0.3 >/dev/null 2>&1
	rc=$?
	check_eq "step $n: minirun died by SIGKILL" "$rc" 137
	wait_for 5 no_container_left
	check "step $n: the container went with it" no_container_left
	mr gc >/dev/null
	assert_clean "step $n: gc takes back everything"
	mr gc >"$T_DIR/gc2"
	check_eq "step $n: a second gc finds nothing" "$(cat "$T_DIR/gc2")" ""
	check "step $n: the next run can use the same name and port" mr run --rm --name crashy -p 8080:80 "$ROOTFS" true
done

# Without gc: the next run itself takes back a dead run's address and port.
MINIRUN_TEST_CRASH_AFTER=9 mr run --rm -p 8081:80 "$ROOTFS" sleep 0.3 >/dev/null 2>&1
wait_for 5 no_container_left
check "the next run reclaims a dead run's port by itself" mr run --rm -p 8081:80 "$ROOTFS" true
check_eq "... and its lease" "$(ls "$ROOT/ipam/leases" | wc -l)" 0
mr gc >/dev/null
assert_clean "after the last gc"

# Teardown twice is harmless: rm of a container whose network is gone.
mr run --name twice -p 8082:80 "$ROOTFS" true
check "rm after a normal exit" mr rm twice
check_eq "rm again: no such container (exit 1)" "$(mr rm twice 2>/dev/null; echo $?)" 1
assert_clean

# rm -f of many killed after each step of its batched release (21-23: the
# elements, the veths, the first lease; 24-25: before and after the first
# state). What is left is taken back by rm again, and the ports are free.
three_up() {
	for i in 1 2 3; do
		mr run -d --name "c$i" -p "808$i:80" -p "909$i:53/udp" "$ROOTFS" sleep 1000 >/dev/null
	done
	wait_running 3
}
for n in 21 22 23 24 25; do
	three_up
	MINIRUN_TEST_CRASH_AFTER=$n mr rm -f c1 c2 c3 >/dev/null 2>&1
	check_eq "rm step $n: rm died by SIGKILL" $? 137
	left=$(mr ps -aq)
	case $n in
	24) check_eq "rm step $n: the three states are still there" "$(echo "$left" | wc -w)" 3 ;;
	25) check_eq "rm step $n: two states are still there" "$(echo "$left" | wc -w)" 2 ;;
	esac
	# shellcheck disable=SC2086
	[ -z "$left" ] || check "rm step $n: rm -f again removes what is left" mr rm -f $left
	net_clean "rm step $n: no link, element or lease left"
	assert_clean "rm step $n: nothing left"
	three_up
	check_eq "rm step $n: the ports are published again" "$(n_elems)" 6
	check "rm step $n: and rm -f removes them" mr rm -f c1 c2 c3
	assert_clean "rm step $n: nothing left at the end"
done
