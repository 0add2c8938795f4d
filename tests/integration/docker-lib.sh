# docker-lib.sh - a private Docker engine inside a throwaway network namespace
# (sourced by tests/integration/t-bridge-docker.sh, tests/compat/compat.sh and
# bench/run.sh). Its bridge and iptables rules die with the namespace; its
# state lives under one directory; what it insists on making outside (a few
# paths under /etc/docker and /run, a cgroup parent) is removed again by
# dockerd_cleanup, and only if it was not there before.
#
#   dockerd_start DIR NETNS CGROUP [DOCKERD-ARGS...]   0 when it answers; else 1 and DOCKERD_WHY
#   dk ARGS...                                       the docker client on that engine
#   dockerd_import ROOTFS TAG [ARGS...]              `docker import` of a directory
#   dockerd_stop                                     TERM, then KILL after 15 s
#   dockerd_cleanup                                  stop, unmount, remove cgroups and made paths
#
# dockerd is entered with `nsenter --net=` (not `ip netns exec`, whose fresh
# /sys hides the cgroup mounts dockerd needs), with a fake modprobe first on
# its PATH (it would load br_netfilter, which changes the whole machine).
# Where the machine runs a containerd of its own (docker.io's service),
# dockerd uses it rather than starting one: containerd namespaces named
# after the cgroup parent keep our containers apart from the machine's.

DOCKERD_DIR="" DOCKERD_NS="" DOCKERD_PID="" DOCKERD_CG="" DOCKERD_WHY=""
DOCKERD_MADE=() DOCKERD_SOCKS=""
DOCKERD_HOST_PATHS=(/etc/docker/key.json /etc/docker /run/docker/plugins /run/docker
	/run/containerd/s /run/containerd) # children first

# The client that came with dockerd (another one on PATH may be newer).
dockerd_client() {
	local d
	d=$(command -v dockerd 2>/dev/null) || return 1
	if [ -x "$(dirname "$d")/../bin/docker" ]; then
		echo "$(dirname "$d")/../bin/docker"
	else
		command -v docker
	fi
}

dk() { "$DOCKER_CLIENT" -H "unix://$DOCKERD_DIR/sock" "$@"; }

dockerd_start() {
	local D=$1 ns=$2 cg=$3 p i fds=""
	shift 3
	if ! command -v dockerd >/dev/null || ! DOCKER_CLIENT=$(dockerd_client); then
		DOCKERD_WHY="no dockerd/docker (apt-get install docker.io)"
		return 1
	fi
	[ "$DOCKERD_DIR" != "$D" ] && dockerd_note_host_paths # (a restart keeps the first list)
	DOCKERD_DIR=$D DOCKERD_NS=$ns DOCKERD_CG=$cg DOCKERD_PID="" DOCKERD_WHY=""
	mkdir -p "$D/bin"
	printf '#!/bin/sh\nexit 0\n' >"$D/bin/modprobe"
	chmod +x "$D/bin/modprobe"
	# No fd of ours (a test lock above all) may live on in dockerd or containerd.
	for p in /proc/$BASHPID/fd/*; do
		p=${p##*/}
		[ "$p" -gt 2 ] && fds+=" $p>&-"
	done
	# DOCKERD_RESOLV=FILE: dockerd (alone, in a mount namespace of its own)
	# sees FILE as /etc/resolv.conf, as `ip netns exec NS` shows minirun
	# /etc/netns/NS/resolv.conf. There a machine's own containerd is hidden
	# too (dockerd would use it, and it could not see the mounts made in
	# here): dockerd starts its own, whose sockets go with the namespace.
	local wrap=()
	[ -n "${DOCKERD_RESOLV:-}" ] && wrap=(unshare --mount --propagation private -- sh -c
		'mount --bind "$0" /etc/resolv.conf &&
		 { [ ! -S /run/containerd/containerd.sock ] || mount -t tmpfs -o mode=0711 tmpfs /run/containerd; } &&
		 exec "$@"' "$DOCKERD_RESOLV")
	(
		eval "exec $fds"
		PATH="$D/bin:$PATH" exec "${wrap[@]}" nsenter --net="/var/run/netns/$ns" dockerd --data-root "$D/data" \
			--exec-root "$D/exec" --pidfile "$D/pid" -H "unix://$D/sock" \
			--cgroup-parent "/$cg" --containerd-namespace "$cg" \
			--containerd-plugins-namespace "$cg-plugins" "$@"
	) >>"$D/log" 2>&1 </dev/null &
	DOCKERD_PID=$!
	for ((i = 0; i < ${DOCKERD_WAIT:-30} * 10; i++)); do
		dk info >/dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	DOCKERD_WHY="dockerd did not start: $(tail -1 "$D/log" | cut -c1-200)"
	return 1
}

dockerd_import() { # ROOTFS TAG [IMPORT-ARGS...]
	local rootfs=$1 tag=$2
	shift 2
	tar -C "$rootfs" -c . | dk import "$@" - "$tag" >/dev/null
}

dockerd_stop() {
	local i
	[ -n "$DOCKERD_PID" ] || return 0
	if kill -TERM "$DOCKERD_PID" 2>/dev/null; then
		for ((i = 0; i < 150; i++)); do
			kill -0 "$DOCKERD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DOCKERD_PID" 2>/dev/null
	fi
	wait "$DOCKERD_PID" 2>/dev/null
	DOCKERD_PID=""
}

# Everything the engine made outside its namespace; safe to call twice.
dockerd_cleanup() {
	local D=$DOCKERD_DIR p d
	[ -n "$D" ] || return 0
	# Its containers first, then containerd and its shims (left by a killed
	# dockerd): the processes in its namespace are all ours.
	[ -S "$D/sock" ] && dk ps -aq 2>/dev/null | xargs -r "$DOCKER_CLIENT" -H "unix://$D/sock" rm -f >/dev/null 2>&1
	dockerd_stop
	ip netns pids "$DOCKERD_NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	sleep 0.1
	# What dockerd mounted under its roots (in the machine's mount namespace).
	grep " $D/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
	for d in /sys/fs/cgroup/*/"$DOCKERD_CG" /sys/fs/cgroup/"$DOCKERD_CG"; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	dockerd_remove_host_paths
}

# What dockerd makes outside its roots, noted before it starts (also for a
# dockerd started by other hands, as lab 6's) and removed after it stopped.
dockerd_note_host_paths() {
	local p
	DOCKERD_MADE=()
	for p in "${DOCKERD_HOST_PATHS[@]}"; do [ -e "$p" ] || DOCKERD_MADE+=("$p"); done
	DOCKERD_SOCKS=$(ls /run/containerd/s 2>/dev/null)
}

dockerd_remove_host_paths() {
	local p
	# A shim that was killed leaves its socket behind.
	for p in /run/containerd/s/*; do
		[ -S "$p" ] && ! grep -qxF "${p##*/}" <<<"$DOCKERD_SOCKS" && rm -f "$p"
	done
	for p in "${DOCKERD_MADE[@]}"; do
		if [ -d "$p" ]; then rmdir "$p" 2>/dev/null; else rm -f "$p"; fi
	done
	DOCKERD_MADE=()
}
