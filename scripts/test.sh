#!/usr/bin/env bash
# The README's test command: install dependencies, build from clean, run the
# whole suite once normally and once under AddressSanitizer+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
werror=-DLP_WERROR=ON
rm -rf build build-asan
echo "== build (warnings are errors) and test"
scripts/build.sh build $werror
(cd build && ctest --output-on-failure -j 2)
echo "== build and test under ASan+UBSan"
scripts/build.sh build-asan $werror -DLP_SANITIZE=ON -DLP_BENCH=OFF
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j 2)
if [ -x fuzz/ci.sh ]; then
  echo "== fuzz harnesses, bounded run"
  fuzz/ci.sh
fi
echo "all test suites passed"
