#!/usr/bin/env bats
# What people print, printed by Chromium as the worklist's test does
# (t0620): the monthly report fits a few full A4 pages, and the backtest
# page carries its own margins instead of the browser's date and address.

load helper

need_chromium() {
	command -v chromium >/dev/null || skip "chromium is not installed here (.ci/run installs it)"
	command -v pdftotext >/dev/null || skip "pdftotext is not installed here (poppler-utils)"
}

# print_pdf HTML PDF [CHROMIUM OPTION...]: print the page as Chromium does (A4, CSS margins).
print_pdf() {
	local html="$1" pdf="$2"
	shift 2
	timeout 300 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chrome" "$@" --print-to-pdf="$pdf" "file://$html" >/dev/null 2>&1
}

# pages PDF: "N F1 F2 ...": the page count and how full each page is, in per
# cent of the area inside the report's @page margins (18 mm top, 16 mm
# bottom), measured to the lowest word printed there.
pages() {
	pdftotext -bbox "$1" - | python3 -c '
import re, sys
top, bottom = 18 / 25.4 * 72, 842 - 16 / 25.4 * 72
fills = []
for page in re.findall(r"<page .*?</page>", sys.stdin.read(), re.S):
    low = max([float(y) for y0, y in re.findall(r"yMin=\"([0-9.]+)\" xMax=\"[0-9.]+\" yMax=\"([0-9.]+)\"", page)
               if float(y0) > top and float(y) < bottom] or [top])
    fills.append(round(100 * (low - top) / (bottom - top)))
print(len(fills), *fills)'
}

# A month of 300 synthetic packages (November 2026), 48 of them assigned to eight people.
month_store() {
	python3 "$TOP/src/tools/gen-packages.py" bulk 300 7 csv "$WORK/bulk.csv"
	python3 - "$WORK/bulk.csv" "$WORK/month.csv" "$WORK/refs" <<'PY'
import csv, random, sys
rows = list(csv.DictReader(open(sys.argv[1])))
rnd = random.Random(3)
for i, r in enumerate(rows):
    r["received_at"] = "2026-11-%02dT%02d:%02d:00Z" % (1 + i * 30 // 300, rnd.randint(6, 20), rnd.randint(0, 59))
w = csv.DictWriter(open(sys.argv[2], "w"), fieldnames=list(rows[0]), lineterminator="\n")
w.writeheader()
w.writerows(rows)
open(sys.argv[3], "w").write("\n".join(r["package_ref"] for r in rows[::6][:48]) + "\n")
PY
	init_store
	REFTRIAGE_NOW=2026-11-01T00:00:00Z "$RT_CLOCK" import --as-of 2026-11-30T12:00:00Z "$WORK/month.csv" 2>/dev/null
	local names=(dc.ahmed dc.brown ds.patel dc.jones dc.khan pc.lee dc.smith ds.wood) i=0 ref
	while read -r ref; do
		REFTRIAGE_NOW=2026-11-20T09:00:00Z "$RT_CLOCK" assign "$ref" --to "${names[$((i % 8))]}" 2>/dev/null
		[ $((i % 2)) = 0 ] && REFTRIAGE_NOW=2026-11-21T09:00:00Z "$RT_CLOCK" status "$ref" actioned 2>/dev/null
		i=$((i + 1))
	done <"$WORK/refs"
}

@test "the monthly report, by assignee and whole, prints on at most 4 A4 pages, none under a third full" {
	need_chromium
	export TZ=Europe/London
	month_store
	for by in assignee source ""; do
		rt_at 2026-11-30T18:00:00Z report --from 2026-11-01 --to 2026-12-01 ${by:+--by "$by"} \
			--format html --output "$WORK/report-$by.html"
		expect_status 0
		print_pdf "$WORK/report-$by.html" "$WORK/report-$by.pdf" --no-pdf-header-footer
		read -r n fills <<<"$(pages "$WORK/report-$by.pdf")"
		echo "--by ${by:-none}: $n pages, filled (%): $fills" >&3
		[ "$n" -le 4 ] || { echo "--by $by: $n pages"; false; }
		for f in $fills; do
			[ "$f" -ge 34 ] || { echo "--by $by: a page $f % full: $fills"; false; }
		done
	done
	# The first page is not a title alone: the figures start on it.
	pdftotext -f 1 -l 1 "$WORK/report-assignee.pdf" - | grep -q "Received: 300"
	# Every assignee is in the comparison, with its figures.
	for a in dc.ahmed dc.brown ds.patel dc.jones dc.khan pc.lee dc.smith ds.wood; do
		pdftotext "$WORK/report-assignee.pdf" - | grep -q "^$a$"
	done
}

@test "the backtest page prints its marking and page numbers, not the browser's date and file path" {
	need_chromium
	init_store
	"$RT" import "$TOP/tests/data/backtest/packages.ndjson" 2>/dev/null
	"$RT" outcome import "$TOP/tests/data/backtest/outcomes.csv" 2>/dev/null
	rt rules backtest "$TOP/tests/data/backtest/rules.json" --format html --output "$WORK/bt.html"
	expect_status 0
	# Printed as a person would: the browser's own header and footer left on.
	print_pdf "$WORK/bt.html" "$WORK/bt.pdf"
	pdftotext "$WORK/bt.pdf" "$WORK/bt.txt"
	if grep -n 'file://' "$WORK/bt.txt"; then false; fi
	if grep -nE '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{2},' "$WORK/bt.txt"; then false; fi
	grep -q '^Page 1 of ' "$WORK/bt.txt"
	[ "$(grep -c '^OFFICIAL-SENSITIVE$' "$WORK/bt.txt")" -ge 2 ]
	# The ROC chart's chance diagonal, labelled, and what an AUC of 0.5 means.
	grep -q '<line x1=0 y1=200 x2=200 y2=0 stroke=#666 stroke-dasharray=4 />' "$WORK/bt.html"
	grep -q 'chance: AUC 0.5</text>' "$WORK/bt.html"
	grep -q '0.5 is no better than tossing a coin' "$WORK/bt.txt" || tr '\n' ' ' <"$WORK/bt.txt" | grep -q '0.5 is no better than tossing a coin'
}
