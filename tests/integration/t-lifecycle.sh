#!/bin/bash
# Living with containers: run -d, ps, inspect, logs, stop, kill, rm, exec, gc.
. "$(dirname "$0")/lib.sh"
BB="$ROOTFS"

id=$(mr run -d --network none --name web "$BB" sh -c 'trap "echo got-term; exit 3" TERM; echo started; echo to-stderr >&2; while :; do sleep 0.05; done')
check_eq "run -d exits 0" $? 0
check_match "run -d prints the full 64-hex id" "$id" '^[0-9a-f]{64}$'
wait_for 5 grep -q to-stderr "$ROOT/containers/$id/container.log"
check_match "ps shows it Up" "$(mr ps)" "${id:0:12} +rootfs-busybox +\"sh -c 'trap.*Up .* web"
check_eq "ps --format json has the name" "$(mr ps --format json | jq -r .Names)" web
check_eq "inspect: status" "$(mr inspect web | jq -r '.[0].State.Status')" running
check_eq "inspect: Docker's other State fields, and Config.WorkingDir" \
	"$(mr inspect web | jq -c '[.[0].State | .Paused, .Restarting, .OOMKilled, .Dead, .Error] + [.[0].Config.WorkingDir]')" '[false,false,false,false,"",""]'
check_eq "inspect: id" "$(mr inspect "${id:0:6}" | jq -r '.[0].Id')" "$id"
check_eq "inspect: hostname" "$(mr inspect web | jq -r '.[0].Config.Hostname')" "${id:0:12}"
check_eq "inspect: command" "$(mr inspect web | jq -r '.[0].Config.Cmd[0]')" sh
check_eq "inspect: network mode" "$(mr inspect web | jq -r '.[0].HostConfig.NetworkMode')" none
pid=$(mr inspect web | jq -r '.[0].State.Pid')
check "inspect: the pid is the container's PID 1" sh -c "grep -q '^NSpid:.*[[:space:]]1\$' /proc/$pid/status"
check_eq "logs: stdout and stderr" "$(mr logs web)" $'started\nto-stderr'
check_eq "logs --tail 1" "$(mr logs --tail 1 web)" to-stderr
# The monitor's memory: VmRSS counts every libc page it has mapped, shared
# with every other process (about 1.4 MiB of its ~2 MiB); what it costs the
# machine is its proportional share (Pss), which must stay within 2 MiB.
mon=$(jq -r .owner "$ROOT/containers/$id/state.json")
pss=$(awk '/^Pss:/{print $2}' "/proc/$mon/smaps_rollup")
rss=$(awk '/^Rss:/{print $2}' "/proc/$mon/smaps_rollup")
if [ "$pss" -le 2048 ]; then ok "the monitor's resident memory (Pss) is at most 2 MiB ($pss kB; Rss $rss kB)"; else not_ok "monitor Pss $pss kB > 2048 (Rss $rss kB)"; fi

# exec: in all the container's namespaces, status passed back.
check_eq "exec runs in the container" "$(mr exec web sh -c 'hostname; cat /proc/1/comm')" "${id:0:12}
sh"
mr exec web sh -c 'exit 7'; check_eq "exec passes the exit status back" $? 7
mr exec web nosuch 2>/dev/null; check_eq "exec of a missing command: 127" $? 127
check_eq "exec -e and -w" "$(mr exec -e X=1 -w /tmp web sh -c 'echo $X $(pwd) $PATH')" "1 /tmp /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
check_eq "exec -i passes stdin" "$(echo in | mr exec -i web cat)" in
check_eq "exec without -i: stdin is /dev/null" "$(echo in | mr exec web cat)" ""

# exec: nothing of the caller's reaches the command either.
check_eq "exec: a caller's fd 7 does not reach the command" "$(exec 7>"$T_DIR/leak"; mr exec web ls /proc/self/fd | tr '\n' ' ')" "0 1 2 3 "
check_eq "exec: signals the caller ignores are not ignored" "$(trap '' HUP RTMIN; mr exec web grep SigIgn /proc/self/status)" "SigIgn:	0000000000000000"

# run -d does not keep the caller's pipes open (a $(...) around it returns).
out=$(timeout 5 "$MINIRUN" --root "$ROOT" run -d --network none --name piped "$BB" sleep 30 | wc -l)
check_eq "run -d returns through a pipe at once" "$out" 1
mr rm -f piped >/dev/null

# Bad input leaves everything as it was.
mr rm web 2>"$T_DIR/err"; check_eq "rm of a running container fails" $? 1
check_match "... with one line" "$(cat "$T_DIR/err")" '^minirun: cannot remove container web: container is running'
mr kill -s NOPE web 2>/dev/null; check_eq "kill with an unknown signal fails (1, as Docker)" $? 1
check_eq "... and the container still runs" "$(mr inspect web | jq -r '.[0].State.Running')" true
mr logs nosuch 2>/dev/null; check_eq "logs of an unknown name fails (1, as Docker)" $? 1
mr exec nosuch true 2>/dev/null; check_eq "exec in an unknown container fails (1, as Docker)" $? 1
mr inspect nosuch >/dev/null 2>&1; check_eq "inspect of an unknown name fails (1, as Docker)" $? 1
mr port nosuch 2>/dev/null; check_eq "port of an unknown name fails (1, as Docker)" $? 1

# kill -s TERM reaches the trap; stop waits; logs show it.
check "kill -s TERM" mr kill -s TERM web
wait_for 5 sh -c "[ \"\$(jq -r .status '$ROOT/containers/$id/state.json')\" = exited ]"
check_eq "the container exited 3 through its trap" "$(jq -r .exit_code "$ROOT/containers/$id/state.json")" 3
check_match "ps -a: Exited (3)" "$(mr ps -a | grep web)" 'Exited \(3\)'
check_eq "logs after exit" "$(mr logs --tail 1 web)" got-term
mr exec web true 2>"$T_DIR/err"; check_eq "exec in a stopped container fails (1, as Docker)" $? 1
check_eq "... saying so" "$(cat "$T_DIR/err")" "minirun: container web is not running"
check "rm a stopped container" mr rm web
check_eq "it is gone" "$(ls "$ROOT/containers" | wc -l)" 0

# stop: SIGTERM ignored by PID 1 -> SIGKILL after -t.
mr run -d --network none --name stubborn "$BB" sleep 100 >/dev/null
start=$(date +%s%N)
check "stop -t 1" mr stop -t 1 stubborn
took=$((($(date +%s%N) - start) / 1000000))
if [ "$took" -ge 900 ] && [ "$took" -lt 8000 ]; then ok "stop waited about -t before SIGKILL (${took} ms)"; else not_ok "stop took $took ms"; fi
check_match "stopped by SIGKILL: Exited (137)" "$(mr ps -a | grep stubborn)" 'Exited \(137\)'
mr rm stubborn >/dev/null

# rm -f of a running container, and --rm with -d.
mr run -d --network none --name forced "$BB" sleep 100 >/dev/null
check "rm -f removes a running container" mr rm -f forced
check_eq "nothing is left of it" "$(ls "$ROOT/containers" | wc -l)" 0
id=$(mr run -d --rm --network none "$BB" sh -c 'sleep 0.2')
wait_for 5 sh -c "[ ! -d '$ROOT/containers/$id' ]"
check "run -d --rm removes itself after exit" test ! -d "$ROOT/containers/$id"
mr run -d --network none "$ROOTFS" nosuch 2>/dev/null; check_eq "run -d of a missing command: 127" $? 127

# gc: a container whose monitor was killed -9 (its container dies with it).
id=$(mr run -d --network none --name crashed "$BB" sleep 100)
owner=$(jq -r .owner "$ROOT/containers/$id/state.json")
kill -9 "$owner"
wait_for 5 sh -c "! kill -0 $(jq -r .pid "$ROOT/containers/$id/state.json") 2>/dev/null"
check_match "gc reports what it released" "$(mr gc)" "released ${id:0:12} \(crashed\)"
check_eq "gc twice is harmless" "$(mr gc)" ""
check_match "ps -a shows it exited" "$(mr ps -a | grep crashed)" 'Exited \(137\)'
mr rm crashed >/dev/null
assert_clean

# In the bridge network: port, the PORTS and IP columns, inspect's ports.
net_setup || { not_ok "net_setup"; exit 1; }
id=$(mr run -d --init --name pub -p 8080:80 -p 127.0.0.1::81 "$BB" httpd -f -p 80 -h /var/www)
wait_for 5 in_host curl -s -o /dev/null --max-time 1 http://127.0.0.1:8080/
ports=$(mr port pub)
check_match "port lists 80/tcp -> 0.0.0.0:8080" "$ports" $'^80/tcp -> 0\\.0\\.0\\.0:8080\n'
check_match "port lists the picked host port for 81" "$ports" $'\n81/tcp -> 127\.0\.0\.1:[0-9]+$'
check_eq "port NAME CPORT: that port's bindings" "$(mr port pub 80)" 0.0.0.0:8080
check_match "port NAME CPORT/PROTO too" "$(mr port pub 81/tcp)" '^127\.0\.0\.1:[0-9]+$'
err=$(mr port pub 82 2>&1)
check_eq "port NAME CPORT it does not publish: exit 1 (as Docker)" "$?" 1
check_eq "... with one line" "$err" "minirun: no public port '82/tcp' published for pub"
check_match "ps shows the ports" "$(mr ps | grep pub)" '0\.0\.0\.0:8080->80/tcp, 127\.0\.0\.1:[0-9]+->81/tcp'
check_match "ps shows the address" "$(mr ps | grep pub)" ' 10\.99\.0\.2 '
# Docker's PORTS and COMMAND: same-number bindings grouped into a range,
# the others after them; arguments with a space in single quotes.
mr run -d --name grp -p 8090:8090 -p 8091:8091 -p 9000:80 "$BB" sh -c 'sleep 60' >/dev/null
check_eq "ps: PORTS grouped and ordered as Docker's" "$(mr ps --format json | jq -r 'select(.Names == "grp") | .Ports')" \
	"0.0.0.0:8090-8091->8090-8091/tcp, 0.0.0.0:9000->80/tcp"
check_eq "ps: COMMAND quotes an argument with a space" "$(mr ps --format json | jq -r 'select(.Names == "grp") | .Command')" \
	"\"sh -c 'sleep 60'\""
check_eq "ps --format json: State and Networks" "$(mr ps --format json | jq -r 'select(.Names == "grp") | .State + " " + .Networks')" "running bridge"
check_eq "ps lists the newest first" "$(mr ps --format json | jq -r .Names | tr '\n' ' ')" "grp pub "
check_eq "ps -q: the short ids, newest first" "$(mr ps -q | tr '\n' ' ')" "$(mr ps --format json | jq -r .ID | tr '\n' ' ')"
mr rm -f grp >/dev/null
check_eq "inspect: NetworkSettings.Ports" "$(mr inspect pub | jq -c '.[0].NetworkSettings.Ports["80/tcp"]')" '[{"HostIp":"0.0.0.0","HostPort":"8080"}]'
check_eq "inspect: IPAddress" "$(mr inspect pub | jq -r '.[0].NetworkSettings.IPAddress')" 10.99.0.2
check_eq "inspect: MacAddress" "$(mr inspect pub | jq -r '.[0].NetworkSettings.MacAddress')" 02:42:0a:63:00:02
check_match "the page is served" "$(in_host curl -s --max-time 3 http://127.0.0.1:8080/)" 'hello from minirun'
# A crashed run (monitor killed): gc takes back its lease and map elements.
owner=$(jq -r .owner "$ROOT/containers/$id/state.json")
kill -9 "$owner"
wait_for 5 sh -c "! kill -0 $(jq -r .pid "$ROOT/containers/$id/state.json") 2>/dev/null"
check_match "gc releases the crashed container's network" "$(mr gc)" "released ${id:0:12} \(pub\)"
tick
check_eq "... its map elements are gone" "$(in_host nft -j list map inet minirun ports_any | jq '[.nftables[] | select(.map) | .map.elem // [] | length] | add')" 0
check_eq "... and its lease" "$(ls "$ROOT/ipam/leases" | wc -l)" 0
mr rm pub >/dev/null
assert_clean "nothing is left in the bridge network either"
