#!/usr/bin/env bash
# The one command for issue 8's benchmark: installs what it needs, builds a
# release (-O2), runs every figure RUNS times (default 3) and the SD-JWT VC
# peer beside it, and writes bench/RESULTS.md.
#   bench/run.sh [--quick]      (--quick: one short run, a smoke test)
# Environment: RUNS=N to change the number of runs; BENCH_CALLGRIND=1 to also
# write instruction-count profiles of in-process verification to
# build-bench/bench-out/callgrind.*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; fi
runs=${RUNS:-3}
qflag=()
if [ $quick = 1 ]; then runs=1; qflag=(--quick); fi

echo "== dependencies"
scripts/deps.sh
(cd bench/peers && npm ci --no-audit --no-fund --loglevel=error)

echo "== release build (-O2)"
bdir=$root/build-bench
cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DLP_BENCH=ON -DLP_SANITIZE=OFF >/dev/null
cmake --build "$bdir" -j "$(nproc)" >/dev/null
bench=$bdir/bench/leerpas-bench
out=$bdir/bench-out
rm -rf "$out"; mkdir -p "$out"

work=$out/work; mkdir -p "$work"
if [ $quick = 1 ]; then piters=(--iterations 300 --runs 2); else piters=(--iterations 2000 --runs 5); fi
"$bench" size --dump "$out" >/dev/null   # the presentations, for inspection

echo "== benchmark, $runs run(s)"
for r in $(seq 1 "$runs"); do
  f=$out/run$r.jsonl
  echo "-- run $r: primitives (item 1)"
  "$bench" "${qflag[@]}" prims >>"$f"
  echo "-- run $r: verify from LP1 text (item 2), sizes (item 8)"
  "$bench" "${qflag[@]}" verify >>"$f"
  "$bench" "${qflag[@]}" size >>"$f"
  echo "-- run $r: verify from PNG (item 3)"
  "$bench" "${qflag[@]}" png "$work" >>"$f"
  echo "-- run $r: wallet (item 6)"
  "$bench" "${qflag[@]}" wallet "$work" >>"$f"
  echo "-- run $r: status list (item 7)"
  "$bench" "${qflag[@]}" status >>"$f"
  echo "-- run $r: fork/exec of /bin/true (for scale)"
  "$bench" "${qflag[@]}" proc --id proc.true -- /bin/true >>"$f"
  echo "-- run $r: peer (@sd-jwt/sd-jwt-vc, item 10)"
  node bench/peers/sdjwt-peer.mjs "${piters[@]}" --template bench/data/micro.template.json \
    --learner bench/data/micro.learner.json --shown fullName,grade >>"$out/peer.jsonl"
done

if [ "${BENCH_CALLGRIND:-0}" = 1 ]; then
  echo "== instruction counts (callgrind)"
  valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.verify.out" \
    "$bench" --profile 200 verify >"$out/callgrind.verify.jsonl" 2>/dev/null
  callgrind_annotate --inclusive=yes "$out/callgrind.verify.out" >"$out/callgrind.verify.txt" 2>/dev/null || true
  echo "wrote $out/callgrind.verify.txt"
fi

echo "== bench/RESULTS.md"
python3 bench/report.py "$out" bench/RESULTS.md
echo "wrote bench/RESULTS.md"
