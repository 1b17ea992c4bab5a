#!/usr/bin/env bash
# Sets SinkScope up (packages, Release build under build/) and starts it. Arguments pass through:
# ./run.sh plan --model mistral-7b-v0.1 --hardware h100-sxm-80gb --context 32768
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SINKSCOPE_BUILD_TARGET=sinkscope "$root/scripts/setup.sh" "$root/build" -DSINKSCOPE_WERROR=ON >&2
app="$root/build/app/sinkscope"
if [ $# -gt 0 ]; then exec "$app" "$@"; fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run.sh: no display found (DISPLAY and WAYLAND_DISPLAY are unset); writing the default report instead." >&2
  out="$root/build/sinkscope-report.pdf"
  "$app" report --model mistral-7b-v0.1 --hardware h100-sxm-80gb --context 32768 --mitigations baseline,ntk \
    --out "$out" --force >/dev/null
  echo "run.sh: the default report (Mistral 7B at 32K on an H100 80 GB, baseline vs NTK) was written to:" >&2
  echo "$out"
  exit 0
fi
exec "$app"
