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
