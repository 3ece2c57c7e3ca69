#!/usr/bin/env bash
# Prints the lab's figures. It never passes or fails on a time: it measures.
# Called by ./lab bench (which sets PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
trunk build --release >/dev/null 2>&1 || trunk build --release
cargo build --release -q -p splitbrain

wasm="$(ls dist/splitbrain-lab-*_bg.wasm)"
raw=$(wc -c <"$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm size: %d KB raw, %d KB gzipped (%s)\n' $((raw / 1024)) $((gz / 1024)) "$(basename "$wasm")"
# Everything the page transfers, each file gzipped as a server would send it; the
# failure drill's worker is fetched only when a drill starts, so it is counted apart.
total=0; parts=""; worker=0
for f in dist/*; do
  [ -f "$f" ] || continue
  n=$(gzip -9 -c "$f" | wc -c)
  case "$(basename "$f")" in
    drill-worker*) worker=$((worker + n)); continue ;;
    course-example.html) continue ;;
  esac
  total=$((total + n))
  parts="$parts ${f##*.} $((n / 1024)) KB,"
done
printf 'transferred on load, gzipped: %d KB in all (%s)\n' $((total / 1024)) "${parts%,}"
printf 'the lab worker (drills, history checks), fetched when first needed, gzipped: %d KB\n' $((worker / 1024))

./target/release/splitbrain bench --minutes 10
node e2e/bench.mjs
