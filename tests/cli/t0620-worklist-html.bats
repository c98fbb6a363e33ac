#!/usr/bin/env bats
# The supervisors' printable daily list: worklist --format html.

load helper

GOLDEN="$TOP/tests/data/golden"

setup_store() {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:01:00Z "$RT_CLOCK" --operator sgt.k assign SYN-20261102-0003 --to dc.ahmed 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:02:00Z "$RT_CLOCK" status SYN-20261102-0003 in_progress 2>/dev/null
}

# People read local times: the goldens are made in London's winter time.
export TZ=Europe/London

daily() { REFTRIAGE_NOW=2026-11-03T08:05:00Z "$RT_CLOCK" --operator sgt.k worklist --format html "$@"; }

# print_pdf HTML PDF: print the page as Chromium does (A4, CSS margins).
print_pdf() {
	timeout 300 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chrome" --no-pdf-header-footer \
		--print-to-pdf="$2" "file://$1" >/dev/null 2>&1
}

need_chromium() {
	command -v chromium >/dev/null || skip "chromium is not installed here (.ci/run installs it)"
	command -v pdftotext >/dev/null || skip "pdftotext is not installed here (poppler-utils)"
}

@test "the daily list matches its golden file" {
	setup_store
	daily --output "$WORK/list.html" 2>/dev/null
	diff "$WORK/list.html" "$GOLDEN/worklist-daily.html"
}

@test "the page is self-contained: inline CSS, no script, nothing fetched" {
	setup_store
	daily --output "$WORK/list.html" 2>/dev/null
	! grep -qi '<script' "$WORK/list.html"
	! grep -Eqi 'src=|href=|url\(|@import|https?:' "$WORK/list.html"
	grep -q "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" "$WORK/list.html"
	grep -q '@page { size: A4 portrait' "$WORK/list.html"
	grep -q 'thead { display: table-header-group; }' "$WORK/list.html"
	# The summary: who and when, as_of, rules and hash, N of M, filters, counts, oldest.
	grep -q '<th>List made</th><td><b>2026-11-03 08:05 GMT</b> by sgt.k</td>' "$WORK/list.html"
	grep -q '<th>Scores as of</th><td><b>2026-11-03 08:00 GMT</b> with rules reftriage default triage policy 2026.11-3' "$WORK/list.html"
	grep -q '<th>This list</th><td><b>60 of 60 open packages</b></td>' "$WORK/list.html"
	grep -q '<th>Filters</th><td>none: every open package</td>' "$WORK/list.html"
	grep -q '<th>Oldest selected</th><td>SYN-20261102-0060, received 2026-11-02 06:00 GMT</td>' "$WORK/list.html"
	grep -q '<tr><td>P1 Very high: act within a day</td><td class=n>24 h</td><td class=n>6</td><td class=n>3</td><td class=n>6</td></tr>' "$WORK/list.html"
	# Every page's margins: the date, N of M, the marking, the page number.
	grep -q '@top-left { content: "Daily list 2026-11-03 08:05 GMT"' "$WORK/list.html"
	grep -q '@bottom-left { content: "60 of 60 open"' "$WORK/list.html"
}

@test "a filtered, limited list says so, and its counts and oldest are those of the filters" {
	setup_store
	daily --priority P1,P2 --limit 5 --output "$WORK/f.html" 2>/dev/null
	grep -q '<th>This list</th><td><b>5 of 60 open packages</b> (12 match the filters)</td>' "$WORK/f.html"
	grep -q '<th>Filters</th><td>priority P1, P2; first 5</td>' "$WORK/f.html"
	grep -q '@bottom-left { content: "5 of 60 open: priority P1, P2; first 5"' "$WORK/f.html"
	# Bands filtered out are not counted as empty; P2's are selected though none is printed.
	[ "$(grep -c 'not selected (filter)' "$WORK/f.html")" = 2 ]
	grep -q '<td>P1 Very high: act within a day</td><td class=n>24 h</td><td class=n>6</td><td class=n>3</td><td class=n>5</td>' "$WORK/f.html"
	grep -q '<td>P2 High: within a week</td><td class=n>168 h</td><td class=n>6</td><td class=n>0</td><td class=n>0</td>' "$WORK/f.html"
	# The oldest of the twelve selected, not of the five printed (SYN-20261102-0006 at 06:18).
	grep -q '<th>Oldest selected</th><td>SYN-20261102-0010, received 2026-11-02 06:10 GMT</td>' "$WORK/f.html"
	# It is named in the export's audit entry, like every ref printed.
	"$RT" audit log --format ndjson | tail -n 1 | grep -q '"SYN-20261102-0010"'
}

@test "a hostile force area in the filters cannot leave the page's CSS" {
	setup_store
	# A filter must match a stored value (else exit 65): store the hostile area first.
	printf '%s\n' '{"package_ref": "SYN-XSS-F", "received_at": "2026-11-02", "source": "CEOP", "referral_type": "grooming", "force_area": "\"}</style><script>alert(1)</script>"}' >"$WORK/f.ndjson"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/f.ndjson" 2>/dev/null
	daily --force-area '"}</style><script>alert(1)</script>' --output "$WORK/h.html" 2>/dev/null
	! grep -qi '<script' "$WORK/h.html"
	[ "$(grep -c '</style>' "$WORK/h.html")" = 1 ]
	grep -Fq 'force area \22 \7d \3c /style\3e \3c script\3e alert(1)\3c /script\3e "' "$WORK/h.html"
}

@test "every value from a package is escaped: a hostile force area and assignee cannot run script" {
	init_store
	printf '%s\n' '{"package_ref": "SYN-XSS-1", "received_at": "2026-11-02", "source": "CEOP", "referral_type": "grooming", "child_in_household": true, "force_area": "<script>alert(1)</script>", "summary": "</td><script>alert(2)</script><img src=x onerror=alert(3)>"}' >"$WORK/x.ndjson"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/x.ndjson" 2>/dev/null
	"$RT" assign SYN-XSS-1 --to '"><img src=x onerror=alert(4)>' 2>/dev/null
	daily --output "$WORK/x.html" 2>/dev/null
	! grep -qi '<script' "$WORK/x.html"
	! grep -qi '<img' "$WORK/x.html"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$WORK/x.html"
	grep -q '&quot;&gt;&lt;img src=x onerror=alert(4)&gt;' "$WORK/x.html"
}

@test "printed by Chromium: A4, marking, date, N of M and page numbers on every page, priorities on new pages, every row" {
	need_chromium
	setup_store
	daily --output "$WORK/list.html" 2>/dev/null
	print_pdf "$WORK/list.html" "$WORK/list.pdf"
	pages=$(pdfinfo "$WORK/list.pdf" | awk '/^Pages:/ { print $2 }')
	[ "$pages" -ge 3 ]
	pdfinfo "$WORK/list.pdf" | grep -Eq 'Page size: *59[45][.0-9]* x 84[12][.0-9]* pts \(A4\)'
	pdftotext -layout "$WORK/list.pdf" "$WORK/list.txt"
	python3 - "$WORK/list.txt" "$pages" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
n = int(sys.argv[2])
pages = text.split("\f")[:n]
assert len(pages) == n, len(pages)
for i, p in enumerate(pages, 1):
    lines = [l.strip() for l in p.splitlines() if l.strip()]
    assert re.fullmatch(r"Daily list 2026-11-03 08:05 GMT +OFFICIAL-SENSITIVE +Scores as of 2026-11-03 08:00 GMT", lines[0]), (i, lines[0])
    assert re.fullmatch(r"60 of 60 open +OFFICIAL-SENSITIVE +Page %d of %d" % (i, n), lines[-1]), (i, lines[-1])
# The summary alone on page 1; every priority starts its own page, and its
# caption and the table header head every page it fills.
assert "Daily priority list" in pages[0] and "SYN-20261102-0001" not in pages[0]
seen = []
for i, p in enumerate(pages[1:], 2):
    lines = [l.strip() for l in p.splitlines() if l.strip()]
    cap = re.match(r"(P[1-4]) – .* · \d+ printed · list of 2026-11-03 08:05 GMT", lines[1])
    assert cap, (i, lines[1])
    assert lines[2].startswith("#") and "Reference" in lines[2] and "Decision /" in lines[2], (i, lines[2])
    if cap.group(1) not in seen:
        seen.append(cap.group(1))
assert seen == ["P1", "P2", "P3", "P4"], seen
# Every package is listed, each once (the oldest is also named in the summary).
for k in range(1, 61):
    ref = "SYN-20261102-%04d" % k
    assert text.count(ref) == (2 if k == 60 else 1), ref
PY
}

# page_rows N: print a list of N synthetic packages (the first pages hold the
# densest rows: up to 19 rules fired); every page after the summary has rows,
# at least 25 of them unless it is the last of its priority, no more pages
# than 25 rows a page needs, every package once.
page_rows() {
	need_chromium
	init_store
	python3 "$TOP/src/tools/gen-packages.py" bulk "$1" 7 csv "$WORK/bulk.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/bulk.csv" 2>/dev/null
	daily --output "$WORK/bulk.html" 2>/dev/null
	print_pdf "$WORK/bulk.html" "$WORK/bulk.pdf"
	pdftotext -layout "$WORK/bulk.pdf" "$WORK/bulk.txt"
	pages=$(pdfinfo "$WORK/bulk.pdf" | awk '/^Pages:/ { print $2 }')
	python3 - "$WORK/bulk.txt" "$pages" "$1" <<'PY' >&3
import re, sys
text, n, total = open(sys.argv[1]).read(), int(sys.argv[2]), int(sys.argv[3])
pages = text.split("\f")[:n]
assert len(pages) == n
rows = [len(re.findall(r"^ *\d+ +BULK-\d{8}", p, re.M)) for p in pages]
band = [re.search(r"^ *(P[1-4]) – ", p, re.M) for p in pages]
assert rows[0] == 0 and all(rows[1:]), ("a page without rows", rows)
assert all(band[1:]), ("a page without its priority", [i + 1 for i in range(1, n) if not band[i]])
band = [b and b.group(1) for b in band]
assert sum(rows) == total, (sum(rows), total)
# Pages filled, but the last of each priority: 25 rows or more.
full = [i for i in range(1, n - 1) if band[i] == band[i + 1]]
short = [(i + 1, band[i], rows[i]) for i in full if rows[i] < 25]
assert not short, ("pages with fewer than 25 rows (page, priority, rows)", short, rows)
per_band = {p: sum(r for r, b in zip(rows, band) if b == p) for p in set(band[1:])}
need = 1 + sum(-(-k // 25) for k in per_band.values())
assert n <= need, ("more pages than 25 rows a page needs", n, need)
print("# %d packages: %d pages, rows a filled page min %d, average %.1f" % (
    total, n, min(rows[i] for i in full), sum(rows[i] for i in full) / len(full)))
PY
}

@test "printed by Chromium: 300 packages, 25 rows or more on every filled page, no empty page" {
	page_rows 300
}

@test "printed by Chromium: 2,000 packages, 25 rows or more on every filled page, no empty page" {
	page_rows 2000
}

@test "the printed list marks packages updated since a person acted, the reopened among them" {
	setup_store
	REFTRIAGE_NOW=2026-11-03T08:03:00Z "$RT_CLOCK" status SYN-20261102-0005 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	sed -e 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' \
	    -e 's/^\(SYN-20261102-0003,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)SYNTHETIC/\1SYNTHETIC v2/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	daily --output "$WORK/list.html" 2>/dev/null
	[ "$(grep -c '<i>(updated)</i>' "$WORK/list.html")" = 2 ]
	grep -q 'SYN-20261102-0005<br>.*<small>reopened <i>(updated)</i>' "$WORK/list.html"
	grep -q 'SYN-20261102-0003<br>.*dc.ahmed<br><small>in progress <i>(updated)</i>' "$WORK/list.html"
}
