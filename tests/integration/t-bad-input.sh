#!/bin/bash
# Bad input: one line on stderr ("minirun: what: why"), exit 125, and nothing
# left behind (no state directory, name, lease, mount or process).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T_DIR/file" && : >"$T_DIR/afile"
ln -s / "$T_DIR/slash"
mkdir -p "$T_DIR/has,comma"

# bad "what" regex args...: exit 125 (or $BAD_RC), exactly one stderr line matching regex.
bad() {
	local what=$1 re=$2 err rc
	shift 2
	err=$(mr "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "${BAD_RC:-125}" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" =~ ^minirun:\ $re ]]; then
		ok "$what"
	else
		not_ok "$what"
		diag "exit $rc, stderr: $err"
	fi
	assert_clean "... and leaves nothing"
}

BAD_RC=1 bad "missing ROOTFS argument (exit 1, as docker run without an image)" '"run" requires at least 1 argument' run
bad "ROOTFS that does not exist" "rootfs $T_DIR/nope: No such file or directory" run "$T_DIR/nope" true
bad "ROOTFS that is a file" "rootfs $T_DIR/afile: Not a directory" run "$T_DIR/afile" true
bad "ROOTFS resolving to /" "rootfs $T_DIR/slash: the host's / cannot be a container's root" run "$T_DIR/slash" true
bad "ROOTFS /" "rootfs /: the host's / cannot be a container's root" run / true
bad "ROOTFS path with a comma" "rootfs .*must not contain" run "$T_DIR/has,comma" true
bad "unknown flag" "unknown flag: --bogus" run --bogus "$ROOTFS" true
bad "unknown shorthand flag" "unknown shorthand flag: 'z'" run -z "$ROOTFS" true
bad "flag without its value" "flag needs an argument" run "--name"
bad "-e with an empty name" 'invalid argument "=x" for -e: variable name is empty' run -e =x "$ROOTFS" true
bad "invalid name (leading dash)" 'invalid container name "-x"' run --name=-x "$ROOTFS" true
bad "invalid name (slash)" 'invalid container name "a/b"' run --name a/b "$ROOTFS" true
bad "name longer than 64" 'invalid container name' run --name "$(printf 'a%.0s' {1..65})" "$ROOTFS" true
bad "invalid hostname" 'invalid hostname "bad_host!"' run -h 'bad_host!' "$ROOTFS" true
bad "hostname longer than 64" 'invalid hostname' run -h "$(printf 'a%.0s' {1..65})" "$ROOTFS" true
bad "unknown network mode" 'invalid argument "nope" for --network' run --network nope "$ROOTFS" true
bad "relative -w" 'invalid working directory "rel"' run -w rel "$ROOTFS" true
bad "malformed -p" 'invalid port spec "80:abc"' run -p 80:abc "$ROOTFS" true
bad "bad --ip" 'invalid IPv4 address "1.2.3" for --ip' run --ip 1.2.3 "$ROOTFS" true
bad "--ip outside bridge mode" '--ip needs the bridge network' run --network none --ip 10.99.0.9 "$ROOTFS" true
bad "bad --add-host" 'invalid argument "nocolon" for --add-host' run --add-host nocolon "$ROOTFS" true
bad "bad --dns" 'invalid IP address "x" for --dns' run --dns x "$ROOTFS" true
bad "unknown command" 'unknown command: frobnicate' frobnicate

# A name in use: the second run fails, the first container is untouched.
mr run --name taken --network none "$ROOTFS" true
err=$(mr run --name taken --network none "$ROOTFS" true 2>&1)
check_eq "a name in use is refused (exit 125)" "$?" 125
check_eq "... with one line" "$err" 'minirun: container name "taken" is already in use; remove that container or choose another name'
check_eq "... and the first container is still there" "$(ls "$ROOT/containers" | wc -l)" 1
mr rm taken >/dev/null
assert_clean "rm leaves nothing"

# A failing exec leaves nothing either (not even with a name, without --rm).
mr run --name gone --network none "$ROOTFS" /nope 2>/dev/null
check_eq "a command that cannot start: 127" $? 127
assert_clean "... and leaves nothing"
check "the name is free again" mr run --rm --name gone --network none "$ROOTFS" true

# Environment-given root: MINIRUN_ROOT is used when --root is absent.
MINIRUN_ROOT="$T_DIR/envroot" "$MINIRUN" run --name viaenv --network none "$ROOTFS" true
check "MINIRUN_ROOT is the default root" test -L "$T_DIR/envroot/names/viaenv"
MINIRUN_ROOT="$T_DIR/envroot" "$MINIRUN" rm viaenv >/dev/null
err=$(mr --root relative/dir run --network none "$ROOTFS" true 2>&1)
check_eq "a relative --root is refused" "$?" 125
rm -rf relative
