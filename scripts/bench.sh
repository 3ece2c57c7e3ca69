#!/usr/bin/env bash
# Prints the lab's figures. It never passes or fails on a time: it measures.
# Called by ./lab bench (which sets PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
trunk build --release >/dev/null 2>&1 || trunk build --release
cargo build --release -q -p splitbrain

wasm="$(ls dist/*_bg.wasm)"
raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm size: %d KB raw, %d KB gzipped (%s)\n' $((raw / 1024)) $((gz / 1024)) "$(basename "$wasm")"

./target/release/splitbrain bench --minutes 10
node e2e/bench.mjs
