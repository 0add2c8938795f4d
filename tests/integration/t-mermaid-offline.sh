#!/bin/bash
# make mermaid-parser with the npm registry out of reach (a closed port on
# loopback): it fails at once with one line of why, kept in .failed, and the
# tests' mermaid_ready then skips with that line rather than trying again
# (npm's own waits would hold a network test's lock for minutes).
. "$(dirname "$0")/lib.sh"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	skip "make mermaid-parser without a registry" "no node and npm here (make mermaid-parser installs them)"
	exit 0
fi
export MERMAID_DIR="$T_DIR/mermaid" npm_config_registry=http://127.0.0.1:9/
start=$SECONDS
make -s -C "$TOP" MERMAID_DIR="$MERMAID_DIR" mermaid-parser >/dev/null 2>&1
rc=$? took=$((SECONDS - start))
check "a registry out of reach: make mermaid-parser fails" test "$rc" -ne 0
check "... within 30 seconds (took $took s)" test "$took" -lt 30
check_match "... and says why in .failed, in one line" "$(cat "$MERMAID_DIR/.failed" 2>&1)" \
	'^make mermaid-parser: npm install failed: .*ECONNREFUSED$'
rm -f "$MERMAID_DIR/npm.log"
if mermaid_ready; then
	not_ok "mermaid_ready after that failure: not ready"
else
	check_match "mermaid_ready after that failure: not ready, with its line" "$MERMAID_WHY" \
		'^make mermaid-parser: npm install failed: .*ECONNREFUSED \(make mermaid-parser tries again\)$'
fi
check "... and npm was not run again" test ! -e "$MERMAID_DIR/npm.log"
