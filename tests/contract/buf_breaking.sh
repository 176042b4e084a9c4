#!/usr/bin/env bash
# `buf breaking` against the last released v1 (proto/releases/v1.0.0.binpb, a
# Buf image of the contract as released, committed so the check needs no git
# history or network). Then shows the guard can fail: a copy of the contract
# with one field removed must be refused.
set -euo pipefail
proto=$1 buf=$2
test -x "$buf" || { echo "buf missing: run npm ci --prefix tools"; exit 1; }
image="$proto/releases/v1.0.0.binpb"
cd "$proto"
"$buf" breaking --against "$image"
echo "buf breaking: compatible with v1.0.0"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r "$proto/switchboard" "$proto/buf.yaml" "$dir/"
# Remove Route.primary_bypassed: a wire-incompatible change.
sed -i '/^  bool primary_bypassed = 8;$/d' "$dir/switchboard/v1/common.proto"
if (cd "$dir" && "$buf" breaking --against "$image" >"$dir/out" 2>&1); then
  echo "buf breaking accepted a removed field"; exit 1
fi
grep -q 'primary_bypassed' "$dir/out" || { cat "$dir/out"; exit 1; }
echo "buf breaking: refuses a removed field, as it should"
