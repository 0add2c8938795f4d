# scenarios.sh - what tests/compat/compat.sh runs on both engines (sourced).
# `scenario NAME [status] FUNC ARGS...` calls FUNC ENGINE ARGS... once with
# ENGINE=docker and once with ENGINE=minirun and compares what it printed.
# Names are the keys of docs/docker-differences.md's table.
# shellcheck shell=bash

# r ENGINE RUN-ARGS...: `run --rm`, stdin from /dev/null
r() {
	local e=$1
	shift
	capture erun "$e" --rm "$@" </dev/null
}
# rf ENGINE FILTER RUN-ARGS...: the same, through a sed script
rf() {
	local e=$1 f=$2
	shift 2
	r "$e" "$@" | sed -E "$f"
}
IFIDX='s/^[0-9]+: /N: /; s/@if[0-9]+/@ifN/'

# ---- exit status ----
scenario exit-0 r @ true
scenario exit-42 r @ sh -c 'exit 42'
scenario exit-42-output r @ sh -c 'echo out; echo err >&2; exit 42'
killed() { # ENGINE: `kill NAME` (SIGKILL) while `run` waits
	local e=$1 rc
	erun_bg "$e" --rm --name killme @ sleep 30 </dev/null >"$T_DIR/k.$e" 2>&1
	wait_for 30 running "$e" killme
	everb "$e" kill killme >/dev/null
	wait "$BGPID"
	rc=$?
	cat "$T_DIR/k.$e"
	echo "exit: $rc"
	wait_for 10 eval "! everb $e inspect killme"
}
scenario exit-killed killed
scenario exit-killed-inside r @ sh -c 'sleep 30 & kill -KILL $!; wait $!'
scenario exit-not-found status r @ nosuchcommand
scenario exit-not-found-path status r @ /nosuch/command
scenario exit-not-executable status r @ /etc/hostname
scenario exit-directory status r @ /bin

# ---- hostname and the /etc files ----
scenario hostname-default r @ sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME'
scenario hostname-option r --hostname web.example.com @ sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME'
scenario hostname-short-option r -h web @ hostname
scenario hosts-default r @ cat /etc/hosts
scenario hosts-hostname r --hostname web.example.com @ cat /etc/hosts
scenario hosts-add-host r --add-host db:198.51.100.2 --add-host db.example.com:198.51.100.3 @ cat /etc/hosts
scenario hosts-add-host-v6 r --add-host v6:2001:db8::1 @ cat /etc/hosts
scenario resolv-default r @ cat /etc/resolv.conf
scenario resolv-dns r --dns 203.0.113.1 --dns 198.51.100.2 @ cat /etc/resolv.conf
scenario resolv-dns-loopback r --dns 127.0.0.1 @ cat /etc/resolv.conf
scenario resolv-dns-search r --dns-search example.com --dns-search lab.example.com @ cat /etc/resolv.conf
scenario resolv-dns-search-dot r --dns-search . @ cat /etc/resolv.conf
scenario resolv-dns-option r --dns-option ndots:2 --dns-option timeout:1 @ cat /etc/resolv.conf
scenario resolv-all r --dns 203.0.113.1 --dns-search example.com --dns-option ndots:2 @ cat /etc/resolv.conf
scenario etc-mounts r @ sh -c "grep -E ' /etc/(hosts|hostname|resolv.conf) ' /proc/mounts | cut -d' ' -f2,4 | cut -d, -f1"

# ---- the network inside ----
scenario net-links rf "$IFIDX" @ ip -o link
scenario net-addresses rf "$IFIDX" @ ip -o -4 addr
scenario net-routes r @ ip route
scenario net-mtu r @ cat /sys/class/net/eth0/mtu /sys/class/net/lo/mtu
scenario net-mac r @ cat /sys/class/net/eth0/address
scenario net-sysctls r @ sh -c 'cd /proc/sys/net/ipv4 && for f in ip_forward ip_unprivileged_port_start ping_group_range; do echo "$f $(cat $f)"; done'
scenario net-upstream r @ sh -c 'ping -c1 -W2 203.0.113.1 >/dev/null && echo reached'
scenario none-links rf "$IFIDX" --network none @ ip -o link
scenario none-routes r --network none @ ip route
scenario none-hosts r --network none @ cat /etc/hosts
scenario none-resolv r --network none @ cat /etc/resolv.conf
scenario host-hostname r --network host @ hostname
scenario host-links rf "$IFIDX" --network host @ sh -c 'ip -o link | grep -E " (lo|up0|lan0):"'
scenario host-hosts r --network host @ cat /etc/hosts
scenario host-resolv r --network host @ cat /etc/resolv.conf

# ---- the process ----
export COMPAT_FROM_HOST=from-the-host
scenario env-default r @ sh -c 'env | sort'
scenario env-options r -e FOO=bar -e COMPAT_FROM_HOST -e COMPAT_UNSET -e HOME=/home @ sh -c 'env | sort'
scenario workdir-default r @ pwd
scenario workdir-option r -w /tmp @ pwd
scenario workdir-missing r -w /new/dir @ sh -c 'pwd; ls -ld /new/dir | cut -c1-10'
scenario user r @ id
scenario umask r @ sh -c umask
scenario pid1 r @ sh -c 'echo $$; cat /proc/1/cmdline | tr "\0" " "; echo'
scenario pid1-ps r @ ps -o pid,user,args
scenario pid1-init r --init @ ps -o pid,args
scenario capabilities r @ grep -E '^Cap(Prm|Eff|Bnd|Amb)' /proc/self/status
scenario seccomp r @ grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
stdin_piped() { # ENGINE RUN-ARGS...: "hello" on stdin
	local e=$1
	shift
	echo hello | capture erun "$e" --rm "$@"
}
scenario stdin-without-i stdin_piped @ cat
scenario stdin-with-i stdin_piped -i @ cat
scenario stdin-with-i-wc stdin_piped -i @ wc -c
forwarded() { # ENGINE SIGNAL: sent to the client while the container traps it
	local e=$1 sig=$2 rc guard
	erun_bg "$e" --rm @ sh -c "trap 'echo got $sig; exit 3' $sig; echo ready; while :; do sleep 0.1; done" \
		</dev/null >"$T_DIR/s.$e" 2>&1
	wait_for 30 grep -q ready "$T_DIR/s.$e" || echo "(not ready after 30 s)"
	kill -"$sig" "$BGPID"
	# A lost signal must not hang the suite: the client goes after 15 s.
	(
		sleep 15
		kill -KILL "$BGPID" 2>/dev/null
	) &
	guard=$!
	wait "$BGPID"
	rc=$?
	kill "$guard" 2>/dev/null
	wait "$guard" 2>/dev/null
	cat "$T_DIR/s.$e"
	echo "exit: $rc"
}
scenario signal-term forwarded TERM
scenario signal-int forwarded INT
scenario signal-hup forwarded HUP
scenario signal-usr1 forwarded USR1

# ---- published ports ----
# One web container per engine with every -p form: httpd on 80 (busybox's
# page), on 81 ("port 81"), a UDP echo on 80.
web_up() { # ENGINE
	local e=$1
	erun "$e" -d --name web -p "$(eport "$e" 80):80" -p "127.0.0.1:$(eport "$e" 81):80" \
		-p "198.51.100.1:$(eport "$e" 82):80" -p 80 -p 198.51.100.1::81 \
		-p "$(eport "$e" 83)-$(eport "$e" 84):80-81" -p "$(eport "$e" 85):80/udp" @ \
		sh -c 'mkdir /w81 && echo port 81 >/w81/index.html && httpd -p 81 -h /w81 && (udp-echo 80 &) && exec httpd -f -p 80 -h /var/www' \
		</dev/null >/dev/null
	wait_for 30 in_host curl -sf "http://127.0.0.1:$(eport "$e" 80)/"
}
web_up docker
web_up minirun
get() { # NS-FUNC URL: the page's first line, or "-"
	local out
	out=$("$1" curl -s --max-time 2 "$2" | head -1)
	echo "${out:--}"
}
reach() { # ENGINE HOSTPORT
	local e=$1 p=$2 c
	echo "from the host to its address 203.0.113.2: $(get in_host "http://203.0.113.2:$p/")"
	echo "from the host to 127.0.0.1: $(get in_host "http://127.0.0.1:$p/")"
	echo "from the LAN neighbour to 198.51.100.1: $(get in_lan "http://198.51.100.1:$p/")"
	c=$(erun "$e" --rm @ timeout 3 wget -qO- "http://198.51.100.1:$p/" 2>/dev/null </dev/null | head -1)
	echo "from another container to 198.51.100.1: ${c:--}"
}
reach_n() { reach "$1" "$(eport "$1" "$2")"; }
# the host port a -p form without one got: `port web CPORT/tcp`, this host IP
reach_random() { # ENGINE CPORT HOSTIP
	local p
	p=$(everb "$1" port web | grep -F "$2/tcp -> $3:" | grep -vE -- '-> [^:]*:(1|2)8[0-9]{3}$' | head -1 | sed 's/.*://')
	echo "host port: ${p:+a free one}"
	[ -n "$p" ] && reach "$1" "$p"
}
scenario publish-hostport reach_n 80
scenario publish-ip-loopback reach_n 81
scenario publish-ip-lan reach_n 82
scenario publish-random reach_random 80 0.0.0.0
scenario publish-ip-random reach_random 81 198.51.100.1
scenario publish-range reach_n 84
udp_ask() { # NS-FUNC HOST PORT
	"$1" bash -c "exec 3<>/dev/udp/$2/$3; echo hi >&3; timeout 2 head -n1 <&3" 2>/dev/null || echo "-"
}
reach_udp() { # ENGINE
	local p
	p=$(eport "$1" 85)
	echo "from the LAN neighbour: $(udp_ask in_lan 198.51.100.1 "$p")"
	echo "from the host to its address: $(udp_ask in_host 203.0.113.2 "$p")"
}
scenario publish-udp reach_udp
inuse() { r "$1" -p "$(eport "$1" 80):80" @ true; }
scenario publish-in-use status inuse
sorted() { # ENGINE VERB ARGS...
	local e=$1
	shift
	capture everb "$e" "$@" | sort
}
scenario port sorted port web
scenario port-one sorted port web 81/tcp
v() { # ENGINE VERB ARGS...
	local e=$1
	shift
	capture everb "$e" "$@"
}
scenario ps v ps
scenario ps-a-quiet v ps -a -q
ps_json() { # Docker's Go template and minirun's --format json: the keys both have
	local f=json
	[ "$1" = docker ] && f='{{json .}}'
	everb "$1" ps --format "$f" | jq -S 'del(.LocalVolumes, .Labels, .Mounts, .Size, .IP)'
}
scenario ps-format-json ps_json
insp() { # ENGINE JQ-FILTER [NAME]: fields of `inspect NAME` (web) both have; port
	# lists sorted, without IPv6 bindings (minirun is IPv4 only: docs/docker-differences.md)
	everb "$1" inspect "${3:-web}" | jq -S "$2"' | walk(if type == "array" and length > 0 and
		all(.[]; type == "object" and has("HostPort")) then map(select(.HostIp != "::")) |
		sort_by(.HostIp, .HostPort) else . end)'
}
scenario inspect-state insp '.[0].State | {Status, Running, ExitCode, Paused: .Paused, Restarting: .Restarting, OOMKilled: .OOMKilled, Dead: .Dead, Error: .Error} | del(..|nulls)'
scenario inspect-name insp '.[0] | {Name, Path, Args}'
scenario inspect-config insp '.[0].Config | {Hostname, Env, Cmd, Image, WorkingDir}'
scenario inspect-hostconfig insp '.[0].HostConfig | {NetworkMode, AutoRemove, PortBindings}'
scenario inspect-network insp '.[0].NetworkSettings | {IPAddress, IPPrefixLen, Gateway, MacAddress, Ports}'
scenario inspect-format v inspect -f '{{.State.Status}} {{.NetworkSettings.IPAddress}}' web
everb docker rm -f web >/dev/null
everb minirun rm -f web >/dev/null

# ---- a detached container's life: exec, logs, rm while running, stop ----
life_up() { # ENGINE
	erun "$1" -d --name life @ sh -c 'echo started; trap "echo stopping; exit 0" TERM; while :; do sleep 0.1; done' \
		</dev/null >/dev/null
	wait_for 30 running "$1" life
}
life_up docker
life_up minirun
scenario exec-env v exec life sh -c 'env | sort'
scenario exec-status v exec life sh -c 'exit 3'
scenario exec-workdir v exec -w /tmp life pwd
scenario exec-env-option v exec -e FOO=bar life sh -c 'echo $FOO'
exec_stdin() { echo hello | capture everb "$1" exec -i life cat; }
scenario exec-stdin exec_stdin
scenario exec-not-found status v exec life nosuchcommand
scenario rm-running status v rm life
stop_life() { # ENGINE: stop, then what logs and inspect say
	capture everb "$1" stop life
	everb "$1" logs life
	everb "$1" inspect life | jq -c '.[0].State | {Status, Running, ExitCode}'
}
scenario stop stop_life
scenario rm-stopped v rm life


# ---- a container that exited, kept (no --rm) ----
exited_up() { erun "$1" --name gone @ sh -c 'echo bye; exit 3' </dev/null >/dev/null 2>&1; }
exited_up docker
exited_up minirun
ps_a() { # ENGINE: Docker's template, minirun's --format json
	local f=json
	[ "$1" = docker ] && f='{{json .}}'
	everb "$1" ps -a --format "$f" | jq -r '.Names + " " + .Status + " [" + .Ports + "]"'
}
scenario ps-a-exited ps_a
scenario inspect-exited insp '.[0].State | {Status, Running, ExitCode, Pid}' gone
scenario logs-exited v logs gone
scenario rm-exited v rm gone

# ---- bad input: the exit status (each engine has its own words) ----
scenario bad-network status r --network nosuch @ true
scenario bad-publish-port status r -p 99999:80 @ true
scenario bad-publish-text status r -p abc @ true
scenario bad-publish-proto status r -p 80/sctpx @ true
scenario bad-add-host status r --add-host nocolon @ true
scenario bad-add-host-ip status r --add-host db:notanip @ true
scenario bad-dns status r --dns notanip @ true
scenario bad-name status r --name 'bad name' @ true
scenario bad-name-short status r --name x @ true
scenario bad-hostname status r --hostname 'bad!host' @ true
scenario bad-workdir status r -w relative @ true
scenario bad-env status r -e =x @ true
scenario bad-flag status r --nosuchflag @ true
scenario bad-cap status r --cap-add NOSUCH @ true
ip_asked() { # ENGINE: --ip with an address of that engine's bridge
	local a=10.99.0.77
	[ "$1" = docker ] && a=172.17.0.77
	r "$1" --ip "$a" @ sh -c "ip -4 -o addr show eth0 | grep -q ' $a/' && echo 'the address asked for' || echo 'another address'"
}
scenario ip-option-default-bridge ip_asked
no_args() { capture erun "$1"; }
scenario bad-no-image status no_args
noimage() { if [ "$1" = docker ]; then capture erun docker --rm --pull never nosuch-image true; else capture erun minirun --rm /nonexistent true; fi; }
scenario bad-missing-image status noimage
dup() { # ENGINE: a name in use
	local e=$1
	erun "$e" -d --name dup @ sleep 30 </dev/null >/dev/null
	capture erun "$e" --rm --name dup @ true
	everb "$e" rm -f dup >/dev/null
}
scenario bad-name-in-use status dup
for verb in rm stop kill inspect port logs; do
	scenario "bad-$verb-missing" status v "$verb" nosuch
done
scenario bad-exec-missing status v exec nosuch true
scenario bad-kill-signal status v kill -s NOSUCH nosuch
