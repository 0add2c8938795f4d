#!/bin/bash
# -t: an interactive shell in a real terminal (tmux), Ctrl-C reaching the
# shell and not minirun, window size passed on, the terminal restored after.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { not_ok "tmux is needed (make deps installs it)"; exit 1; }
S="minirun-tty-$$"
export TMUX_TMPDIR="$T_DIR"
at_cleanup "tmux kill-server"
screen() { tmux capture-pane -t "$S" -p; }
type_line() { tmux send-keys -t "$S" "$1" Enter; }
# wait until the screen shows a line matching regex
expect() { wait_for 5 sh -c "tmux capture-pane -t '$S' -p | grep -qE -- '$1'"; }

tmux new-session -d -s "$S" -x 100 -y 30 "env PS1='host\$ ' bash --norc --noprofile"
type_line "stty -a | grep -o -- '-\\?icanon' | sed 's/^/MODE-/'"
expect '^MODE-icanon'
type_line "$MINIRUN --root $ROOT run --rm -it --network none -h ttybox $ROOTFS sh"
expect '^/ #'
check "the shell prompt appears" expect '^/ #'
type_line 'tty; echo TERM=$TERM'
check "stdin is a pty of the container's devpts" expect '^/dev/pts/0$'
check "TERM is xterm" expect '^TERM=xterm$'
type_line 'stty size | sed "s/^/SIZE-/"'
check "the window size is the terminal's" expect '^SIZE-30 100$'
tmux resize-window -t "$S" -x 90 -y 25
cpid=$(jq -r .pid "$ROOT"/containers/*/state.json) # the container's shell
# minirun has passed the size on once the container's pty has it
wait_for 5 sh -c "[ \"\$(stty -F /proc/$cpid/fd/0 size 2>/dev/null)\" = '25 90' ]"
type_line 'stty size | sed "s/^/SIZE-/"'
check "a resize reaches the container (SIGWINCH)" expect '^SIZE-25 90$'
type_line 'sleep 100'
# running: a ^C typed while the shell still reads its line would not stop it
wait_for 5 pgrep -P "$cpid" -xf 'sleep 100'
tmux send-keys -t "$S" C-c
type_line 'echo still-here'
check "Ctrl-C stops the shell's command, not minirun" expect '^still-here$'
type_line 'exit 3'
check "minirun returns when the shell exits" expect '^host\$$'
type_line 'echo "rc=$?"'
check "the exit status comes back" expect '^rc=3$'
type_line "stty -a | grep -o -- '-\\?icanon' | sed 's/^/AFTER-/'"
check "the terminal is restored (canonical mode again)" expect '^AFTER-icanon$'
[ "$T_FAILED" -gt 0 ] && diag "$(screen)"

# exec -it into a detached container.
mr run -d --network none --name ttyd "$ROOTFS" sleep 60 >/dev/null
type_line "$MINIRUN --root $ROOT exec -it ttyd sh"
expect '^/ #'
type_line 'echo EXECPID=$$; tty'
check "exec -it gives a shell on a pty in the container" expect '^EXECPID=[0-9]+$'
type_line 'exit 6'
expect '^host\$$'
type_line 'echo "xrc=$?"'
check "exec -it passes the exit status back" expect '^xrc=6$'
mr rm -f ttyd >/dev/null

err=$(echo x | "$MINIRUN" --root "$ROOT" run --rm -it --network none "$ROOTFS" sh 2>&1)
check_eq "-it with stdin not a terminal fails like Docker (exit 1)" "$?" 1
check_eq "... saying so" "$err" "minirun: the input device is not a TTY"
check_eq "-t without -i works without a terminal" "$("$MINIRUN" --root "$ROOT" run --rm -t --network none "$ROOTFS" sh -c 'tty' </dev/null | tr -d '\r')" /dev/pts/0
"$MINIRUN" --root "$ROOT" run --rm -t --network none "$ROOTFS" seq 1 300000 </dev/null | head -1 >/dev/null
check_eq "-t into a pipe closed early: minirun does not die of SIGPIPE" "${PIPESTATUS[0]}" "$(echo 0)"
assert_clean
