#!/bin/sh
# make bench: import speed and peak memory against a baseline measured in the
# same run (the sqlite3 shell's .import of the same CSV into an untyped table).
# Writes the table to docs/PERFORMANCE.md between the BENCH markers and prints it.
#
#   BENCH_ROWS   rows in the large files (default 1000000)
#   BENCH_DIR    where the generated data and stores go (default build/bench)
set -eu
rt=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
evalbin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
top=$(cd "$(dirname "$0")/../.." && pwd)
rows=${BENCH_ROWS:-1000000}
dir=${BENCH_DIR:-$top/build/bench}
mkdir -p "$dir"
cd "$dir"
command -v /usr/bin/time >/dev/null || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 69; }

gen() { # rows format file
	[ -s "$3" ] || python3 "$top/src/tools/gen-packages.py" bulk "$1" 1 "$2" "$3"
}
echo "bench: generating synthetic data ($rows rows; cached in $dir)" >&2
gen 10000 csv small.csv
gen 10000 json small.json
gen "$rows" csv large.csv
gen "$rows" json large.json
# CyberTipline XML (a tenth as many reports: each is about 1 KiB of XML), and
# the NDJSON of the same packages, as the import makes them under this key.
[ -s token.key ] || "$rt" keygen --token-key token.key 2>/dev/null
xrows=$((rows / 10))
genx() { # reports file
	[ -s "$2" ] || python3 "$top/src/tools/gen-packages.py" cybertip "$1" 1 "$(cat token.key)" "$2" \
		"${2%.xml}.ndjson"
}
genx 10000 small-ct.xml
genx "$xrows" large-ct.xml

# measure NAME COMMAND...: one line "NAME seconds peak_kib"
measure() {
	name=$1
	shift
	/usr/bin/time -f "$name %e %M" -o time.out "$@" >/dev/null 2>run.err || {
		echo "bench: $name failed:" >&2
		cat run.err >&2
		exit 1
	}
	cat time.out
}
fresh() {
	rm -f store.db store.db-wal store.db-shm
	"$rt" --db store.db init 2>/dev/null
}

results=$(
	rm -f base.db; measure "sqlite3 .import (CSV, 10k)" sqlite3 base.db ".mode csv" ".import small.csv t"
	rm -f base.db; measure "sqlite3 .import (CSV, large)" sqlite3 base.db ".mode csv" ".import large.csv t"
	# sqlite-utils (Debian's package), when installed: CSV and newline-delimited JSON.
	if command -v sqlite-utils >/dev/null; then
		gen "$rows" ndjson large.ndjson
		rm -f su.db; measure "sqlite-utils insert --csv (large)" sqlite-utils insert su.db t large.csv --csv
		rm -f su.db; measure "sqlite-utils insert --nl (large)" sqlite-utils insert su.db t large.ndjson --nl
	fi
	fresh; measure "reftriage import (JSON array, 10k)" "$rt" --db store.db import small.json
	fresh; measure "reftriage import (JSON array, large)" "$rt" --db store.db import large.json
	fresh; measure "reftriage import (CyberTipline XML, 10k)" "$rt" --db store.db import \
		--token-key token.key small-ct.xml
	fresh; measure "reftriage import (CyberTipline XML, large/10)" "$rt" --db store.db import \
		--token-key token.key large-ct.xml
	fresh; measure "reftriage import (NDJSON of the same packages, large/10)" "$rt" --db store.db \
		import large-ct.ndjson
	fresh; measure "reftriage import (CSV, 10k)" "$rt" --db store.db import small.csv
	fresh; measure "reftriage import (CSV, large)" "$rt" --db store.db import large.csv
	measure "reftriage score (rescore all, large)" "$rt" --db store.db score
	# Outcomes and the backtest: 100k packages, every one labelled (docs/outcomes.md).
	gen 100000 csv bt100k.csv
	[ -s bt100k-outcomes.csv ] || python3 "$top/src/tools/gen-outcomes.py" bt100k.csv 1 bt100k-outcomes.csv
	rm -f bt.db bt.db-wal bt.db-shm
	"$rt" --db bt.db init 2>/dev/null && "$rt" --db bt.db import bt100k.csv 2>/dev/null
	measure "reftriage outcome import (100k)" "$rt" --db bt.db outcome import bt100k-outcomes.csv
	measure "reftriage rules backtest (100k labelled)" "$rt" --db bt.db rules backtest --format json
)
# The top-50 worklist is quick: time it in milliseconds, best of five.
best=""
for i in 1 2 3 4 5; do
	t0=$(date +%s%N)
	"$rt" --db store.db worklist --limit 50 --format csv >/dev/null 2>&1
	t1=$(date +%s%N)
	ms=$(( (t1 - t0) / 1000000 ))
	[ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
# Evaluation alone, apart from SQLite: decoding, then decoding and scoring.
set -- $("$evalbin" store.db)
evaln=$1 decode_s=$2 score_s=$3
evalline=$(awk -v n="$evaln" -v d="$decode_s" -v s="$score_s" 'BEGIN {
	e = s - d
	printf "Rule evaluation alone (bench-eval, default rules, %d packages): decoding the stored facts %.2f s; decoding, deriving and scoring %.2f s; so evaluation and scoring alone %.2f s, %.0f packages/s on one core.", n, d, s, e, (e > 0 ? n / e : 0)
}')
# What another rule set would change, before it is installed: every open
# package scored with both rule sets in memory, ranked twice (target: at
# most twice the rescore above). Then the same as JSON, which lists every
# package whose rank changes.
results="$results
$(measure "reftriage rules diff (two rule sets in memory, text, large)" "$rt" --db store.db rules diff "$top/tests/data/rules/test-policy.json")
$(measure "reftriage rules diff (two rule sets in memory, json, large)" "$rt" --db store.db rules diff --format json "$top/tests/data/rules/test-policy.json")"
# The worst case for a rescore: a new rule set changes every score, so every
# row is rewritten (the plain rescore above writes only the rows that changed).
results="$results
$(measure "reftriage rules install (rescore, every row rewritten, large)" "$rt" --db store.db rules install "$top/tests/data/rules/test-policy.json")"
base=$(echo "$results" | grep "sqlite3 .import (CSV, large)" | awk '{print $(NF-1)}')
table=$(echo "$results" | awk -v base="$base" -v rows="$rows" '
	{
		kib = $NF; secs = $(NF-1); $NF = ""; $(NF-1) = ""; sub(/ +$/, "")
		n = ($0 ~ /100k/) ? 100000 : ($0 ~ /10k/) ? 10000 : ($0 ~ /large\/10/) ? int(rows / 10) : rows
		ratio = (base > 0 && n == rows && ($0 ~ /import/ || $0 ~ /insert/)) ? sprintf("%.2f", secs / base) : "-"
		printf "| %s | %d | %.2f | %.0f | %.1f | %s |\n", $0, n, secs, (secs > 0 ? n / secs : 0), \
			kib / 1024, ratio
	}')
machine="$(uname -srm); $(nproc) cores; $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
out=$(cat <<MD
<!-- BENCH:BEGIN (written by make bench; do not edit by hand) -->
Measured $(date -u +%Y-%m-%d) on: $machine.
Large files: $rows synthetic packages ($(du -hL large.csv | cut -f1) CSV, $(du -hL large.json | cut -f1) JSON array).

| run | rows | seconds | rows/s | peak RSS MiB | import time vs sqlite3 .import (large) |
|---|---:|---:|---:|---:|---:|
$table

Top-50 worklist from the large store, best of five: $best ms.
$evalline
<!-- BENCH:END -->
MD
)
doc="$top/docs/PERFORMANCE.md"
if [ -f "$doc" ] && grep -q 'BENCH:BEGIN' "$doc"; then
	printf '%s\n' "$out" >bench.md
	awk -v f=bench.md '
		/BENCH:BEGIN/ { while ((getline l < f) > 0) print l; skip = 1; next }
		/BENCH:END/ { skip = 0; next }
		!skip' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
fi
printf '%s\n' "$out"
