#!/usr/bin/env bash
# Regenerate the seed corpora: fuzz_seeds writes what the library produces
# with the fixed keys of fuzz_common.h plus the vectors of test-vectors/;
# ImageMagick adds JPEG and altered versions of the QR images.
#   fuzz/make_seeds.sh [BUILD_DIR]   (default build; run after a format change)
# Seeds are added to fuzz/corpus/<harness>/ as seed-<name>; inputs that the
# fuzzer found stay as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target fuzz_seeds >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/fuzz/fuzz_seeds" . "$tmp" >"$tmp/recovery.h"
if ! grep -qF "$(cat "$tmp/recovery.h")" fuzz/fuzz_common.h; then
  echo "make_seeds: the seed wallet's recovery key changed; put this into fuzz/fuzz_common.h:" >&2
  cat "$tmp/recovery.h" >&2
fi
src="$tmp/qrimage/presentation-some-x2.png"
convert "$src" -quality 70 "$tmp/qrimage/presentation-some.jpg"
convert "$src" -interlace JPEG -quality 50 "$tmp/qrimage/presentation-some-progressive.jpg"
convert "$src" -type Grayscale -colorspace Gray -quality 60 "$tmp/qrimage/presentation-some-grey.jpg"
convert "$tmp/qrimage/url.png" -transparent white -strip "$tmp/qrimage/url-alpha.png"
convert "$tmp/qrimage/url.png" -depth 16 -type TrueColor -strip "$tmp/qrimage/url-rgb16.png"
convert "$tmp/qrimage/url.png" -colors 2 -type Palette -strip "$tmp/qrimage/url-palette.png"
# public keys as PEM (the ES256/ES384 keys of the SD-CWT draft's examples)
openssl pkey -in test-vectors/sd-cwt-es/holder_privkey.pem -pubout >"$tmp/cose/holder-p256.pem"
openssl pkey -in test-vectors/sd-cwt-es/issuer_privkey.pem -pubout >"$tmp/cose/issuer-p384.pem"
# the inspect command reads every kind of CBOR object
mkdir -p "$tmp/inspect"
cp "$tmp"/sdcwt/* "$tmp"/status/status-token "$tmp"/request/* "$tmp"/trust/trust-list "$tmp/inspect/"
cp "$tmp"/cbor/appendix-a-5* "$tmp"/cbor/appendix-a-6* "$tmp/inspect/"
for dir in "$tmp"/*/; do
  h=$(basename "$dir")
  mkdir -p "fuzz/corpus/$h"
  for f in "$dir"*; do
    cp "$f" "fuzz/corpus/$h/seed-$(basename "$f")"
  done
done
echo "seeds written to fuzz/corpus/"
