#!/usr/bin/env bash
# Installs what the lab needs on a fresh machine, idempotently: the wasm target,
# Trunk 0.21, the wasm-bindgen CLI matching Cargo.lock, and (npm) wasm-opt and
# playwright-core. With --browser it also installs Debian's Chromium and ChromeDriver.
# Facts behind each step: ../shared/TOOLCHAIN.md. Source this file's PATH line, or
# call it through ./lab, which does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$root/node_modules/.bin:$PATH"

say() { printf 'setup: %s\n' "$*" >&2; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing Trunk 0.21 (about 7 minutes; 0.22 needs a newer rustc)"
  cargo install --locked trunk --version '~0.21'
fi

# The CLI must match the wasm-bindgen crate in Cargo.lock exactly ("schema version" errors otherwise).
wb="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $wb"; then
  say "installing wasm-bindgen-cli $wb (about 3 minutes)"
  # No --locked: the registry copy here lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$wb" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm tools (wasm-opt, playwright-core, axe-core)"
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-}" = "--browser" ]; then
  # DejaVu: the fonts `splitbrain run --png` draws its labels with (and its test checks).
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null || [ ! -d /usr/share/fonts/truetype/dejavu ]; then
    say "installing Debian's chromium, chromium-driver and fonts-dejavu-core"
    sudo_cmd=""
    [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
  fi
fi
