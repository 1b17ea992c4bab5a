#!/usr/bin/env bash
# Sets SinkScope up (packages, build with tests under build/) and runs the whole test suite.
# Its exit status is the suite's. --sanitize builds under build-sanitize/ with ASan + UBSan.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir="$root/build"
options=(-DSINKSCOPE_WERROR=ON -DSINKSCOPE_BUILD_TESTS=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir="$root/build-sanitize"
  options+=(-DSINKSCOPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # Leaks of Qt's and fontconfig's own start-up, each explained in the file, if any are listed.
  [ -f "$root/tests/lsan.supp" ] && export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp:print_suppressions=0
  shift
fi
"$root/scripts/setup.sh" "$build_dir" "${options[@]}"
cd "$build_dir"
export QT_QPA_PLATFORM=offscreen
ctest --output-on-failure -j "${SINKSCOPE_TEST_JOBS:-2}" "$@"
