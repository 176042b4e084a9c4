#!/usr/bin/env bash
# Starts switchboard-sim as a process and runs the Node.js client against it.
# Usage: run_grpc_js.sh <switchboard-sim> <proto-dir> <node_modules>
set -euo pipefail
sim=$1 protos=$2 modules=$3
command -v node >/dev/null || { echo "FAIL: node not found (scripts/test installs it)"; exit 1; }
[[ -d $modules/@grpc/grpc-js ]] || { echo "FAIL: $modules lacks @grpc/grpc-js (run: npm ci --prefix tools)"; exit 1; }
out=$(mktemp)
"$sim" --listen 127.0.0.1:0 --rate 500 >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do
  addr=$(grep -o 'listening on [^ ]*' "$out" | awk '{print $3}' || true)
  [[ -n $addr ]] && break
  sleep 0.1
done
[[ -n ${addr:-} ]] || { echo "FAIL: sim did not start"; exit 1; }
SB_NODE_MODULES=$modules node "$(dirname "$0")/grpc_js_client.mjs" "$protos" "$addr"
