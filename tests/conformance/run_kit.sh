#!/usr/bin/env bash
# Runs the switchboard-conformance executable against a switchboard-sim
# process on 127.0.0.1 (a free port), every check including the destructive
# ones, and checks the exit code and the JUnit file: the contract's reference
# implementation must pass its own kit.
set -euo pipefail
sim=$1 kit=$2
dir=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
printf 'adm admin adam\nop operator olga\nview viewer vera\n' >"$dir/tokens"
: >"$dir/sim.log" # exists before the poll below reads it (the sim opens it after the fork)
"$sim" --listen 127.0.0.1:0 --tokens "$dir/tokens" --rate 2000 >"$dir/sim.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  addr=$(sed -n 's/^switchboard-sim listening on //p' "$dir/sim.log")
  [[ -n $addr ]] && break
  sleep 0.1
done
[[ -n ${addr:-} ]] || { echo "the sim did not start:"; cat "$dir/sim.log"; exit 1; }
SWITCHBOARD_CONFORMANCE_ADMIN_TOKEN=adm SWITCHBOARD_CONFORMANCE_OPERATOR_TOKEN=op \
SWITCHBOARD_CONFORMANCE_VIEWER_TOKEN=view \
  "$kit" --target "$addr" --destructive --time-limit 50 --junit "$dir/junit.xml"
grep -q '<testsuites name="switchboard-conformance">' "$dir/junit.xml"
if grep -q 'failures="[1-9]' "$dir/junit.xml"; then echo "JUnit reports failures"; exit 1; fi
echo "conformance kit: the sim passes (JUnit ok)"
