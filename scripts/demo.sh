#!/usr/bin/env bash
# The main job: install what is needed, build, and play the whole leerpas
# story with the real programs: an accreditation body recognises three
# schools, a learner collects modules from two of them, the third composes
# an mbo-certificaat from them, an employer verifies it from a QR image, and
# a revoked module then fails verification. Everything lands in demo-out/.
#
#   scripts/demo.sh            (as root or with sudo on a fresh Debian 12)
#   LP_DEMO_NO_DEPS=1 scripts/demo.sh   skip the package check
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T0=$(date +%s)

if [ -z "${LP_DEMO_NO_DEPS:-}" ]; then
  echo "Checking the Debian packages leerpas needs (scripts/deps.sh)..."
  scripts/deps.sh
fi
echo "Building the three programs in build/ (scripts/build.sh builds the tests too)..."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target leerpas-issuer leerpas-wallet leerpas-verifier >/dev/null
ISSUER=$ROOT/build/leerpas-issuer
WALLET=$ROOT/build/leerpas-wallet
VERIFIER=$ROOT/build/leerpas-verifier
for p in "$ISSUER" "$WALLET" "$VERIFIER"; do
  [ -x "$p" ] || { echo "error: $p was not built; see the build output above" >&2; exit 2; }
done

EX=$ROOT/examples/route
OUT=$ROOT/demo-out
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
mkdir -p pass requests credentials presentations status spec

step=0
step() { step=$((step + 1)); printf '\n%d. %s\n' "$step" "$*"; }
say() { printf '   %s\n' "$*"; }
# Run a program quietly; on failure show what it said and stop.
run() {
  local log
  log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then
    echo "   FAILED: $*" >&2
    sed 's/^/   | /' "$log" >&2
    rm -f "$log"
    exit 2
  fi
  cat "$log" >>"$OUT/demo.log"
  rm -f "$log"
}
# Run a program with its standard output into FILE; on failure show what it
# said and stop.
runto() {
  local file=$1 log
  shift
  log=$(mktemp)
  if ! "$@" >"$file" 2>"$log"; then
    echo "   FAILED: $*" >&2
    sed 's/^/   | /' "$log" "$file" >&2
    rm -f "$log"
    exit 2
  fi
  cat "$log" >>"$OUT/demo.log"
  rm -f "$log"
}
# A passphrase file, mode 0600 (secrets never on the command line).
passfile() {
  (umask 077 && head -c 18 /dev/urandom | base64 >"pass/$1")
  echo "$OUT/pass/$1"
}
: >"$OUT/demo.log"

# Demo only: the Argon2id cost that protects the key files and the wallet is
# lowered (8 MiB, 1 pass) so that the story runs in seconds. Real schools and
# learners keep the defaults (256 MiB, 3 passes).
FAST_ISSUER=(--kdf-memory 8 --kdf-passes 1)
FAST_WALLET=(--kdf-mem-mib 8 --kdf-ops 1)

ANCHOR_ID=https://erkenning.example.nl
A_ID=https://www.zorgcollege-amstelland.nl
B_ID=https://www.hogeschool-domstad.nl
C_ID=https://www.roc-rijnland-zorgcollege.nl

cat <<EOF
leerpas demo: a learning route across three schools
(output in $OUT; the Argon2id cost of key files and wallet is lowered
for this demo only, so that it runs in seconds)
EOF

step "The accreditation body sets up its trust anchor"
AP=$(passfile anchor)
run "$ISSUER" trustlist init --dir anchor --id "$ANCHOR_ID" --name "Erkenningsregister Onderwijs (demo)" \
  --passphrase-file "$AP" "${FAST_ISSUER[@]}"
say "Anchor key made; its public part anchor/anchor.json goes to every verifier."

step "Three schools set up their credential offices"
school() { # dir id name template...
  local dir=$1 id=$2 name=$3
  shift 3
  local pf
  pf=$(passfile "$dir")
  run "$ISSUER" init --dir "$dir" --id "$id" --name "$name" --passphrase-file "$pf" "${FAST_ISSUER[@]}"
  for t in "$@"; do
    run "$ISSUER" template add --dir "$dir" "$EX/templates/$t.json"
    # The descriptive claims (learning outcomes, ...) the credentials of this
    # template refer to by digest, published for verifiers.
    run "$ISSUER" template spec --dir "$dir" "$t" --out "spec/$t.spec"
  done
  run "$ISSUER" export --dir "$dir" --out "$dir.json"
  say "$name ($id): signing key, register, templates: $*"
}
school amstelland "$A_ID" "Zorgcollege Amstelland" keuzedeel-omgaan-met-dementie keuzedeel-technologie-in-de-zorg
school domstad "$B_ID" "Hogeschool Domstad" microcredential-zorgtechnologie-ehealth
school rijnland "$C_ID" "ROC Rijnland Zorgcollege" mbo-certificaat-ouderenzorg-en-technologie

step "The accreditation body recognises the three schools and signs its trust list"
for s in amstelland domstad rijnland; do
  run "$ISSUER" trustlist add --dir anchor "$s.json" --from 2020-01-01
done
run "$ISSUER" trustlist sign --dir anchor --out trustlist.cose --passphrase-file "$AP"
say "trustlist.cose: Zorgcollege Amstelland, Hogeschool Domstad, ROC Rijnland Zorgcollege"

step "Noor Jansen, a helpende in elderly care, makes her wallet"
WP=$(passfile wallet)
run "$WALLET" init --wallet wallet.lpw --passphrase-file "$WP" "${FAST_WALLET[@]}"
W=(--wallet "$OUT/wallet.lpw" --passphrase-file "$WP")
say "wallet.lpw: encrypted; the recovery key was shown once (in demo.log for this demo)"

# issue SCHOOLDIR SCHOOLID TEMPLATE CLAIMS NAME: the learner requests, the
# school issues bound to her keys, the wallet imports after checking it.
issue() {
  local dir=$1 id=$2 tmpl=$3 claims=$4 name=$5
  run "$WALLET" request --issuer "$id" --out "requests/$name.req" "${W[@]}"
  runto "credentials/$name.issued" "$ISSUER" issue --dir "$dir" --template "$tmpl" --claims "$EX/$claims" \
    --request "requests/$name.req" --out "credentials/$name.cred" --passphrase-file "pass/$dir"
  run "$WALLET" import "credentials/$name.cred" --id "$name" --issuer-key "$dir.json" "${W[@]}"
}
cti_of() { awk '/cti /{print $2; exit}' "credentials/$1.issued"; }

step "She earns two keuzedelen at Zorgcollege Amstelland (mbo)"
issue amstelland "$A_ID" keuzedeel-omgaan-met-dementie learner-k0228.json k0228
say "2024-01-26  Keuzedeel Omgaan met dementie (K0228), 240 hours   -> wallet id k0228"
issue amstelland "$A_ID" keuzedeel-technologie-in-de-zorg learner-k0847.json k0847
say "2024-07-05  Keuzedeel Technologie in de zorg (K0847), 240 hours -> wallet id k0847"

step "...and a microcredential at Hogeschool Domstad (hbo)"
issue domstad "$B_ID" microcredential-zorgtechnologie-ehealth learner-ehealth.json ehealth
say "2025-06-27  Zorgtechnologie en e-health in de wijk, 3 EC      -> wallet id ehealth"

step "The schools publish their status lists (nothing revoked yet)"
for s in amstelland domstad rijnland; do
  run "$ISSUER" status publish --dir "$s" --out "status/$s.cwt" --passphrase-file "pass/$s"
done
say "status/amstelland.cwt, status/domstad.cwt, status/rijnland.cwt"

step "She presents the three modules to ROC Rijnland Zorgcollege, showing her name"
for m in k0228 k0847 ehealth; do
  runto "presentations/$m-to-rijnland.txt" "$WALLET" present "$m" --show fullName --audience "$C_ID" \
    --text --yes "${W[@]}"
done
run "$WALLET" request --issuer "$C_ID" --out requests/certificaat.req "${W[@]}"
say "presentations/*-to-rijnland.txt (LP1: text, bound to the school as audience)"

step "ROC Rijnland Zorgcollege checks each module and composes an mbo-certificaat"
"$ISSUER" compose --dir rijnland --template mbo-certificaat-ouderenzorg-en-technologie \
  --claims "$EX/learner-certificaat.json" \
  --from presentations/k0228-to-rijnland.txt --from presentations/k0847-to-rijnland.txt \
  --from presentations/ehealth-to-rijnland.txt \
  --trust-anchor anchor/anchor.json --trust-list trustlist.cose \
  --status status/amstelland.cwt --status status/domstad.cwt \
  --request requests/certificaat.req --out credentials/certificaat.cred --passphrase-file pass/rijnland \
  >credentials/certificaat.issued 2>compose.log || { cat compose.log >&2; exit 2; }
sed 's/^/   /' compose.log
run "$WALLET" import credentials/certificaat.cred --id certificaat --issuer-key rijnland.json "${W[@]}"
say "Mbo-certificaat Ouderenzorg en technologie, 564 hours, composed of the three modules -> wallet id certificaat"

step "Her learning route toward Verzorgende-IG (and the hbo Associate degree)"
runto route.txt "$WALLET" route --qualification "$EX/qualification-25491-verzorgende-ig.json" \
  --qualification "$EX/qualification-80094-ad-zorg-en-technologie.json" --svg route.svg "${W[@]}"
runto route.json "$WALLET" route --json --qualification "$EX/qualification-25491-verzorgende-ig.json" \
  --qualification "$EX/qualification-80094-ad-zorg-en-technologie.json" "${W[@]}"
sed 's/^/   | /' route.txt

step "She shows the certificate to an employer: only her name besides what is always shown"
if ! "$WALLET" present certificaat --show fullName --qr-png certificaat-qr.png --yes "${W[@]}" \
  >presentations/certificaat.txt 2>presentations/certificaat.preview; then
  sed 's/^/   | /' presentations/certificaat.preview >&2
  exit 2
fi
say "What the wallet told her the employer will see (abridged):"
grep -E '^(  Title|  Awarding body|  Name|Not shown|It is for|Presentation of)' presentations/certificaat.preview |
  sed 's/^/   | /'
runto presentations/k0228.txt "$WALLET" present k0228 --show fullName --qr-png k0228-qr.png --yes "${W[@]}"
say "certificaat-qr.png (and k0228-qr.png for the keuzedeel)"

step "The employer (a care home in Leiden) sets up leerpas-verifier, offline"
V=(--store "$OUT/werkgever")
run "$VERIFIER" trust anchor add anchor/anchor.json "${V[@]}"
run "$VERIFIER" trust import trustlist.cose "${V[@]}"
for s in amstelland domstad rijnland; do
  run "$VERIFIER" status import "status/$s.cwt" "${V[@]}"
done
run "$VERIFIER" spec import spec/*.spec "${V[@]}"
say "trusts the accreditation body; holds its trust list, the schools' status lists"
say "and their published course descriptions (achievement specifications)"

step "The employer scans certificaat-qr.png"
set +e
"$VERIFIER" verify --image certificaat-qr.png "${V[@]}" >verify-certificaat.txt 2>&1
rc=$?
set -e
sed 's/^/   | /' verify-certificaat.txt
[ $rc -eq 0 ] || { echo "   the certificate should have verified (exit $rc)" >&2; exit 2; }

step "...and the keuzedeel k0228-qr.png: still valid"
set +e
"$VERIFIER" verify --image k0228-qr.png "${V[@]}" >verify-k0228-before.txt 2>&1
rc=$?
set -e
head -3 verify-k0228-before.txt | sed 's/^/   | /'
[ $rc -eq 0 ] || { echo "   the keuzedeel should have verified (exit $rc)" >&2; exit 2; }

step "Zorgcollege Amstelland revokes the keuzedeel K0228 and publishes its status list"
run "$ISSUER" revoke --dir amstelland "$(cti_of k0228)" --reason "examen ongeldig verklaard (demo)"
run "$ISSUER" status publish --dir amstelland --out status/amstelland.cwt --passphrase-file pass/amstelland
run "$VERIFIER" status import status/amstelland.cwt "${V[@]}"
say "the employer imports the new status list"

step "The employer scans k0228-qr.png again: it must fail"
set +e
"$VERIFIER" verify --image k0228-qr.png "${V[@]}" >verify-k0228-after.txt 2>&1
rc=$?
set -e
sed 's/^/   | /' verify-k0228-after.txt
if [ $rc -ne 1 ]; then
  echo "   the revoked keuzedeel should have been refused (exit $rc)" >&2
  exit 2
fi
say "refused (exit status 1), as it should be"

step "Noor's wallet reads the school's status list; her route no longer counts the keuzedeel"
run "$WALLET" status status/amstelland.cwt --issuer-key amstelland.json "${W[@]}"
runto route-after-revocation.txt "$WALLET" route --qualification "$EX/qualification-25491-verzorgende-ig.json" "${W[@]}"
awk '/^Verzorgende-IG/{on=1} on && /^$/{exit} on && !/parts:|\[[ x]\]/' route-after-revocation.txt | sed 's/^/   | /'
say "The certificate, issued before the revocation, still counts; K0228 is missing again."

T1=$(date +%s)
cat <<EOF

Done in $((T1 - T0)) seconds. Look at:
  $OUT/route.svg              her learning route as a picture (open in a browser)
  $OUT/route.txt, route.json  the same as text and JSON (route-after-revocation.txt: later)
  $OUT/certificaat-qr.png     the certificate as she shows it (name and title)
  $OUT/k0228-qr.png           the keuzedeel that was revoked
  $OUT/verify-*.txt           what the employer saw
  $OUT/demo.log               everything the programs printed
EOF
