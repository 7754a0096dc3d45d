#!/usr/bin/env bash
# Bounded fuzzing for CI (scripts/test.sh calls this): builds every harness
# with clang, libFuzzer, ASan and UBSan into build-fuzz, then runs each for
# LP_FUZZ_SECONDS (default 12: 17 harnesses take about 4 minutes) starting
# from its committed corpus. Any crash, leak, sanitizer report, timeout or
# harness property failure fails the run; the reproducer is kept under
# build-fuzz/artifacts/. Longer runs: see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${LP_FUZZ_SECONDS:-12}
build=${LP_FUZZ_BUILD:-build-fuzz}
only=${1:-}

if [ -f "$build/CMakeCache.txt" ] && ! grep -q '^CMAKE_C_COMPILER:.*clang' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLP_SANITIZE=ON -DLP_FUZZ=ON -DLP_BENCH=OFF >/dev/null
targets=()
for f in fuzz/fuzz_*.c; do
  t=$(basename "$f" .c)
  if [ -z "$only" ] || [ "$t" = "fuzz_$only" ]; then targets+=("$t"); fi
done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >/dev/null

mkdir -p "$build/artifacts" "$build/new-inputs"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
total=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  # new inputs go to a scratch directory; the committed corpus is only read
  mkdir -p "$build/new-inputs/$name"
  log="$build/artifacts/$name.log"
  # known bugs of other modules, each with its reproducer (see the file)
  supp=fuzz/known-issues/$name.supp
  if [ -f "$supp" ] && grep -q '^leak:' "$supp"; then
    export LSAN_OPTIONS="suppressions=$PWD/$supp"
    asan="$ASAN_OPTIONS:fast_unwind_on_malloc=0"
  else
    unset LSAN_OPTIONS
    asan="$ASAN_OPTIONS"
  fi
  start=$(date +%s)
  if ! ASAN_OPTIONS="$asan" "$build/fuzz/$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=3072 \
       -artifact_prefix="$build/artifacts/$name-" -print_final_stats=1 \
       "$build/new-inputs/$name" "fuzz/corpus/$name" >"$log" 2>&1; then
    echo "fuzz: $name FAILED; reproducer and log in $build/artifacts/" >&2
    grep -E 'ERROR|SUMMARY|Test unit written|abort|timeout' "$log" | head -20 >&2 || true
    exit 1
  fi
  end=$(date +%s)
  total=$((total + end - start))
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo '?')
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  echo "fuzz: $name ok ($runs runs, $cov, $((end - start)) s)"
done
echo "fuzz: all ${#targets[@]} harnesses ran clean for ${total} s in total"
