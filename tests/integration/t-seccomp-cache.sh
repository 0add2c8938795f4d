#!/bin/bash
# The seccomp program cached in ROOT/seccomp.bpf: made by the first run,
# loaded as it is by the next, and a damaged or stale one is never used: the
# filter is built again, holds as before, and the cache is written anew.
. "$(dirname "$0")/lib.sh"

# filtered: inside, a namespace cannot be made and the filter is on.
filtered() {
	mr run --rm --network none "$ROOTFS" sh -c \
		'unshare -n true 2>/dev/null && echo unshared; grep "^Seccomp:" /proc/self/status'
}
key() { head -1 "$ROOT/seccomp.bpf"; }

check_eq "first run: filtered" "$(filtered)" $'Seccomp:\t2'
check "first run: the program is cached" test -s "$ROOT/seccomp.bpf"
check_match "... behind a key naming minirun, libseccomp and the kernel" "$(key)" \
	"^minirun seccomp 1; libseccomp [0-9.]+; $(uname -r) "
check_eq "... readable by root only" "$(stat -c %a "$ROOT/seccomp.bpf")" 600
sum=$(md5sum <"$ROOT/seccomp.bpf")
check_eq "second run, from the cache: filtered" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is left as it was" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# Damaged: a program cut in the middle of an instruction.
size=$(stat -c %s "$ROOT/seccomp.bpf")
truncate -s $((size - 3)) "$ROOT/seccomp.bpf"
check_eq "a cut program is not loaded: filtered all the same" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# Stale: another key (another binary, libseccomp or kernel) with an empty
# program behind it.
printf 'minirun seccomp 1; libseccomp 0.0.0; other kernel\n' >"$ROOT/seccomp.bpf"
check_eq "a stale key is not used: filtered" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# Unconfined asks for no filter, cache or not.
check_eq "--security-opt seccomp=unconfined: no filter" \
	"$(mr run --rm --network none --security-opt seccomp=unconfined "$ROOTFS" grep '^Seccomp:' /proc/self/status)" \
	$'Seccomp:\t0'
assert_clean
