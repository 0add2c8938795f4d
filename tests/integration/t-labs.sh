#!/bin/bash
# The labs of docs/labs/ as a learner would do them: every ```sh block of a
# lab runs, in order, in one shell inside this test's throwaway host
# namespace (net_setup), with `minirun` the built binary and MINIRUN_ROOT
# this test's root; a block must succeed, and the ```output (or ```mermaid)
# block that follows it must appear in its output: line by line, in order,
# "..." standing for anything, 12-64 hex digits (ids) for any id. Blocks
# marked ```sh docker run afterwards, only when a dockerd can start; a lab
# then says why it skips them. LABS=REGEX picks labs; LABS_SHOW=1 prints
# every block's output (to write the labs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
. "$(dirname "$0")/docker-lib.sh"
bridge_setup || exit 1
for tool in conntrack nsenter; do
	command -v "$tool" >/dev/null || { not_ok "$tool is needed (make deps installs it)"; exit 1; }
done

mkdir -p "$T_DIR/bin"
ln -s "$MINIRUN" "$T_DIR/bin/minirun"
# lab_start NAME: as a learner starts each lab (docs/labs/README.md): fresh
# namespaces, an empty state root, and what docs/labs/env.sh sets.
lab_start() {
	if [ -n "${LAB:-}" ]; then # not the first lab: the namespaces anew
		net_teardown
		exec {T_NETLOCK}>&-
		net_setup || return 1
	fi
	ROOT="$T_DIR/root-$1" LAB="$T_DIR/lab-$1"
	mkdir -p "$LAB"
	LAB_ENV=(env "PATH=$T_DIR/bin:$PATH" "MINIRUN_ROOT=$ROOT" "ROOTFS=$ROOTFS" "LAB=$LAB"
		"UP=$UPNS" "LAN=$LANNS" "HOSTNS=$HOSTNS")
}

# extract LAB.md DIR: DIR/K.sh for each ```sh block (DIR/K.docker when it is
# ```sh docker), DIR/K.out for the ```output or ```mermaid block right after it.
extract() {
	mkdir -p "$2"
	awk -v dir="$2" '
	/^```/ {
		if (inblk) { inblk = 0; pending = (kind == "sh"); next }
		info = substr($0, 4); inblk = 1; kind = ""
		if (info == "sh" || info == "sh docker") {
			n++; kind = "sh"; f = dir "/" n ".sh"; printf "" > f
			if (info == "sh docker") print "" > (dir "/" n ".docker")
		} else if ((info == "output" || info == "mermaid") && pending) {
			f = dir "/" n ".out"
		} else {
			f = "/dev/null"
		}
		pending = 0; next
	}
	inblk { print > f; next }
	NF { pending = 0 }' "$1"
}

normalize() { sed -E 's/[0-9a-f]{12,64}/<ID>/g; s/[[:space:]]+$//'; }
# in_order EXPECTED OUTPUT: every non-blank expected line matches an output
# line, in order; prints the first one that does not.
in_order() {
	local -a out
	local i=0 line re
	mapfile -t out < <(normalize <"$2")
	while IFS= read -r line; do
		[ -z "$line" ] && continue
		re="^$(printf '%s' "$line" | sed -E 's/[][\.*^$+?(){}|/\\]/\\&/g; s/\\\.\\\.\\\./.*/g')\$"
		while [ "$i" -lt "${#out[@]}" ] && ! [[ "${out[$i]}" =~ $re ]]; do i=$((i + 1)); done
		[ "$i" -ge "${#out[@]}" ] && { printf '%s\n' "$line"; return 1; }
		i=$((i + 1))
	done < <(normalize <"$1")
}

# run_blocks NAME DIR KIND: the blocks of one kind (sh or docker) in one
# shell; TAP line per block. Returns 1 if a block failed.
run_blocks() {
	local name=$1 dir=$2 kind=$3 script="$2/$3.script" out="$2/$3.log" k n=0 first missing
	: >"$script"
	for k in $(ls "$dir" | sed -n 's/\.sh$//p' | sort -n); do
		if [ "$kind" = docker ] && [ ! -e "$dir/$k.docker" ]; then continue; fi
		if [ "$kind" = sh ] && [ -e "$dir/$k.docker" ]; then continue; fi
		printf 'echo "@@block %s"\n' "$k" >>"$script"
		cat "$dir/$k.sh" >>"$script"
		n=$((n + 1))
	done
	[ "$n" -eq 0 ] && return 0
	echo 'echo "@@end"' >>"$script"
	(cd "$LAB" && timeout 180 "${LAB_ENV[@]}" nsenter --net="/var/run/netns/$HOSTNS" \
		bash -eo pipefail "$script" >"$out" 2>&1 {T_NETLOCK}>&-)
	awk -v dir="$dir" '/^@@block / { f = dir "/" $2 ".got"; next } /^@@end$/ { f = "" ; next } f { print > f }' "$out"
	for k in $(sed -n 's/^@@block //p' "$out"); do
		first=$(grep -m1 -v '^[[:space:]]*\(#.*\)\?$' "$dir/$k.sh")
		touch "$dir/$k.got"
		[ "${LABS_SHOW:-}" ] && diag "$(printf -- '--- %s block %s: %s\n' "$name" "$k" "$first"; cat "$dir/$k.got")"
		if ! grep -q "^@@block $((k + 1))\$\|^@@end\$" <(sed -n "/^@@block $k\$/,\$p" "$out" | tail -n +2); then
			if [ "$kind" = docker ] && [ "$k" = "$(ls "$dir" | sed -n 's/\.docker$//p' | sort -n | head -1)" ]; then
				skip "$name: the Docker part" "dockerd did not start here: $(tail -1 "$dir/$k.got")"
				return 0
			fi
			not_ok "$name, block $k fails: $first"
			diag "$(tail -15 "$dir/$k.got")"
			return 1
		fi
		if [ -e "$dir/$k.out" ] && ! missing=$(in_order "$dir/$k.out" "$dir/$k.got"); then
			not_ok "$name, block $k shows what the lab says: $first"
			diag "missing: $missing"
			diag "$(cat "$dir/$k.got")"
		else
			ok "$name, block $k$([ -e "$dir/$k.out" ] && echo ' (output as shown)'): $first"
		fi
	done
	grep -q '^@@end$' "$out" || { not_ok "$name: the lab's shell ended early"; return 1; }
}

# lab_docker_gone LAB: what lab 6's dockerd left when its lab did not finish.
lab_docker_gone() {
	local pid d i
	pid=$(cat "$1/docker/pid" 2>/dev/null) && kill "$pid" 2>/dev/null
	for ((i = 0; i < 100; i++)); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	for pid in $(cat /sys/fs/cgroup/*/minirun-lab/*/tasks /sys/fs/cgroup/minirun-lab/*/cgroup.procs 2>/dev/null | sort -u); do
		kill -9 "$pid"
	done
	sleep 0.5
	for d in /sys/fs/cgroup/*/minirun-lab /sys/fs/cgroup/minirun-lab; do
		[ -d "$d" ] || continue
		find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null
		rmdir "$d"
	done
	dockerd_remove_host_paths # key.json, /run/docker, /run/containerd if it made them
}

# docker_ready: dockerd and docker exist (the lab's first docker block starts it).
docker_ready() { command -v dockerd >/dev/null && command -v docker >/dev/null; }

for md in "$TOP"/docs/labs/[0-9][0-9]-*.md; do
	name=$(basename "$md" .md)
	[ -n "${LABS:-}" ] && ! [[ "$name" =~ $LABS ]] && continue
	dir="$T_DIR/x/$name"
	lab_start "$name" || { not_ok "$name: make the throwaway namespaces"; break; }
	extract "$md" "$dir"
	run_blocks "$name" "$dir" sh
	if ls "$dir"/*.docker >/dev/null 2>&1; then
		# whatever happens: stop the lab's dockerd, and the processes left in
		# its cgroup parent (/minirun-lab, the lab's own), then the cgroups
		dockerd_note_host_paths
		at_cleanup "lab_docker_gone $LAB"
		if ! docker_ready; then
			skip "$name: the Docker part" "no dockerd here (apt-get install docker.io)"
		elif ! run_blocks "$name (Docker)" "$dir" docker; then
			:
		fi
	fi
	# every lab ends with nothing of its own left (and if not, the next one
	# still starts from nothing)
	assert_clean "$name leaves nothing behind"
	for id in $(ls "$ROOT/containers" 2>/dev/null); do mr rm -f "$id" >/dev/null 2>&1; done
done

# The pictures: every ```mermaid block of the labs, by mermaid's own parser
# (make mermaid-parser), when it can be installed here.
if [ -z "${LABS:-}" ]; then
	if mermaid_ready; then
		n=0
		for md in "$TOP"/docs/labs/*.md; do
			awk -v out="$T_DIR/mmd-$(basename "$md" .md)" '/^```mermaid$/ { n++; f = out "-" n ".mmd"; next } /^```/ { f = ""; next } f { print > f }' "$md"
		done
		files=("$T_DIR"/mmd-*.mmd)
		out=$(node "$TOP/build/mermaid/parse.mjs" "${files[@]}" 2>&1); rc=$?
		check_eq "the labs' ${#files[@]} mermaid pictures parse ($(printf '%s\n' "$out" | grep -c ': ok (')/${#files[@]} ok)" "$rc" 0
		[ "$rc" -eq 0 ] || diag "$out"
	else
		skip "the labs' mermaid pictures parse" "$MERMAID_WHY"
	fi
fi
