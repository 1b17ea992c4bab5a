#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for SECONDS (default 60) over
# its seed corpus (tests/fuzz/corpus/<target>) and the crashes found before (tests/fuzz/crashes).
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]   e.g. tests/fuzz/run.sh 600 fuzz_gguf
# Exit 0: no finding; 1: a target crashed (input kept under $build/artifacts/<target>/);
# 77: clang or its libFuzzer runtime is missing (ctest reports the test as skipped).
# Env: SINKSCOPE_FUZZ_BUILD_DIR (default build-fuzz/), SINKSCOPE_JOBS (build jobs, default 2),
# SINKSCOPE_FUZZ_TESTS=1 to run inside ctest (which sets SINKSCOPE_FUZZ_CTEST=1).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seconds=${1:-60}
shift || true
build=${SINKSCOPE_FUZZ_BUILD_DIR:-$root/build-fuzz}
fuzz_dir=$root/tests/fuzz

# Inside ctest the clang build (the whole core again, instrumented) is opt-in: on a shared
# 2-core machine it takes longer than the suite itself. CI (.ci/run) opts in.
if [ "${SINKSCOPE_FUZZ_CTEST:-0}" = 1 ] && [ "${SINKSCOPE_FUZZ_TESTS:-0}" != 1 ]; then
  echo "skipped: set SINKSCOPE_FUZZ_TESTS=1 to build and run the fuzz targets inside the test suite"
  exit 77
fi
clang=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clang" ]; then
  echo "skipped: clang++ not found; the fuzz targets need clang's libFuzzer (apt-get install clang)"
  exit 77
fi
mkdir -p "$build"
probe=$build/libfuzzer-probe
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' |
    "$clang" -x c++ -fsanitize=fuzzer,address,undefined - -o "$probe" 2>"$probe.log"; then
  echo "skipped: $clang cannot link libFuzzer (install libclang-rt-dev):"; cat "$probe.log"
  exit 77
fi

# -O1 with line tables: quick to build, fast enough to fuzz, symbolised stacks; asserts stay on.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER="$clang" -DSINKSCOPE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  >"$build/configure.log" 2>&1 || { cat "$build/configure.log"; exit 1; }
cmake --build "$build" --target fuzz_targets -j "${SINKSCOPE_JOBS:-2}"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for binary in "$build"/tests/fuzz/fuzz_*; do
    name=$(basename "$binary")
    [ -f "$binary" ] && [ -x "$binary" ] && [ "$name" != fuzz_make_seeds ] && targets+=("$name")
  done
fi

status=0
for target in "${targets[@]}"; do
  short=${target#fuzz_}
  work=$build/corpus/$short            # what this machine found; seeds stay read-only
  artifacts=$build/artifacts/$short/
  mkdir -p "$work" "$artifacts" "$fuzz_dir/crashes/$short"
  # Amplification is a finding (docs/limits.md, "Threat model"): an input of at most 1 MiB
  # (-max_len) that makes a parser hold hundreds of MiB, or run for seconds, fails the run.
  options=(-max_total_time="$seconds" -timeout=10 -max_len=1048576 -rss_limit_mb=1024 -malloc_limit_mb=256
           -artifact_prefix="$artifacts" -print_final_stats=1)
  [ -f "$fuzz_dir/$short.dict" ] && options+=(-dict="$fuzz_dir/$short.dict")
  log=$build/$target.log
  echo "== $target: ${seconds}s (log: $log)"
  if "$build/tests/fuzz/$target" "${options[@]}" "$work" "$fuzz_dir/corpus/$short" "$fuzz_dir/crashes/$short" \
      >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done)' "$log" | tr '\n' ' '; echo
  else
    status=1
    echo "FINDING in $target (input under $artifacts):"
    grep -E -A 30 'ERROR: |runtime error|==ERROR|deadly signal' "$log" | head -60
  fi
done
exit $status
