#!/usr/bin/env bats
# The supervisors' printable daily list: worklist --format html.

load helper

GOLDEN="$TOP/tests/data/golden"

setup_store() {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:01:00Z "$RT" --operator sgt.k assign SYN-20261102-0003 --to dc.ahmed 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:02:00Z "$RT" status SYN-20261102-0003 in_progress 2>/dev/null
}

daily() { REFTRIAGE_NOW=2026-11-03T08:05:00Z "$RT" --operator sgt.k worklist --format html "$@"; }

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
	# The summary: counts by priority, overdue, oldest, as_of, rules and hash, who and when.
	grep -q 'Scores as of <b>2026-11-03T08:00:00Z</b> with rules <b>reftriage default triage policy 2026.11-3</b>' "$WORK/list.html"
	grep -q 'Generated 2026-11-03T08:05:00Z by sgt.k. 60 open referrals listed, 3 overdue.' "$WORK/list.html"
	grep -q 'Oldest open referral listed: SYN-20261102-0060, received 2026-11-02 06:00 UTC.' "$WORK/list.html"
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

@test "printed by Chromium: A4, the marking on every page, page numbers, groups on new pages, every row" {
	command -v chromium >/dev/null || skip "chromium is not installed here (.ci/run installs it)"
	command -v pdftotext >/dev/null || skip "pdftotext is not installed here (.ci/run installs it)"
	setup_store
	daily --output "$WORK/list.html" 2>/dev/null
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chrome" --no-pdf-header-footer \
		--print-to-pdf="$WORK/list.pdf" "file://$WORK/list.html" >/dev/null 2>&1
	pages=$(pdfinfo "$WORK/list.pdf" | awk '/^Pages:/ { print $2 }')
	[ "$pages" -ge 4 ]
	pdfinfo "$WORK/list.pdf" | grep -Eq 'Page size: *59[45][.0-9]* x 84[12][.0-9]* pts \(A4\)'
	pdftotext -layout "$WORK/list.pdf" "$WORK/list.txt"
	python3 - "$WORK/list.txt" "$pages" <<'PY'
import sys
text = open(sys.argv[1]).read()
n = int(sys.argv[2])
pages = text.split("\f")[:n]
assert len(pages) == n, len(pages)
for i, p in enumerate(pages, 1):
    lines = [l.strip() for l in p.splitlines() if l.strip()]
    assert lines[0] == "OFFICIAL-SENSITIVE", (i, lines[0])
    assert lines[-1].startswith("OFFICIAL-SENSITIVE") and lines[-1].endswith("Page %d of %d" % (i, n)), (i, lines[-1])
# The summary and P1 on page 1; every later group starts its own page.
assert "Daily priority list" in pages[0] and "P1 – Very high" in pages[0]
for g in ("P2 – High", "P3 – Medium", "P4 – Low"):
    starts = [i for i, p in enumerate(pages) if g in p]
    assert len(starts) == 1, g
    first_line = [l.strip() for l in pages[starts[0]].splitlines() if l.strip()][1]
    assert first_line.startswith(g), (g, first_line)
# The table header is repeated on every page that holds rows.
for i, p in enumerate(pages, 1):
    if "SYN-20261102-" in p.split("Oldest open referral")[-1]:
        assert "Reference" in p and "Main reasons" in p, ("no header on page", i)
# Every package is listed, each once (the oldest is also named in the summary).
for k in range(1, 61):
    ref = "SYN-20261102-%04d" % k
    assert text.count(ref) == (2 if k == 60 else 1), ref
PY
}

@test "the printed list marks packages updated since a person acted, the reopened among them" {
	setup_store
	REFTRIAGE_NOW=2026-11-03T08:03:00Z "$RT" status SYN-20261102-0005 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	sed -e 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' \
	    -e 's/^\(SYN-20261102-0003,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)SYNTHETIC/\1SYNTHETIC v2/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	daily --output "$WORK/list.html" 2>/dev/null
	[ "$(grep -c '<i>(updated)</i>' "$WORK/list.html")" = 2 ]
	grep -q 'SYN-20261102-0005</td>.*reopened <i>(updated)</i>' "$WORK/list.html"
	grep -q 'SYN-20261102-0003</td>.*in progress <i>(updated)</i>' "$WORK/list.html"
}
