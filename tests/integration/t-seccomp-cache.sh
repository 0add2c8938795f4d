#!/bin/bash
# The seccomp program cached in ROOT/seccomp.bpf: made by the first run,
# loaded as it is by the next, and a damaged or stale one is never used: the
# filter is built again, holds as before, and the cache is written anew.
. "$(dirname "$0")/lib.sh"

# filtered: inside, a namespace cannot be made and the filter is on. A user
# namespace needs no capability: only the filter refuses it.
filtered() {
	mr run --rm --network none "$ROOTFS" sh -c \
		'unshare -U true 2>/dev/null && echo unshared; grep "^Seccomp:" /proc/self/status'
}
key() { head -1 "$ROOT/seccomp.bpf"; }
check_eq "without the filter a user namespace can be made (so the check can fail)" \
	"$(mr run --rm --network none --security-opt seccomp=unconfined "$ROOTFS" sh -c \
		'unshare -U true && echo unshared')" unshared

check_eq "first run: filtered" "$(filtered)" $'Seccomp:\t2'
check "first run: the program is cached" test -s "$ROOT/seccomp.bpf"
check_match "... behind a key naming minirun, libseccomp and the kernel" "$(key)" \
	"^minirun seccomp 2; libseccomp [0-9.]+; $(uname -r) "
check_eq "... readable by root only" "$(stat -c %a "$ROOT/seccomp.bpf")" 600
sum=$(md5sum <"$ROOT/seccomp.bpf")
check_eq "second run, from the cache: filtered" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is left as it was" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# Damaged: a program cut in the middle of an instruction.
size=$(stat -c %s "$ROOT/seccomp.bpf")
cp "$ROOT/seccomp.bpf" "$T_DIR/good.bpf"
truncate -s $((size - 3)) "$ROOT/seccomp.bpf"
check_eq "a cut program is not loaded: filtered all the same" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# Cut at an instruction's end: still valid BPF, but not the filter (before
# the sum line, the kernel refused it on every run, or it loaded a shorter
# program).
for cut in 8 16; do
	cp "$T_DIR/good.bpf" "$ROOT/seccomp.bpf"
	truncate -s $((size - cut)) "$ROOT/seccomp.bpf"
	check_eq "cut by $cut bytes: not loaded, filtered all the same" "$(filtered)" $'Seccomp:\t2'
	check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"
done
# The right key and length, other bytes (a page zeroed by a power cut): the
# checksum tells. And another program under the right key ("allow all").
head -c $(($(head -2 "$T_DIR/good.bpf" | wc -c))) "$T_DIR/good.bpf" >"$T_DIR/head"
cp "$T_DIR/good.bpf" "$ROOT/seccomp.bpf"
dd if=/dev/zero of="$ROOT/seccomp.bpf" bs=1 seek=$(($(stat -c %s "$T_DIR/head") + 8)) \
	count=64 conv=notrunc status=none
check_eq "zeroed instructions: not loaded, filtered all the same" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"
{ cat "$T_DIR/head"; printf '\x06\x00\x00\x00\x00\x00\xff\x7f'; } >"$ROOT/seccomp.bpf"
check_eq "another program under the key: not loaded, filtered all the same" "$(filtered)" \
	$'Seccomp:\t2'
check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# Stale: another key (another binary, libseccomp or kernel) with an empty
# program behind it.
printf 'minirun seccomp 1; libseccomp 0.0.0; other kernel\n' >"$ROOT/seccomp.bpf"
check_eq "a stale key is not used: filtered" "$(filtered)" $'Seccomp:\t2'
check_eq "... and the cache is written anew" "$(md5sum <"$ROOT/seccomp.bpf")" "$sum"

# exec loads the same cached program: a missing cache is built by exec too.
mr run -d --name ex --network none "$ROOTFS" sleep 300 >/dev/null
rm -f "$ROOT/seccomp.bpf"
check_eq "exec: filtered, from the cache" "$(mr exec ex grep '^Seccomp:' /proc/self/status)" $'Seccomp:\t2'
check_eq "... which it built when missing, the same program" "$(md5sum <"$ROOT/seccomp.bpf" 2>&1)" "$sum"
printf 'minirun seccomp 1; libseccomp 0.0.0; other kernel\n' >"$ROOT/seccomp.bpf"
check_eq "exec: a stale key is not used: filtered" "$(mr exec ex grep '^Seccomp:' /proc/self/status)" $'Seccomp:\t2'
check_eq "... and exec's command cannot make a user namespace" \
	"$(mr exec ex sh -c 'unshare -U true 2>/dev/null && echo unshared; grep "^Seccomp:" /proc/self/status')" \
	$'Seccomp:\t2'
# A root others may write (exec opens it without run's checks): its cache
# is neither read nor written; the filter is built at load.
chmod 0775 "$ROOT"
printf 'minirun seccomp 1; libseccomp 0.0.0; other kernel\n' >"$ROOT/seccomp.bpf"
stale=$(md5sum <"$ROOT/seccomp.bpf")
check_eq "exec with a group-writable root: filtered" "$(mr exec ex grep '^Seccomp:' /proc/self/status)" $'Seccomp:\t2'
check_eq "... without touching its cache" "$(md5sum <"$ROOT/seccomp.bpf")" "$stale"
chmod 0700 "$ROOT"
mr rm -f ex >/dev/null

# Unconfined asks for no filter, cache or not.
check_eq "--security-opt seccomp=unconfined: no filter" \
	"$(mr run --rm --network none --security-opt seccomp=unconfined "$ROOTFS" grep '^Seccomp:' /proc/self/status)" \
	$'Seccomp:\t0'
assert_clean
