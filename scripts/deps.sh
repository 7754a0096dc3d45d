#!/usr/bin/env bash
# Install every Debian 12 package leerpas needs to build, test and run.
# Idempotent; needs root (or sudo). Used by the README commands and .ci/run.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libsodium-dev libcbor-dev libjansson-dev libqrencode-dev libzbar-dev
  libpng-dev libjpeg62-turbo-dev zlib1g-dev libssl-dev libsqlite3-dev
  libcriterion-dev zbar-tools sqlite3 tmux python3 imagemagick
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
