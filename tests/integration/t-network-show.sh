#!/bin/bash
# `minirun network show`: the bridge network drawn as text, mermaid and dot;
# graphviz's dot must render the dot output and mermaid's own parser must
# accept the mermaid output.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bridge-lib.sh"
bridge_setup || exit 1

err=$(mr network show 2>&1); rc=$?
check_eq "before any container: exit 125" "$rc" 125
check_match "... saying so" "$err" '^minirun: no bridge network yet'

idw=$(mr run -d --init --name web -p 8080:80 "$ROOTFS" httpd -f -p 80 -h /var/www)
idd=$(mr run -d --name db "$ROOTFS" sleep 60)
txt=$(mr network show)
check_match "text: the bridge and gateway" "$txt" 'mini0 10\.99\.0\.1/16'
check_match "text: web's veth pair and address" "$txt" "mr${idw:0:12} ══ eth0 10\\.99\\.0\\.2/16  web"
check_match "text: its published port" "$txt" 'published: 0\.0\.0\.0:8080 -> 80/tcp'
check_match "text: db" "$txt" "mr${idd:0:12} ══ eth0 10\\.99\\.0\\.3/16  db"
check_match "text: the NAT rule" "$txt" 'masquerade 10\.99\.0\.0/16'

dot=$(mr network show --format dot)
if command -v dot >/dev/null; then
	printf '%s\n' "$dot" >"$T_DIR/net.dot"
	check "dot: graphviz renders it to SVG" dot -Tsvg -o "$T_DIR/net.svg" "$T_DIR/net.dot"
	check_match "dot: the SVG shows both containers" "$(cat "$T_DIR/net.svg")" 'web.*|db'
else
	not_ok "graphviz's dot is needed (make deps installs it)"
fi
mmd=$(mr network show --format mermaid)
check_match "mermaid: a flowchart" "$mmd" '^graph LR'
check_match "mermaid: web with its address" "$mmd" "c${idw:0:12}\\[\"web<br/>eth0 10\\.99\\.0\\.2/16\"\\]"
check_match "mermaid: the published port's DNAT edge" "$mmd" "-\\.->\\|DNAT\\| c${idw:0:12}"
# mermaid's own parser (make mermaid-parser puts it in build/mermaid); a broken
# copy must fail it, or the check proves nothing.
if mermaid_ready; then
	printf '%s\n' "$mmd" >"$T_DIR/net.mmd"
	printf '%s\n' "$mmd" | sed 's/\]$//' >"$T_DIR/broken.mmd"
	out=$(node "$TOP/build/mermaid/parse.mjs" "$T_DIR/net.mmd" 2>&1); rc=$?
	check_eq "mermaid: mermaid's parser accepts it ($out)" "$rc" 0
	out=$(node "$TOP/build/mermaid/parse.mjs" "$T_DIR/broken.mmd" 2>&1); rc=$?
	check_eq "mermaid: ... and refuses a broken copy (unclosed labels)" "$rc" 1
	check_match "... naming the parse error" "$out" 'Parse error on line'
else
	skip "mermaid: mermaid's parser accepts it" "$MERMAID_WHY"
fi
err=$(mr network show --format png 2>&1); rc=$?
check_eq "an unknown format is refused (125)" "$rc" 125
mr rm -f web db >/dev/null
check_match "with no container running it says so" "$(mr network show)" 'no running container'
assert_clean
