#!/usr/bin/env bash
# Graduation day at scale: issue N credentials (default 10000) from a CSV
# with leerpas-issuer issue-batch into a fresh store, and print the time,
# the rate, and the sizes of the register and of the credential files.
#   scripts/bench-issue-batch.sh [N] [BUILD_DIR]
# The store uses the default Argon2id cost, so the time includes opening
# the signing key once (about half a second).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
bin=${2:-build}/leerpas-issuer
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077
printf 'benchmark passphrase %s\n' "$$" > "$work/pass"
"$bin" init --dir "$work/store" --id https://www.roc-voorbeeld.example --name "ROC Voorbeeld" \
	--passphrase-file "$work/pass" > /dev/null
"$bin" template add --dir "$work/store" examples/templates/microcredential.json > /dev/null
awk -v n="$n" 'BEGIN {
	srand(2026)
	print "studentId,fullName,dateOfBirth,grade,awardingDate"
	split("Eva Daan Sanne Lucas Fleur Noah Lotte Sem Julia Milan", f, " ")
	split("de Vries|Jansen|van den Berg|Bakker|Visser|Smit|Meijer|de Boer|Mulder|El Amrani", l, "|")
	for (i = 0; i < n; i++)
		printf "S%07d,%s %s,%04d-%02d-%02d,\"%d,%d\",2026-07-03\n", i, f[1 + i % 10], l[1 + int(i / 10) % 10],
			1995 + int(rand() * 12), 1 + int(rand() * 12), 1 + int(rand() * 28), 6 + int(rand() * 4), int(rand() * 10)
}' > "$work/learners.csv"
start=$(date +%s.%N)
"$bin" issue-batch --dir "$work/store" --template microcredential --csv "$work/learners.csv" \
	--out-dir "$work/out" --passphrase-file "$work/pass" --json > "$work/report.json"
end=$(date +%s.%N)
issued=$(grep -o '"issued": [0-9]*' "$work/report.json" | grep -o '[0-9]*$')
reg=$(stat -c %s "$work/store/register.db")
files=$(du -sk "$work/out" | cut -f1)
awk -v s="$start" -v e="$end" -v n="$issued" -v reg="$reg" -v files="$files" -v cpus="$(nproc)" 'BEGIN {
	t = e - s
	printf "issued %d credentials in %.2f s (%.0f per second) on %d processors\n", n, t, n / t, cpus
	printf "register: %.1f MB (%.0f bytes per credential); credential files: %.1f MB\n",
		reg / 1e6, reg / n, files / 1024
}'
