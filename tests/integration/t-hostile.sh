#!/bin/bash
# Hostile input: malformed flags and values, huge arguments, rootfs contents
# built to trick minirun, containers that misbehave, and corrupt state. Each
# case wants either one clear line on stderr ("minirun: what: why", exit 125 or
# the documented status) or the right behaviour, and leaves nothing behind.
# Almost everything runs with --network none; the few bridge cases at the end
# use a throwaway network namespace.
#
# A case that shows a known bug is written with known_bug: it runs, and is
# reported as skipped ("# SKIP known bug: ...") while it fails, so it never
# counts as passed; once the bug is fixed it passes and says so.
# shellcheck disable=SC2016 # single quotes: expanded by the container's shell
. "$(dirname "$0")/lib.sh"

mkdir -p "$ROOT" && chmod 700 "$ROOT"

# mrt ARGS...: minirun with this test's root, bounded in time (no network namespace).
mrt() { timeout --kill-after=5 60 "$MINIRUN" --root "$ROOT" "$@"; }

# refuse "what" status prefix args...: exit status, exactly one stderr line,
# which starts with "minirun: PREFIX" (taken literally); then nothing left.
refuse() {
	local what=$1 want=$2 pfx=$3 err rc
	shift 3
	err=$(mrt "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq "$want" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] &&
		[[ "$err" == "minirun: $pfx"* ]]; then
		ok "$what"
	else
		not_ok "$what"
		diag "exit $rc (want $want), stderr: $err"
		diag "want prefix: minirun: $pfx"
	fi
}
bad() { # bad "what" prefix args...: refuse with 125
	local what=$1
	shift
	refuse "$what" 125 "$@"
}

# known_bug "what" "why" cmd...: cmd is the real check (exit 0 = right).
known_bug() {
	local what=$1 why=$2
	shift 2
	if "$@" >/dev/null 2>&1; then ok "$what (known bug fixed: turn known_bug into a check)"; else skip "$what" "known bug: $why"; fi
}
one_line_125() { # args...: exit 125 and a single stderr line
	local err rc
	err=$(mrt "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" -eq 125 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
}

none=(run --rm --network none)

# ---------------------------------------------------------------- -p shapes
for spec in '' ':' '::' '1:2:3:4' '0:80' '80:0' '70000:80' '80:70000' '80/sctp' '80/' 'a-b:1' \
	'8000-8002:80-81' '80-81:8000-8002' '1.2.3:80:80' '256.0.0.1:80:80' '[::1]:80:80' '::1:80:80' \
	' 80' '80 ' $'80\t' '99999999999999999999:80' '80:99999999999999999999' '80-79' \
	'1-2000:1-2000' '-80' '+80' '1.2.3.4:80' '0x50' '８０'; do
	bad "-p '$spec'" "invalid port spec \"$spec\": " "${none[@]}" -p "$spec" "$ROOTFS" true
done
assert_clean "no -p refusal leaves anything"

# ------------------------------------------------------ --ip, --dns, --add-host
for v in '' '256.1.1.1' '10.99.0.1/16' '::1' ' 10.99.0.5' '1.2.3' '1.2.3.4.5' '010.099.000.005'; do
	bad "--ip '$v'" "invalid IPv4 address \"$v\" for --ip" run --ip "$v" "$ROOTFS" true
done
for v in '' '1.2.3.4 ' 'a;b' '8.8.8.8,1.1.1.1' '8.8.8.8/32' 'localhost'; do
	bad "--dns '$v'" "invalid IP address \"$v\" for --dns" "${none[@]}" --dns "$v" "$ROOTFS" true
done
for v in '' ':' ':1.2.3.4' 'nocolon'; do
	bad "--add-host '$v'" "invalid argument \"$v\" for --add-host: want NAME:IP" \
		"${none[@]}" --add-host "$v" "$ROOTFS" true
done
for v in 'a:' 'a:b' 'a:1.2.3' 'a:1.2.3.4:5' 'a b:1.2.3.4' '-a:1.2.3.4' 'a:host-gateway'; do
	bad "--add-host '$v'" "invalid argument \"$v\" for --add-host: " \
		"${none[@]}" --add-host "$v" "$ROOTFS" true
done
out=$(mrt "${none[@]}" --add-host 'v6:::1' --add-host 'v4.example:192.0.2.7' "$ROOTFS" cat /etc/hosts)
check_match "--add-host with IPv6 and dotted names works" "$out" $'::1\tv6.*192\\.0\\.2\\.7\tv4\\.example'
assert_clean "no --ip/--dns/--add-host refusal leaves anything"

# ------------------------------------------------------------ names, hostnames
for v in '' 'a b' 'a$b' 'a:b' '.a' '_a' '-a' 'a@b' $'a\tb' 'ä' '..' 'a/..' 'a\b' '*' 'a;rm' \
	"$(printf 'a%.0s' {1..65})"; do
	bad "--name '${v:0:20}'" "invalid container name \"$v\"" "${none[@]}" --name "$v" "$ROOTFS" true
done
for v in '' '-a' 'a-' 'a..b' 'a_b' '.a' 'a.b.' 'a b' "$(printf 'a%.0s' {1..64})" \
	"$(printf 'a%.0s' {1..63}).b" "$(printf 'a%.0s' {1..64}).b"; do
	bad "-h '${v:0:20}'" "invalid hostname \"$v\"" "${none[@]}" -h "$v" "$ROOTFS" true
done
check_eq "-h of 63 characters works" \
	"$(mrt "${none[@]}" -h "$(printf 'b%.0s' {1..63})" "$ROOTFS" hostname)" "$(printf 'b%.0s' {1..63})"
assert_clean "no name/hostname refusal leaves anything"

# A control character in a value must not break the one-line error (nor reach
# a terminal raw): cli/main.c prints err.msg as it is.
for flag in -p --name -h --dns --ip -w --network; do
	check "$flag with a newline: one line" \
		one_line_125 "${none[@]}" "$flag" $'a\nb' "$ROOTFS" true
done
check "--add-host with a newline: one line" \
	one_line_125 "${none[@]}" --add-host $'a\nb:1.2.3.4' "$ROOTFS" true
bad "--dns-search with a newline" "invalid argument for --dns-search: newline in value" \
	"${none[@]}" --dns-search $'a\nb' "$ROOTFS" true
bad "--dns-option with a newline" "invalid argument for --dns-option: newline in value" \
	"${none[@]}" --dns-option $'a\nb' "$ROOTFS" true

# ------------------------------------------------------------------- -e
for v in '=' '' '=x'; do
	bad "-e '$v'" "invalid argument \"$v\" for -e: variable name is empty" "${none[@]}" -e "$v" "$ROOTFS" true
done
check_eq "-e with '=' in the value keeps it" "$(mrt "${none[@]}" -e 'A=b=c=' "$ROOTFS" sh -c 'echo "$A"')" "b=c="
check_eq "-e KEY= sets an empty value" "$(mrt "${none[@]}" -e 'E=' "$ROOTFS" sh -c 'echo "[${E-unset}]"')" "[]"
check_eq "bare -e of an unset variable is not set" \
	"$(env -u MR_UNSET_VAR "$MINIRUN" --root "$ROOT" "${none[@]}" -e MR_UNSET_VAR "$ROOTFS" sh -c 'echo "[${MR_UNSET_VAR-unset}]"')" "[unset]"

# ------------------------------------------------- kill, logs, stop arguments
mrt run -d --name target --network none "$ROOTFS" sleep 600 >/dev/null
for s in BOGUS 0 99 SIGFOO -9 ''; do
	refuse "kill -s '$s': exit 1 (as Docker)" 1 "invalid signal: $s" kill -s "$s" target
done
bad "logs --tail -1" 'invalid argument "-1" for --tail' logs --tail -1 target
bad "logs --tail x" 'invalid argument "x" for --tail' logs --tail x target
bad "stop -t x" 'invalid argument "x" for -t' stop -t x target
bad "stop -t -5" 'invalid argument "-5" for -t' stop -t -5 target
bad "stop -t 99999999999999999999" 'invalid argument "99999999999999999999" for -t' stop -t 99999999999999999999 target
check "the target is still running after all that" sh -c "'$MINIRUN' --root '$ROOT' inspect target | jq -e '.[0].State.Running'"
refuse "rm of a running container: exit 1" 1 "cannot remove container target: container is running" rm target
refuse "exec without a command: exit 1 (as Docker)" 1 '"exec" requires at least 2 arguments' exec target
refuse "exec in an unknown container: exit 1 (as Docker)" 1 'no such container: nosuch' exec nosuch true
refuse "kill of an unknown container: exit 1 (as Docker)" 1 'no such container: nosuch' kill nosuch
mrt rm -f target >/dev/null
assert_clean "rm -f after the refusals leaves nothing"

# ------------------------------------------------------------ huge arguments
big64k=$(head -c 65536 /dev/zero | tr '\0' x)
check_eq "a 64 KiB argument reaches the command" "$(mrt "${none[@]}" "$ROOTFS" sh -c 'echo ${#1}' sh "$big64k")" 65536
bad "a 64 KiB --name" "invalid container name" "${none[@]}" --name "$big64k" "$ROOTFS" true
bad "a 64 KiB -p" "invalid port spec" "${none[@]}" -p "$big64k" "$ROOTFS" true
bad "a 64 KiB -h" "invalid hostname" "${none[@]}" -h "$big64k" "$ROOTFS" true
check_eq "10000 arguments reach the command" "$(mrt "${none[@]}" "$ROOTFS" sh -c 'echo $#' sh $(seq 10000))" 10000
# One variable can hold at most 128 KiB (the kernel's MAX_ARG_STRLEN), so a
# 1 MiB environment is eight variables of 127 KiB, passed as bare -e KEY.
big127k=$(head -c 130048 /dev/zero | tr '\0' y)
envargs=() && for i in 1 2 3 4 5 6 7 8; do envargs+=(-e "BIG$i"); done
got=$(env BIG1="$big127k" BIG2="$big127k" BIG3="$big127k" BIG4="$big127k" BIG5="$big127k" \
	BIG6="$big127k" BIG7="$big127k" BIG8="$big127k" \
	timeout 60 "$MINIRUN" --root "$ROOT" "${none[@]}" "${envargs[@]}" "$ROOTFS" \
	sh -c 'echo $((${#BIG1} + ${#BIG2} + ${#BIG3} + ${#BIG4} + ${#BIG5} + ${#BIG6} + ${#BIG7} + ${#BIG8}))')
check_eq "a 1 MiB environment (8 x 127 KiB) reaches the command" "$got" $((8 * 130048))
assert_clean "huge arguments leave nothing"

# ------------------------------------------------------ hostile rootfs contents
RFS="$T_DIR/rfs"
fresh_rfs() { rm -rf "${RFS:?}" && cp -a "$ROOTFS" "$RFS"; }

fresh_rfs && rm -rf "${RFS:?}/etc" && ln -s / "$RFS/etc"
bad "/etc a symlink to /" "rootfs: /etc is a symlink or not a directory" "${none[@]}" "$RFS" true

shadow_before=$(sha256sum /etc/shadow /etc/hosts 2>/dev/null)
fresh_rfs && rm -f "${RFS:?}/etc/hosts" && ln -s /etc/shadow "$RFS/etc/hosts"
out=$(mrt "${none[@]}" "$RFS" sh -c 'head -1 /etc/hosts; echo evil >>/etc/hosts; cat /etc/hosts' 2>&1)
check_match "/etc/hosts a symlink to the host's /etc/shadow: the container gets its own hosts" "$out" \
	$'^127\\.0\\.0\\.1\tlocalhost'
check_eq "... and the host's /etc/shadow and /etc/hosts are unchanged" "$(sha256sum /etc/shadow /etc/hosts 2>/dev/null)" "$shadow_before"
check_eq "... and the rootfs symlink is untouched" "$(readlink "$RFS/etc/hosts")" /etc/shadow

fresh_rfs && rm -f "${RFS:?}/etc/resolv.conf" && mkdir "$RFS/etc/resolv.conf"
bad "/etc/resolv.conf a directory" "rootfs: /etc/resolv.conf is a directory" "${none[@]}" "$RFS" true

fresh_rfs && rm -f "${RFS:?}/etc/hostname" && mkfifo "$RFS/etc/hostname"
check_eq "/etc/hostname a fifo: no hang, the container's own file" \
	"$(mrt "${none[@]}" -h fifo "$RFS" cat /etc/hostname)" fifo
fresh_rfs && rm -f "${RFS:?}/etc/hostname" && mknod "$RFS/etc/hostname" c 1 3
check_eq "/etc/hostname a device node: the container's own file" \
	"$(mrt "${none[@]}" -h devnode "$RFS" cat /etc/hostname)" devnode

fresh_rfs && rm -rf "${RFS:?}/proc" && ln -s /tmp "$RFS/proc"
bad "/proc a symlink to /tmp" "rootfs: /proc is a symlink or not a directory" "${none[@]}" "$RFS" true
fresh_rfs && rm -rf "${RFS:?}/proc" && : >"$RFS/proc"
bad "/proc a regular file" "rootfs: /proc is a symlink or not a directory" "${none[@]}" "$RFS" true
fresh_rfs && rm -rf "${RFS:?}/dev" && ln -s / "$RFS/dev"
bad "/dev a symlink to /" "rootfs: /dev is a symlink or not a directory" "${none[@]}" "$RFS" true
fresh_rfs && rm -rf "${RFS:?}/sys" && : >"$RFS/sys"
bad "/sys a regular file" "rootfs: /sys is a symlink or not a directory" "${none[@]}" "$RFS" true

fresh_rfs && rm -rf "${RFS:?}/tmp" && ln -s /root "$RFS/tmp"
marker="minirun-hostile-$$"
mrt "${none[@]}" "$RFS" sh -c "echo hi >/tmp/$marker" >/dev/null 2>&1
check "/tmp a symlink out: writes stay inside the container" test ! -e "/root/$marker"
rm -f "/root/$marker"

fresh_rfs && rm -f "${RFS:?}/bin/sh"
refuse "a rootfs without /bin/sh: 127" 127 'exec "/bin/sh": No such file or directory' "${none[@]}" "$RFS" /bin/sh -c true
refuse "... and sh via PATH: 127" 127 'exec: "sh": executable file not found in $PATH' "${none[@]}" "$RFS" sh -c true

fresh_rfs && chmod 4755 "$RFS/bin/busybox"
out=$(mrt "${none[@]}" "$RFS" grep -E '^CapEff' /proc/self/status)
check_eq "a setuid-root busybox gains no capability beyond Docker's set" "$out" $'CapEff:\t00000000a80425fb'
out=$(mrt "${none[@]}" --security-opt no-new-privileges "$RFS" grep -E '^(NoNewPrivs|CapEff)' /proc/self/status | tr '\n' ' ')
check_eq "... and with no-new-privileges: NoNewPrivs 1, same set" "$out" $'CapEff:\t00000000a80425fb NoNewPrivs:\t1 '
check_eq "the rootfs copy is unchanged by all that" "$(stat -c %a "$RFS/bin/busybox")" 4755

mkdir -p "$T_DIR/empty"
refuse "an empty rootfs directory: 127" 127 'exec: "true": executable file not found in $PATH' "${none[@]}" "$T_DIR/empty" true
check_eq "... and it stays empty" "$(ls -A "$T_DIR/empty")" ""

ln -s "$ROOTFS" "$T_DIR/rootfs-link"
check_eq "a rootfs that is a symlink to a directory works" "$(mrt "${none[@]}" "$T_DIR/rootfs-link" echo works)" works
mkdir -p "$T_DIR/has:colon" "$T_DIR/has,comma"
bad "a rootfs path with a colon" "rootfs $T_DIR/has:colon: path must not contain" "${none[@]}" "$T_DIR/has:colon" true
bad "a rootfs path with a comma" "rootfs $T_DIR/has,comma: path must not contain" "${none[@]}" "$T_DIR/has,comma" true
skip "a rootfs the caller has no rights on" "the tests run as root, who has all rights"
assert_clean "no hostile rootfs leaves anything"

# ------------------------------------------------------- container behaviour
out=$(mrt "${none[@]}" "$ROOTFS" sh -c 'for i in $(seq 1000); do sleep 1.137 & done; wait; echo waited')
check_eq "a container that forks 1000 children and waits" "$out" waited
check "... none of them is left" wait_for 30 sh -c '! pgrep -f "slee[p] 1.137"'
start=$(date +%s)
mrt "${none[@]}" "$ROOTFS" sh -c 'for i in $(seq 1000); do sleep 120.391 & done; exit 0'
check_eq "PID 1 exits while 1000 children run: its status" "$?" 0
check "... its children are killed with the PID namespace" wait_for 30 sh -c '! pgrep -f "slee[p] 120.391"'
check "... at once, not when they would have ended" test $(($(date +%s) - start)) -lt 60

mrt run -d --name stubborn --network none "$ROOTFS" sh -c "trap '' TERM; while :; do sleep 1; done" >/dev/null
start=$(date +%s)
mrt stop -t 1 stubborn >/dev/null
elapsed=$(($(date +%s) - start))
check "a container ignoring SIGTERM: stop -t 1 kills it within seconds" test "$elapsed" -le 10
check_eq "... it was killed by SIGKILL (137)" "$(mrt inspect stubborn | jq -r '.[0].State.Status, .[0].State.ExitCode' | tr '\n' ' ')" "exited 137 "
mrt rm stubborn >/dev/null

mrt run -d --name loud --network none "$ROOTFS" sh -c 'yes 0123456789 | head -n 909091; echo LAST' >/dev/null
exited() { [ "$(mrt inspect "$1" | jq -r '.[0].State.Status')" == exited ]; }
check "a container writing 10 MB to stdout in -d mode ends" wait_for 60 exited loud
check_eq "... logs --tail 1 is its last line" "$(mrt logs --tail 1 loud)" LAST
check_eq "... logs has all 10 MB" "$(mrt logs loud | wc -c)" $((909091 * 11 + 5))
mrt rm loud >/dev/null

err=$(mrt "${none[@]}" "$ROOTFS" sh -c 'exec >&-; echo lost; echo still-here >&2; exit 3' 2>&1)
check_eq "a container that closes its stdout: its own status" "$?" 3
check_match "... and its stderr still arrives" "$err" 'still-here$'
mrt run -d --name closer --network none "$ROOTFS" sh -c 'exec >&- 2>&-; sleep 0.2; exit 4' >/dev/null
check "a -d container that closes stdout and stderr ends" wait_for 10 exited closer
check_eq "... with its own status" "$(mrt inspect closer | jq -r '.[0].State.ExitCode')" 4
mrt rm closer >/dev/null
assert_clean "misbehaving containers leave nothing"

# ----------------------------------------------------------- the state root
mkdir -p "$T_DIR/realroot" && chmod 700 "$T_DIR/realroot" && ln -s "$T_DIR/realroot" "$T_DIR/linkroot"
err=$("$MINIRUN" --root "$T_DIR/linkroot" "${none[@]}" "$ROOTFS" true 2>&1)
check_eq "--root a symlink: run refuses (125)" "$?" 125
check_match "... with one line naming it" "$err" "^minirun: state root $T_DIR/linkroot: [^"$'\n'"]+$"
mkdir -p "$T_DIR/openroot" && chmod 777 "$T_DIR/openroot"
err=$("$MINIRUN" --root "$T_DIR/openroot" "${none[@]}" "$ROOTFS" true 2>&1)
check_eq "--root writable by others: run refuses (125)" "$?" 125
check_eq "... with one line" "$err" "minirun: state root $T_DIR/openroot: writable by others, refusing"
check_eq "... and nothing is made in it" "$(ls -A "$T_DIR/openroot" "$T_DIR/realroot")" "$(printf '%s\n' "$T_DIR/openroot:" "" "$T_DIR/realroot:")"
# Another user's root: its owner may write it whatever its mode (a seccomp
# program of theirs in seccomp.bpf, pids for rm -f to kill).
mkdir -p "$T_DIR/userroot" && chmod 755 "$T_DIR/userroot" && chown 65534 "$T_DIR/userroot"
err=$("$MINIRUN" --root "$T_DIR/userroot" "${none[@]}" "$ROOTFS" true 2>&1)
check_eq "--root owned by another user: run refuses (125)" "$?" 125
check_eq "... with one line" "$err" "minirun: state root $T_DIR/userroot: owned by uid 65534, not by us, refusing"
check_eq "... and nothing is made in it" "$(ls -A "$T_DIR/userroot")" ""
mkdir -p "$T_DIR/bareroot" && chmod 700 "$T_DIR/bareroot"
check "ps -a on an existing root without containers/: empty list, exit 0" \
	"$MINIRUN" --root "$T_DIR/bareroot" ps -a
check "inspect on an existing root without containers/: 'no such container'" \
	sh -c "'$MINIRUN' --root '$T_DIR/bareroot' inspect x 2>&1 | grep -q 'no such container: x'"

# A corrupt or truncated state.json: named on stderr, never silently reset.
mrt run --name fragile --network none "$ROOTFS" true
id=$(ls "$ROOT/containers")
sj="$ROOT/containers/$id/state.json"
cp "$sj" "$T_DIR/state.json.good"
for content in '{"id": garbage' '' '[]' '{"id": "x"}' "$(head -c 3000 /dev/urandom | base64 -w0)"; do
	printf '%s' "$content" >"$sj"
	sum=$(sha256sum <"$sj")
	label="state.json ${content:0:12}"
	[ -z "$content" ] && label="an empty state.json"
	err=$(mrt ps -a 2>&1 >/dev/null)
	check_match "$label: ps -a names the file" "$err" "^minirun: containers/$id/state.json: corrupt"
	refuse "$label: inspect refuses naming the file (exit 1, as Docker's inspect)" 1 "containers/$id/state.json: corrupt" inspect fragile
	check_eq "$label: ... and it is left as it was" "$(sha256sum <"$sj")" "$sum"
done
: >"$sj"
err=$(mrt rm fragile 2>&1)
check_match "rm of a container with a truncated state.json fails naming the file" "$err" "containers/$id/state.json"
check "... and its directory is kept" test -d "$ROOT/containers/$id"
cp "$T_DIR/state.json.good" "$sj"
mrt rm fragile >/dev/null
assert_clean "a repaired state.json can be removed, nothing left"

# ------------------------------------------------- bridge: corrupt lease files
net_setup || {
	not_ok "net_setup"
	exit 1
}
# refused_for FILE LABEL: a bridge run fails naming FILE and changes nothing.
refused_for() {
	local sum err rc
	sum=$(sha256sum <"$ROOT/$1")
	err=$(mr run --rm "$ROOTFS" true 2>&1 >/dev/null)
	rc=$?
	check_match "$2: bridge run fails (125) naming the file" "$rc $err" "^125 minirun: .*$1: corrupt"
	check_eq "$2: ... and leaves the file as it was" "$(sha256sum <"$ROOT/$1")" "$sum"
	check_eq "$2: ... and no container" "$(ls -A "$ROOT/containers")" ""
}
# An older minirun's one lease file, corrupt: named, not moved.
for content in '{"leases": [' '' '[1,2]' '{"leases": 5}'; do
	printf '%s' "$content" >"$ROOT/ipam.json"
	refused_for ipam.json "ipam.json '${content:0:12}'"
	check "ipam.json '${content:0:12}': ... nothing moved" test ! -e "$ROOT/ipam/network.json"
done
rm -f "$ROOT/ipam.json"
check_eq "a bridge run makes ipam/" "$(mr run --rm "$ROOTFS" echo fine)" fine
cp "$ROOT/ipam/network.json" "$T_DIR/network.json"
printf '[1' >"$ROOT/ipam/network.json"
refused_for ipam/network.json "ipam/network.json '[1'"
cp "$T_DIR/network.json" "$ROOT/ipam/network.json"
# A corrupt lease: its address stays taken; gc (which reads every lease)
# names it; a run names it when its turn of reclaim reaches it.
printf '{"id": "x"}' >"$ROOT/ipam/leases/10.99.0.9"
sum=$(sha256sum <"$ROOT/ipam/leases/10.99.0.9")
check_match "a lease without its owner: gc names it" "$(mr gc 2>&1)" "^minirun: gc: ipam/leases/10\.99\.0\.9: corrupt: not a lease$"
err=$(mr run --rm --ip 10.99.0.9 "$ROOTFS" true 2>&1)
check_match "... its address is not handed out again (in use, or named if the run's turn reads it)" "$err" \
	"^minirun: (--ip 10\.99\.0\.9: address already in use|ipam/leases/10\.99\.0\.9: corrupt: not a lease)$"
jq '.checked = "10.99.0.8"' "$T_DIR/network.json" >"$ROOT/ipam/network.json"
refused_for ipam/leases/10.99.0.9 "... a run whose turn reaches it"
check_eq "... and the file is as it was" "$(sha256sum <"$ROOT/ipam/leases/10.99.0.9")" "$sum"
rm "$ROOT/ipam/leases/10.99.0.9"
cp "$T_DIR/network.json" "$ROOT/ipam/network.json"
# An older minirun's good file is moved into ipam/ (one file per lease),
# and replaced by a note that an older minirun refuses.
rm -rf "$ROOT/ipam"
sleep 60 &
owner=$!
at_cleanup "kill $owner 2>/dev/null"
start=$(sed 's/.*) //' "/proc/$owner/stat" | awk '{print $20}')
cat >"$ROOT/ipam.json" <<OLD
{"subnet":"10.99.0.0/16","last":"10.99.0.40","leases":{"10.99.0.40":{"id":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
"owner":$owner,"owner_start":$start,"ports":[{"proto":"tcp","host_ip":"0.0.0.0","host_port":8085,"container_port":80}]}}}
OLD
err=$(mr run --rm -p 8085:80 "$ROOTFS" true 2>&1)
check_eq "the old file's lease holds its port after the move (its owner is alive)" "$err" "minirun: port 8085/tcp is already in use"
check_eq "... it is a file of its own" "$(jq -r .id "$ROOT/ipam/leases/10.99.0.40")" 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
check_match "... and ipam.json is a note for an older minirun" "$(jq -r .leases "$ROOT/ipam.json")" "^moved to ipam/"
check_eq "... the next address follows the old file's last" "$(mr run --rm "$ROOTFS" ip -o -4 addr show eth0 | awk '{print $4}')" 10.99.0.41/16
kill "$owner"
wait "$owner" 2>/dev/null
check "... and goes once its owner is gone, with its claim" mr run --rm -p 8085:80 "$ROOTFS" true
rm -f "$ROOT/ipam.json"
err=$(mr run --rm --ip 192.0.2.9 "$ROOTFS" true 2>&1)
check_match "bridge --ip outside the subnet is refused (one line)" "$err" "^minirun: --ip 192\\.0\\.2\\.9: not a free host address of [0-9./]+$"
check_eq "with good lease files again, bridge runs work" "$(mr run --rm "$ROOTFS" echo fine)" fine
assert_clean "bridge refusals leave nothing"
