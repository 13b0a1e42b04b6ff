#!/usr/bin/env bash
# Fails when src/gen does not match what `npm run gen` produces from proto/.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npx buf generate --template buf.gen.yaml -o "$tmp" >/dev/null
if ! diff -r "$tmp/src/gen" src/gen >/dev/null; then
  echo "check-gen: src/gen is stale or edited by hand; run 'npm run gen' and commit" >&2
  diff -r "$tmp/src/gen" src/gen | head -20 >&2
  exit 1
fi
