#!/bin/bash
# t-mkrootfs.sh - rootfs-tools/mkrootfs: the busybox rootfs (relative applet
# links that stay inside, the few files it must have and nothing else, a shell
# that runs under chroot), the alpine mode with a tarball made here, and the
# refusals (bad usage, non-empty DIR, hostile or wrong tarballs).
# TAP output; exit 0 when every test passed, 1 otherwise, 77 when it cannot run.
# shellcheck disable=SC2016 # the bash -c snippets expand their own "$1"
set -o pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

MKROOTFS=$TOP/rootfs-tools/mkrootfs
T=$T_DIR # lib.sh removes it at exit

# run CMD...: sets rc, out (stdout) and err (stderr's first line).
run() {
	local ef
	ef=$(mktemp -p "$T")
	out=$("$@" 2>"$ef")
	rc=$?
	err=$(head -n 1 "$ef")
	rm -f "$ef"
}

# status RC TEXT: ok when RC is 0.
status() {
	if [[ $1 == 0 ]]; then ok "$2"; else not_ok "$2"; fi
}

# refused TEXT EXPECTED-RC MESSAGE-PART CMD...: exits EXPECTED-RC and the
# first stderr line is "mkrootfs: ...MESSAGE-PART...".
refused() {
	local text=$1 want_rc=$2 part=$3
	shift 3
	run "$@"
	if [[ $rc == "$want_rc" && $err == "mkrootfs: "* && $err == *"$part"* ]]; then
		ok "$text"
	else
		not_ok "$text"
		diag "rc=$rc (want $want_rc), stderr: $err"
	fi
}

if [[ ! -x $MKROOTFS || ! -x /bin/busybox ]]; then
	skip "mkrootfs" "needs $MKROOTFS and /bin/busybox (apt-get install busybox-static)"
	exit 0
fi

# ---------------------------------------------------------------- busybox mode
R=$T/rootfs/bb # its parent does not exist yet: mkrootfs makes it
run "$MKROOTFS" busybox "$R"
status "$rc" "busybox: build into a new DIR"
if [[ ! -d $R ]]; then
	diag "nothing built, stopping: $err"
	exit 1
fi
RR=$(readlink -f -- "$R")

check "busybox: bin/busybox is a copy of /bin/busybox" \
	bash -c '[[ -f $1 && ! -L $1 && -x $1 ]] && cmp -s "$1" /bin/busybox' _ "$R/bin/busybox"

bad_links=0
nlinks=0
while IFS= read -r applet; do
	[[ $applet == bin/busybox || -z $applet ]] && continue
	nlinks=$((nlinks + 1))
	link=$R/$applet
	target=$(readlink -- "$link") || {
		diag "$applet: not a symlink"
		bad_links=$((bad_links + 1))
		continue
	}
	if [[ $target == /* ]]; then
		diag "$applet -> $target: absolute"
		bad_links=$((bad_links + 1))
	elif [[ $(readlink -f -- "$link") != "$RR/bin/busybox" ]]; then
		diag "$applet -> $target: resolves to $(readlink -f -- "$link")"
		bad_links=$((bad_links + 1))
	fi
done < <(/bin/busybox --list-full)
status $((bad_links != 0 || nlinks < 100)) "busybox: all $nlinks applets are relative symlinks resolving to DIR/bin/busybox"
check "busybox: usr/bin/wget -> ../../bin/busybox" \
	test "$(readlink -- "$R/usr/bin/wget")" = ../../bin/busybox

missing=""
for a in bin/sh usr/sbin/httpd usr/bin/wget sbin/ip bin/ping; do
	[[ -L $R/$a && -x $R/$a ]] || missing+=" $a"
done
[[ -z $missing ]]
status $? "busybox: sh httpd wget ip ping exist${missing:+ (missing:$missing)}"

check "busybox: /etc/passwd has root and nobody" \
	bash -c 'grep -q "^root:x:0:0:" "$1" && grep -q "^nobody:x:65534:" "$1"' _ "$R/etc/passwd"
check "busybox: /etc/group has root" grep -q '^root:x:0:' "$R/etc/group"
check "busybox: /var/www/index.html says hello from minirun" \
	grep -q 'hello from minirun' "$R/var/www/index.html"

missing=""
for d in proc sys dev etc tmp root var/www run; do
	[[ -d $R/$d && ! -L $R/$d ]] || missing+=" $d"
done
[[ -z $missing ]]
status $? "busybox: directories proc sys dev etc tmp root var/www run${missing:+ (missing:$missing)}"
check "busybox: /tmp is mode 1777" test "$(stat -c %a "$R/tmp")" = 1777

# Nothing else from the host: the regular files are exactly these.
want_files=$(printf '%s\n' bin/busybox etc/group etc/hostname etc/hosts etc/passwd \
	etc/resolv.conf var/www/index.html)
got_files=$(cd "$R" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
[[ $got_files == "$want_files" ]]
status $? "busybox: no files but busybox, passwd, group, index.html and empty mount targets"
[[ $got_files == "$want_files" ]] || diag "files: $(echo "$got_files" | tr '\n' ' ')"
check "busybox: etc/hosts, hostname, resolv.conf are empty mount targets" \
	bash -c '! [[ -s $1/etc/hosts || -s $1/etc/hostname || -s $1/etc/resolv.conf ]]' _ "$R"
check "busybox: only files, dirs and symlinks" \
	test -z "$(find "$R" ! -type f ! -type d ! -type l)"
check "busybox: no temporary directory left beside DIR" \
	test -z "$(find "$T/rootfs" -maxdepth 1 -name '.mkrootfs.*')"

if [[ $(id -u) == 0 ]]; then
	run chroot "$R" /bin/sh -c 'echo hi'
	[[ $rc == 0 && $out == hi ]]
	status $? "busybox: chroot DIR /bin/sh -c 'echo hi' prints hi"
	run chroot "$R" /bin/sh -c 'cd /var/www && cat index.html && wget --help; ip -V; true'
	[[ $rc == 0 && $out == *"hello from minirun"* ]]
	status $? "busybox: applets run under chroot (cat, wget, ip)"
else
	skip "busybox: chroot DIR /bin/sh -c 'echo hi' prints hi" "needs root"
	skip "busybox: applets run under chroot (cat, wget, ip)" "needs root"
fi

# Refusals around DIR.
before=$(cd "$R" && find . | LC_ALL=C sort | md5sum)
refused "busybox: refuses an existing non-empty DIR" 1 "exists and is not empty" \
	"$MKROOTFS" busybox "$R"
check "busybox: the refused DIR is unchanged" \
	test "$(cd "$R" && find . | LC_ALL=C sort | md5sum)" = "$before"
: >"$T/afile"
refused "busybox: refuses a DIR that is a file" 1 "not a directory" "$MKROOTFS" busybox "$T/afile"
ln -s "$T/rootfs" "$T/alink"
refused "busybox: refuses a DIR that is a symlink" 1 "symbolic link" \
	"$MKROOTFS" busybox "$T/alink"
mkdir "$T/empty"
run "$MKROOTFS" busybox "$T/empty"
[[ $rc == 0 && -x $T/empty/bin/busybox ]]
status $? "busybox: builds into an existing empty DIR"
refused "busybox: missing busybox binary is a clear error" 1 "busybox-static" \
	env BUSYBOX=/nonexistent/busybox "$MKROOTFS" busybox "$T/nobb"
check "busybox: ... and creates nothing" test ! -e "$T/nobb"
refused "busybox: a dynamically linked busybox is refused" 1 "dynamically linked" \
	env BUSYBOX=/bin/ls "$MKROOTFS" busybox "$T/dyn"

# ----------------------------------------------------------------- usage
refused "usage: no arguments" 2 "missing MODE" "$MKROOTFS"
refused "usage: unknown mode" 2 "debian: unknown mode" "$MKROOTFS" debian "$T/x"
refused "usage: busybox without DIR" 2 "want exactly one DIR" "$MKROOTFS" busybox
refused "usage: busybox with extra arguments" 2 "want exactly one DIR" \
	"$MKROOTFS" busybox "$T/x" extra
refused "usage: alpine without --from" 2 "want DIR --from TARBALL" "$MKROOTFS" alpine "$T/x"
refused "usage: alpine with a misspelt --from" 2 "want DIR --from TARBALL" \
	"$MKROOTFS" alpine "$T/x" --form "$T/a.tgz"
refused "usage: alpine with --from but no TARBALL" 2 "want DIR --from TARBALL" \
	"$MKROOTFS" alpine "$T/x" --from
check "usage: --help exits 0 and prints usage" bash -c '"$1" --help | grep -q "^usage:"' _ "$MKROOTFS"
check "usage: nothing was created by the refused calls" test ! -e "$T/x"

# ----------------------------------------------------------------- alpine mode
S=$T/alpine-src
mkdir -p "$S/etc" "$S/bin" "$S/lib" "$S/tmp"
echo 3.20.3 >"$S/etc/alpine-release"
printf 'NAME="Alpine Linux"\nID=alpine\n' >"$S/etc/os-release"
echo 'root:x:0:0:root:/root:/bin/sh' >"$S/etc/passwd"
printf '#!/bin/sh\necho fake\n' >"$S/bin/busybox"
chmod 0755 "$S/bin/busybox"
chmod 1777 "$S/tmp"
ln -s /bin/busybox "$S/bin/sh" # Alpine's links are absolute; fine inside a rootfs
tar -czf "$T/alpine.tar.gz" --numeric-owner -C "$S" .

A=$T/rootfs/alpine
run "$MKROOTFS" alpine "$A" --from "$T/alpine.tar.gz"
status "$rc" "alpine: unpack a minirootfs tarball"
[[ $rc == 0 ]] || diag "$err"
check "alpine: etc/alpine-release and os-release are there" \
	bash -c '[[ $(cat "$1/etc/alpine-release") == 3.20.3 ]] && grep -q ID=alpine "$1/etc/os-release"' _ "$A"
check "alpine: symlinks kept as they are" test "$(readlink -- "$A/bin/sh")" = /bin/busybox
check "alpine: modes kept (bin/busybox 755, tmp 1777)" \
	test "$(stat -c %a "$A/bin/busybox") $(stat -c %a "$A/tmp")" = "755 1777"
check "alpine: mount targets added" test -f "$A/etc/hosts" -a -f "$A/etc/resolv.conf"
check "alpine: no temporary directory left beside DIR" \
	test -z "$(find "$T/rootfs" -maxdepth 1 -name '.mkrootfs.*')"
refused "alpine: refuses an existing non-empty DIR" 1 "exists and is not empty" \
	"$MKROOTFS" alpine "$A" --from "$T/alpine.tar.gz"

# Hostile and wrong tarballs: refused, nothing created, nothing written outside.
mkdir -p "$T/h/in"
echo 3.20.3 >"$T/h/alpine-release"
mkdir -p "$T/h/in/etc" && cp "$T/h/alpine-release" "$T/h/in/etc/"
echo evil >"$T/h/evil"
tar -czPf "$T/dotdot.tgz" -C "$T/h/in" ./etc ../evil
refused "alpine: refuses a tarball with a ../ member" 1 "'..'" \
	"$MKROOTFS" alpine "$T/r1" --from "$T/dotdot.tgz"
check "alpine: ... and creates nothing" test ! -e "$T/r1" -a ! -e "$T/rootfs/evil" -a ! -e "$T/evil"
tar -czPf "$T/abs.tgz" -C "$T/h/in" ./etc "$T/h/evil"
refused "alpine: refuses a tarball with an absolute path" 1 "absolute path" \
	"$MKROOTFS" alpine "$T/r2" --from "$T/abs.tgz"
check "alpine: ... and creates nothing" test ! -e "$T/r2"
if command -v python3 >/dev/null; then
	python3 - "$T/hardlink.tgz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    data = b"3.20.3\n"
    i = tarfile.TarInfo("etc/alpine-release"); i.size = len(data)
    t.addfile(i, io.BytesIO(data))
    h = tarfile.TarInfo("etc/shadow"); h.type = tarfile.LNKTYPE
    h.linkname = "../../../../etc/shadow"
    t.addfile(h)
EOF
	refused "alpine: refuses a hard link pointing out with '..'" 1 "hard link" \
		"$MKROOTFS" alpine "$T/r3" --from "$T/hardlink.tgz"
else
	skip "alpine: refuses a hard link pointing out with '..'" "no python3"
fi
rm -f "$T/h/in/etc/alpine-release"
tar -czf "$T/noalpine.tgz" -C "$T/h/in" .
refused "alpine: refuses a tarball without etc/alpine-release" 1 "not an Alpine minirootfs" \
	"$MKROOTFS" alpine "$T/r4" --from "$T/noalpine.tgz"
tar -cf "$T/plain.tar" -C "$S" .
refused "alpine: refuses an uncompressed tarball" 1 "not a gzip file" \
	"$MKROOTFS" alpine "$T/r5" --from "$T/plain.tar"
echo "not a tarball" | gzip >"$T/junk.gz"
refused "alpine: refuses gzip that is not a tar archive" 1 "tar archive" \
	"$MKROOTFS" alpine "$T/r6" --from "$T/junk.gz"
refused "alpine: refuses a missing tarball" 1 "no such file" \
	"$MKROOTFS" alpine "$T/r7" --from "$T/nope.tar.gz"
check "alpine: the refused calls created nothing" \
	bash -c '! ls -d "$1"/r[1-7] 2>/dev/null | grep -q .' _ "$T"
