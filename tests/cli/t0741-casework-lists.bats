#!/usr/bin/env bats
# The work around the list (casework.md section 5): closed packages listed,
# one package as a case file (html) or a signed json export, and how the new
# closing states count.

load helper

A=SYN-20261102-0001
B=SYN-20261102-0002
C=SYN-20261102-0003

load_day() {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

# print_pdf HTML PDF: print the page as Chromium does (A4, CSS margins), as t0620 does.
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

close_three() {
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" --operator dc.ahmed status $A nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T10:00:00Z "$RT_CLOCK" --operator dc.jones status $B duplicate --of $A 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T11:00:00Z "$RT_CLOCK" --operator dc.jones status $C transferred --to "Northshire Police" --note "Lives there (SYNTHETIC)" 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T12:00:00Z "$RT_CLOCK" --operator dc.jones status $C transferred --their-ref NS/1 2>/dev/null
}

@test "worklist --closed: closed packages, closing state, closed_at and closed_by, newest first" {
	load_day
	close_three
	# A note after the close moves neither closed_at nor closed_by.
	REFTRIAGE_NOW=2026-11-03T13:00:00Z "$RT_CLOCK" --operator sgt.k note $A "Filed (SYNTHETIC)" 2>/dev/null
	rt worklist --closed --format csv
	expect_status 0
	[ "$(head -1 <<<"$output" | tr -d '\r')" = "rank,package_ref,priority,score,received_at,due_at,overdue,status,assigned_to,force_area,referral_type,reasons,updated,computed_priority,override,deconfliction,closed_at,closed_by" ]
	[ "$(tail -n +2 <<<"$output" | cut -d, -f2,8 | tr '\n' ' ')" = "$C,transferred $B,duplicate $A,nfa " ]
	[ "$(tail -n +2 <<<"$output" | awk -F, '{ print $(NF-1) "|" $NF }' | tr -d '\r' | tr '\n' ' ')" = "2026-11-03T12:00:00Z|dc.jones 2026-11-03T10:00:00Z|dc.jones 2026-11-03T09:00:00Z|dc.ahmed " ]
	# The usual filters, --status taking closing states, and --since.
	[ "$("$RT" worklist --closed --format csv --status duplicate,NFA 2>/dev/null | tail -n +2 | cut -d, -f2 | tr '\n' ' ')" = "$B $A " ]
	[ "$("$RT" worklist --closed --format csv --force-area westvale 2>/dev/null | tail -n +2 | cut -d, -f2)" = "$B" ]
	[ "$("$RT" worklist --closed --format csv --since 2026-11-03 2>/dev/null | tail -n +2 | wc -l)" = 0 ]
	[ "$("$RT" worklist --closed --format csv --limit 1 2>/dev/null | tail -n +2 | cut -d, -f2)" = "$C" ]
	rt worklist --closed --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); i=d["items"][0]; assert i["status"]=="transferred" and i["closed_at"]=="2026-11-03T12:00:00Z" and i["closed_by"]=="dc.jones", i' "$output"
	COLUMNS=160 rt worklist --closed --format table
	expect_status 0
	expect_out_has "Closed packages - 3 listed, most recently closed first"
	expect_out_has "duplicate"
	expect_out_has "2026-11-03 10:00 UTC  dc.jones"
	# The open list is unchanged, and the refs listed are in the audit entry.
	! "$RT" worklist --format csv 2>/dev/null | cut -d, -f2 | grep -qx "$A"
	[ "$(sql "SELECT count(*) FROM audit_refs r JOIN audit a ON a.seq = r.seq WHERE a.details LIKE '%\"closed\":true%' AND r.ref = '$B'")" -ge 1 ]
}

@test "worklist --status nfa points to --closed; --closed refuses open states and html" {
	load_day
	rt worklist --status nfa
	expect_status 64
	expect_err1 "reftriage: worklist: --status 'nfa': the worklist holds open packages (new, assigned, in_progress, reopened, awaiting_info, transfer_pending); for closed ones: worklist --closed --status nfa (see 'reftriage worklist --help')"
	rt worklist --closed --status new
	expect_status 64
	expect_err_has "with --closed, a closing state"
	rt worklist --closed --format html --output x.html
	expect_status 64
	[ ! -e x.html ]
}

@test "show --format html: the case file, self-contained, every version, history, outcomes, why" {
	load_day
	close_three
	"$RT" outcome $A nfa_no_offence --date 2026-11-04 2>/dev/null
	rt --operator sgt.k show $A --format html --output case.html --recipient "CPS (SYNTHETIC)"
	expect_status 0
	[ "$(stat -c %a case.html)" = 600 ]
	! grep -qi '<script' case.html
	! grep -Eqi 'src=|href=|url\(|@import|https?:' case.html
	grep -q "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" case.html
	grep -q '@page { size: A4 portrait' case.html
	grep -q '@top-center { content: "OFFICIAL-SENSITIVE"' case.html
	grep -q '@bottom-center { content: "OFFICIAL-SENSITIVE"' case.html
	grep -q "<h1>Case file: $A</h1>" case.html
	grep -q '<h2>history (assignments, status changes and notes, oldest first)</h2>' case.html
	grep -q 'in_progress\|new -&gt; nfa' case.html
	grep -q 'nfa_no_offence' case.html
	grep -q 'MEET-IMMINENT' case.html
	grep -q "duplicates  $B" case.html
	# A disclosure, with its recipient.
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'export' AND details LIKE '{\"format\":\"html\",\"recipient\":\"CPS (SYNTHETIC)\",\"output\":\"case.html\",\"output_hash\":%'")" = 1 ]
}

@test "show --format html: a second version's fields are in the case file too" {
	load_day
	python3 - "$SAMPLES/referrals-2026-11-02.csv" "$WORK/v2.csv" "$A" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
row = next(r for r in rows if r["package_ref"] == sys.argv[3])
row["summary"] = "SYNTHETIC TEST RECORD. Second version <b>with</b> new information."
w.writerow(row)
PY
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	rt show $A --format html --output case.html
	expect_status 0
	grep -q '<h2>fields of the latest version (v2)</h2>' case.html
	grep -q '<h2>version 1</h2>' case.html
	grep -q '<h2>fields of version 1</h2>' case.html
	grep -q 'Platform report: adult' case.html
	grep -q 'Second version' case.html
	grep -q '&lt;b&gt;with&lt;/b&gt;' case.html
}

@test "show --format html printed by Chromium: A4, the marking and page numbers on every page" {
	need_chromium
	load_day
	close_three
	rt show $A --format html --all --output "$WORK/case.html"
	expect_status 0
	print_pdf "$WORK/case.html" "$WORK/case.pdf"
	pages=$(pdfinfo "$WORK/case.pdf" | awk '/^Pages:/ { print $2 }')
	[ "$pages" -ge 2 ]
	pdfinfo "$WORK/case.pdf" | grep -Eq 'Page size: *59[45][.0-9]* x 84[12][.0-9]* pts \(A4\)'
	pdftotext -layout "$WORK/case.pdf" "$WORK/case.txt"
	python3 - "$WORK/case.txt" "$pages" "$A" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
n = int(sys.argv[2])
pages = text.split("\f")[:n]
assert len(pages) == n, len(pages)
for i, p in enumerate(pages, 1):
    lines = [l.strip() for l in p.splitlines() if l.strip()]
    assert re.fullmatch(r"Case file %s +OFFICIAL-SENSITIVE" % sys.argv[3], lines[0]), (i, lines[0])
    assert re.fullmatch(r"Made .* +OFFICIAL-SENSITIVE +Page %d of %d" % (i, n), lines[-1]), (i, lines[-1])
assert "MEET-IMMINENT" in text and "outcomes (oldest first)" in text and "versions (1," in text
PY
}

@test "show --format json --sign: a signed export, minisign verifies it, a disclosure with the recipient" {
	command -v minisign >/dev/null || skip "minisign is not installed"
	load_day
	"$RT" keygen --output k --unencrypted 2>/dev/null
	rt show $A --format json --output case.json --sign k.key --recipient "CPS (SYNTHETIC)"
	expect_status 0
	[ -f case.json.minisig ]
	python3 -c 'import json,sys; d=json.load(open("case.json")); assert d["package_ref"]=="'$A'"'
	run minisign -Vm case.json -p k.pub
	[ "$status" -eq 0 ]
	[[ "$output" == *"file:case.json"*"reftriage show"* ]]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'export' AND details LIKE '%signed_by%' AND details LIKE '%\"recipient\":\"CPS (SYNTHETIC)\"%'")" = 1 ]
	# A forged file fails.
	sed -i 's/SYN-/SYX-/' case.json
	run minisign -Vm case.json -p k.pub
	[ "$status" -ne 0 ]
}

@test "show: --sign and --recipient need a file; a missing key leaves no file" {
	load_day
	rt show $A --sign k.key
	expect_status 64
	expect_err1 "reftriage: show: --sign signs a file: name it with --output (see 'reftriage show --help')"
	rt show $A --recipient x
	expect_status 64
	rt show $A --format json --output case.json --sign nokey.key
	[ "$status" -ne 0 ]
	[ ! -e case.json ]
	[ ! -e case.json.minisig ]
}

@test "duplicates and transfers are not NFAs: stats, report, outcomes and backtest labels" {
	load_day
	close_three
	rt stats
	expect_out_has "  nfa                          1"
	expect_out_has "  transferred                  1"
	expect_out_has "  duplicate                    1"
	# The outcome codes of the new states are excluded from a backtest, never negative.
	rt outcome $B duplicate --date 2026-11-03
	expect_status 0
	rt outcome $C transferred --date 2026-11-03
	expect_status 0
	rt outcome $A nfa_no_offence --date 2026-11-03
	expect_status 0
	rt rules backtest --format json
	expect_status 0
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["negatives"]==1 and d["excluded"]==2, (d["negatives"], d["excluded"])' "$output"
	rt report --from 2026-11-01 --to 2026-11-08 --format json
	expect_status 0
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); o=d["outcomes"]; assert o.get("duplicate")==1 and o.get("transferred")==1 and o.get("nfa_no_offence")==1, o' "$output"
}
