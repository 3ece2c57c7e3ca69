#!/usr/bin/env bash
# The whole test suite, as CI runs it. Called by ./lab test (which sets PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "native tests (every crate)"
cargo test --workspace

step "the Kubernetes drill Job, validated offline against the Job schema and run here as shards"
if ! python3 -c "import kubernetes_validate" 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "kubernetes-validate==1.37.0"
fi
python3 scripts/check-drill-job.py target/debug/splitbrain

step "in-browser tests (wasm-bindgen-test in headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p splitbrain-lab --test wasm_determinism

step "release build for the end-to-end tests"
trunk build --release

step "end-to-end tests (playwright-core driving /usr/bin/chromium)"
node --test --test-concurrency=1 e2e/
