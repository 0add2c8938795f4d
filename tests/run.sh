#!/bin/bash
# run.sh - the whole test suite: unit test programs, then integration scripts.
# Each prints TAP lines ("ok N - what", "not ok N - what", "ok N - what # SKIP
# why"); this script counts them and ends with "N passed, N failed[, N skipped]".
# A script that exits non-zero without a "not ok" line, or hangs past its
# time limit, counts as one more failure.
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$PWD
export TOP
passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/minirun-tests.XXXXXX)
trap 'rm -rf "$log"' EXIT

# One busybox rootfs for every integration test (read-only for them: each
# container writes into its own overlay layer).
export MINIRUN_TEST_ROOTFS="$TOP/build/rootfs-busybox"
if [ ! -x "$MINIRUN_TEST_ROOTFS/bin/busybox" ]; then
	rm -rf "$MINIRUN_TEST_ROOTFS"
	rootfs-tools/mkrootfs busybox "$MINIRUN_TEST_ROOTFS" >/dev/null || {
		echo "cannot build the test rootfs"
		exit 1
	}
fi

run_one() { # name, timeout, command...
	local name=$1 limit=$2 out rc p f s
	shift 2
	out="$log/$(basename "$name").out"
	timeout --kill-after=10 "$limit" "$@" >"$out" 2>&1
	rc=$?
	p=$(grep -cE '^ok [0-9]+' "$out" | head -1)
	s=$(grep -cE '^ok [0-9]+.*# SKIP' "$out" | head -1)
	f=$(grep -cE '^not ok [0-9]+' "$out" | head -1)
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited $rc$([ "$rc" -ge 124 ] && echo ' (timed out?)')" >>"$out"
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		grep -E '^(not ok|#)' "$out" | sed 's/^/    /' | head -40
		echo "    (full output: last lines)"
		tail -15 "$out" | sed 's/^/    | /'
	else
		echo "ok   $name ($p passed$([ "$s" -gt 0 ] && echo ", $s skipped"))"
		grep -E '# SKIP' "$out" | sed 's/^/    /'
	fi
}

for t in build/tests/test_*; do
	[ -x "$t" ] && run_one "$t" 120 "$t"
done
# The same unit tests built with ASan and UBSan (`make unit-asan-bins`), when
# they exist: a sanitizer report makes the program exit non-zero.
for t in build/asan/test_*; do
	[ -x "$t" ] && run_one "$t" 300 env ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$t"
done
for t in tests/integration/t-*.sh; do
	[ -n "${MINIRUN_TESTS:-}" ] && ! [[ "$t" =~ $MINIRUN_TESTS ]] && continue
	run_one "$t" 600 bash "$t"
done

line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
