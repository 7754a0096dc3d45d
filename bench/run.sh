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
issuer=$bdir/leerpas-issuer
verifier=$bdir/leerpas-verifier
wreps=3; if [ $quick = 1 ]; then wreps=2; fi
for p in "$issuer" "$verifier" "$bdir/leerpas-wallet"; do
  [ -x "$p" ] || { echo "bench/run.sh: $p was not built" >&2; exit 2; }
done

# Items 4 and 9: a verifier store with the school pinned and its status list
# imported, by the real program; the presentation made by the library.
fix=$work/fixture; mkdir -p "$fix"
at=$("$bench" fixture "$fix")
vstore=$work/verifier-store
"$verifier" trust pin "$fix/issuer.json" --store "$vstore" >/dev/null
"$verifier" status import "$fix/status.cwt" --store "$vstore" >/dev/null 2>&1
"$verifier" verify --store "$vstore" --at "$at" --require-status "$(cat "$fix/walkup.lp1")" >"$out/verifier-output.txt"
nlibs=$(ldd "$verifier" | grep -c '=>' || true)

# Item 5: the same passphrase for every school store of the batches.
printf 'bench passphrase, not a secret\n' >"$work/passphrase"; chmod 600 "$work/passphrase"
sizes=(1000 10000 100000)
if [ $quick = 1 ]; then sizes=(1000 10000); fi
for n in "${sizes[@]}"; do python3 bench/mkcsv.py "$n" "$work/learners-$n.csv"; done

# One batch issuance into a fresh school store: its wall time and peak memory.
batch() { # run n
  local r=$1 n=$2 d=$work/school-$n
  rm -rf "$d" "$work/creds-$n"
  "$issuer" init --dir "$d" --id https://hogeschool-domstad.nl --name "Hogeschool Domstad" \
    --country NL --passphrase-file "$work/passphrase" >/dev/null
  "$issuer" template add --dir "$d" examples/templates/microcredential.json >/dev/null
  "$bench" proc --id "proc.issue.$n" --reps 1 --warmup 0 -- "$issuer" issue-batch --dir "$d" \
    --template microcredential --csv "$work/learners-$n.csv" --out-dir "$work/creds-$n" \
    --passphrase-file "$work/passphrase" >>"$out/run$r.jsonl"
  ls "$work/creds-$n" | wc -l | awk -v n="$n" -v id="proc.issue.$n.files" \
    '{ printf "{\"id\":\"%s\",\"value\":%d,\"unit\":\"files\"}\n", id, $1 }' >>"$out/run$r.jsonl"
  du -sb "$d" | awk -v id="proc.issue.$n.store_bytes" \
    '{ printf "{\"id\":\"%s\",\"value\":%d,\"unit\":\"bytes\"}\n", id, $1 }' >>"$out/run$r.jsonl"
  # The credential files stay until the end: deleting 100,000 files while
  # measuring would disturb what comes next.
  mv "$work/creds-$n" "$work/done-creds-$n-$r"; rm -rf "$d"
}
if [ $quick = 1 ]; then piters=(--iterations 300 --runs 2); else piters=(--iterations 2000 --runs 5); fi
"$bench" size --dump "$out" >/dev/null   # the presentations, for inspection

echo "== benchmark, $runs run(s)"
for r in $(seq 1 "$runs"); do
  f=$out/run$r.jsonl
  awk '{ printf "{\"id\":\"load.start\",\"value\":%s,\"unit\":\"load average (1 min)\"}\n", $1 }' /proc/loadavg >>"$f"
  echo "-- run $r: primitives (item 1)"
  "$bench" "${qflag[@]}" prims >>"$f"
  echo "-- run $r: verify from LP1 text (item 2), sizes (item 8)"
  "$bench" "${qflag[@]}" verify >>"$f"
  "$bench" "${qflag[@]}" size >>"$f"
  echo "-- run $r: verify from PNG (item 3)"
  "$bench" "${qflag[@]}" png "$work" >>"$f"
  echo "-- run $r: wallet (item 6)"
  "$bench" "${qflag[@]}" wallet "$work" >>"$f"
  echo "-- run $r: the wallet program (item 6)"
  wdir=$work/wallets; rm -rf "$wdir"; mkdir -p "$wdir"
  "$bench" wallet-files "$wdir"
  wallet=$bdir/leerpas-wallet
  for n in 1 100 1000; do
    "$bench" proc --id "proc.wallet.$n" --reps "$wreps" --warmup 0 -- "$wallet" present "$(cat "$wdir/wallet-$n.id")" \
      --show fullName,grade --wallet "$wdir/wallet-$n.lpw" --passphrase-file "$wdir/passphrase" --yes --text >>"$f"
  done
  echo "-- run $r: status list (item 7)"
  "$bench" "${qflag[@]}" status >>"$f"
  echo "-- run $r: verifier process (items 4, 9)"
  "$bench" "${qflag[@]}" proc --id proc.true -- /bin/true >>"$f"
  "$bench" "${qflag[@]}" proc --id proc.verifier_help -- "$verifier" --help >>"$f"
  printf '{"id":"proc.verifier.libs","value":%d,"unit":"shared libraries"}\n' "$nlibs" >>"$f"
  "$bench" "${qflag[@]}" proc --id proc.verifier -- "$verifier" verify --store "$vstore" --at "$at" \
    --require-status "$(cat "$fix/walkup.lp1")" >>"$f"
  "$bench" "${qflag[@]}" proc --id proc.verifier_png -- "$verifier" verify --store "$vstore" --at "$at" \
    --require-status --image "$fix/walkup.png" >>"$f"
  echo "-- run $r: batch issuance (items 5, 9)"
  "$bench" "${qflag[@]}" issue >>"$f"
  for n in "${sizes[@]}"; do
    if [ "$n" -ge 100000 ] && [ "$r" -gt 1 ]; then continue; fi   # the largest batch once
    batch "$r" "$n"
  done
  echo "-- run $r: peer (@sd-jwt/sd-jwt-vc, item 10)"
  node bench/peers/sdjwt-peer.mjs "${piters[@]}" --template examples/templates/microcredential.json \
    --learner examples/learner.json --shown fullName,grade --dump "$work/peer-presentation.txt" >>"$out/peer.jsonl"
  "$bench" qrversion peer.presentation "$work/peer-presentation.txt" >>"$f"
  awk '{ printf "{\"id\":\"load.end\",\"value\":%s,\"unit\":\"load average (1 min)\"}\n", $1 }' /proc/loadavg >>"$f"
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
echo "== removing the issued credential files"
rm -rf "$work"/done-creds-* "$work"/school-*
