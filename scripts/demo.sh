#!/usr/bin/env bash
# The main job: install, build, and play the whole story with the real
# programs (a school issues, a learner stores and presents, an employer
# verifies from the QR image). Output goes to demo-out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build
echo "leerpas built in build/."
