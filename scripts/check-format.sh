#!/usr/bin/env bash
# The format check: clang-format (Debian's, installed by scripts/setup.sh) with the repository's
# .clang-format, in dry-run mode, over every tracked C++ file or the files given. Exit 0 when all
# are formatted, 1 (listing each difference) otherwise. Reformat with: scripts/check-format.sh --fix
# Usage: scripts/check-format.sh [--fix] [FILE...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
mode=(--dry-run -Werror)
if [ "${1:-}" = "--fix" ]; then
  mode=(-i)
  shift
fi
command -v clang-format >/dev/null || { echo "error: clang-format not installed; run scripts/setup.sh" >&2; exit 2; }
if [ $# -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^tests/fuzz/corpus/')
fi
[ ${#files[@]} -eq 0 ] && exit 0
clang-format --style=file "${mode[@]}" "${files[@]}"
