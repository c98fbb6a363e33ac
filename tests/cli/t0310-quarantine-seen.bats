#!/usr/bin/env bats
# Nothing waits unseen (cli.md): spreadsheet spaces, known rejects, and the
# open quarantine on every list (worklist, stats, report, alert).

load helper

HDR=package_ref,received_at,source,referral_type,force_area,child_self_harm_risk,summary

# A CSV of records given as arguments, under the header above.
csv() {
	local out="$1"
	shift
	{ echo "$HDR"; printf '%s\n' "$@"; } >"$out"
}

@test "CSV: spaces and tabs around a bool, int, enum or time are a spreadsheet's; text keeps its own" {
	init_store
	csv "$WORK/night.csv" \
		"SYN-SP-0001,2026-11-02T08:00:00Z ,CEOP,grooming,Northshire,Y ,SYNTHETIC trailing space" \
		"SYN-SP-0002,	2026-11-02T09:00:00Z, CEOP	,grooming , Northshire ,	n,SYNTHETIC tabs and spaces"
	rt import "$WORK/night.csv"
	expect_status 0
	expect_err_has "2 imported (2 new"
	[ "$(sql "SELECT count(*) FROM quarantine")" = 0 ]
	rt show SYN-SP-0001 --format json
	echo "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)
f = p["versions"][0]["package"]
assert f["child_self_harm_risk"] is True, f
'
	rt show SYN-SP-0002 --format json
	echo "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)
f = p["versions"][0]["package"]
assert f["child_self_harm_risk"] is False and f["source"] == "CEOP", f
assert f["force_area"] == " Northshire ", f  # text keeps its spaces
'
	# The same package without the spaces is the same content: unchanged.
	csv "$WORK/clean.csv" "SYN-SP-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,Y,SYNTHETIC trailing space"
	rt import "$WORK/clean.csv"
	expect_status 0
	expect_err_has "1 unchanged"
	# JSON strings are not trimmed.
	printf '{"package_ref":"SYN-SP-0003","received_at":"2026-11-02T08:00:00Z","source":"CEOP ","referral_type":"grooming"}\n' >"$WORK/j.ndjson"
	rt import "$WORK/j.ndjson"
	expect_status 65
	expect_err_has 'source: "CEOP " is not one of'
}

# The summary's counts for the file and in totals: "rejected known_rejects exit_code".
summary_counts() {
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
f, t = s["files"][0], s["totals"]
assert (f["rejected"], f["known_rejects"]) == (t["rejected"], t["known_rejects"]), s
print(t["rejected"], t["known_rejects"], s["exit_code"])
'
}

@test "known rejects are not news: counted, not printed, not quarantined again, exit 0; a new one still 65" {
	init_store
	csv "$WORK/drop.csv" \
		"SYN-KR-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,maybe,SYNTHETIC bad bool" \
		"SYN-KR-0002,2026-11-02T09:00:00Z,CEOP,grooming,Northshire,n,SYNTHETIC fine"
	rt import "$WORK/drop.csv"
	expect_status 65
	expect_err_has 'drop.csv:2: child_self_harm_risk: "maybe" is not a yes/no value'
	# The nightly job imports the drop folder again: nothing new.
	rt import "$WORK/drop.csv"
	expect_status 0
	[[ "$err" != *"maybe"* ]]
	expect_err_has "0 rejected, 1 known reject (already in quarantine, not shown)"
	[ "$(sql "SELECT count(*) FROM quarantine")" = 1 ]
	rt import --summary json "$WORK/drop.csv"
	expect_status 0
	[ "$(summary_counts)" = "0 1 0" ]
	# The same bytes in another file are the same record: known too.
	cp "$WORK/drop.csv" "$WORK/drop-copy.csv"
	echo "SYN-KR-0003,2026-11-02T10:00:00Z,CEOP,grooming,Northshire,n,SYNTHETIC fine" >>"$WORK/drop-copy.csv"
	rt import "$WORK/drop-copy.csv"
	expect_status 0
	[ "$(sql "SELECT count(*) FROM quarantine")" = 1 ]
	# A new bad record is news: printed, quarantined, 65; the known one still is not printed.
	echo "SYN-KR-0004,2026-11-02T11:00:00Z,CEOP,grooming,Northshire,perhaps,SYNTHETIC new bad" >>"$WORK/drop.csv"
	rt import --summary json "$WORK/drop.csv"
	expect_status 65
	[ "$(summary_counts)" = "1 1 65" ]
	expect_err_has '"perhaps" is not a yes/no value'
	[[ "$err" != *'"maybe"'* ]]
	[ "$(sql "SELECT count(*) FROM quarantine")" = 2 ]
	# Dismissed or resolved, a record is still known.
	"$RT" quarantine dismiss 2 --note "SYNTHETIC test record" 2>/dev/null
	csv "$WORK/fixed.csv" "SYN-KR-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,y,SYNTHETIC bad bool"
	"$RT" import "$WORK/fixed.csv" 2>/dev/null
	[ "$(sql "SELECT count(*) FROM quarantine WHERE dismissed_at IS NULL AND resolved_at IS NULL")" = 0 ]
	rt import --summary json "$WORK/drop.csv"
	expect_status 0
	[ "$(summary_counts)" = "0 2 0" ]
	[ "$(sql "SELECT count(*) FROM quarantine")" = 2 ]
	# The import's audit entry counts them.
	[ "$(sql "SELECT json_extract(details, '$.known_rejects') FROM audit WHERE action = 'import' ORDER BY seq DESC LIMIT 1")" = 2 ]
}

@test "--strict: a known reject still withholds the file's valid records, and says so (65)" {
	init_store
	csv "$WORK/drop.csv" \
		"SYN-KS-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,maybe,SYNTHETIC bad bool" \
		"SYN-KS-0002,2026-11-02T09:00:00Z,CEOP,grooming,Northshire,n,SYNTHETIC fine"
	"$RT" import --strict "$WORK/drop.csv" 2>/dev/null || true
	rt import --strict "$WORK/drop.csv"
	expect_status 65
	expect_err_has "1 known reject"
	expect_err_has "--strict: 1 valid records not imported"
	[ "$(sql "SELECT count(*) FROM packages")" = 0 ]
	[ "$(sql "SELECT count(*) FROM quarantine")" = 1 ]
}

@test "a file that stops at a known file-level error is still 65: the rest of it was never read" {
	init_store
	printf 'package_ref,recieved_at,source,referral_type\nSYN-KH-0001,2026-11-02T08:00:00Z,CEOP,grooming\n' >"$WORK/typo.csv"
	"$RT" import "$WORK/typo.csv" 2>/dev/null || true
	rt import "$WORK/typo.csv"
	expect_status 65
	expect_err_has "0 rejected, 1 known reject (already in quarantine, not shown); reading stopped at a file-level error"
	[ "$(sql "SELECT count(*) FROM quarantine")" = 1 ]
}

@test "a store from before: its quarantined records are known by their raw bytes after the upgrade" {
	init_store
	csv "$WORK/drop.csv" "SYN-KU-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,maybe,SYNTHETIC bad bool"
	"$RT" import "$WORK/drop.csv" 2>/dev/null || true
	# As a store of schema 16 held it: no raw_hash, no received_at.
	undo_schema_17
	sql "PRAGMA user_version = 16"
	rt import "$WORK/drop.csv"
	expect_status 0
	expect_err_has "1 known reject"
	[ "$(sql "PRAGMA user_version")" = "$SCHEMA" ]
	[ "$(sql "SELECT count(*) FROM quarantine WHERE raw_hash IS NOT NULL")" = 1 ]
}

# One good package (SYN-QS-0002) and one refused record (SYN-QS-0001) in quarantine.
bad_and_good() {
	init_store
	csv "$WORK/drop.csv" \
		"SYN-QS-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,maybe,SYNTHETIC bad bool" \
		"SYN-QS-0002,2026-11-02T09:00:00Z,CEOP,grooming,Northshire,n,SYNTHETIC fine"
	"$RT" import "$WORK/drop.csv" 2>/dev/null || true
}

# Every list says so: worklist table, json, html box, csv on stderr, stats, report, alert.
expect_quarantine_everywhere() {
	COLUMNS=300 rt worklist -f table
	expect_status 0
	expect_out_has "QUARANTINE: 1 rejected record open, not triaged"
	expect_out_has "#1  SYN-QS-0001  received 2026-11-02 08:00 UTC  $WORK/drop.csv:2  child_self_harm_risk: \"maybe\" is not a yes/no value"
	rt worklist -f json
	echo "$output" | python3 -c '
import json, sys
w = json.load(sys.stdin)
q = w["quarantine"]
assert q["open"] == 1 and len(q["items"]) == 1, q
i = q["items"][0]
assert i["id"] == 1 and i["package_ref"] == "SYN-QS-0001" and i["received_at"] == "2026-11-02T08:00:00Z", i
assert i["file"].endswith("drop.csv") and i["line"] == 2, i
assert i["reason"].startswith("child_self_harm_risk: \"maybe\" is not a yes/no value"), i
assert [x["package_ref"] for x in w["items"]] == ["SYN-QS-0002"], w
'
	rt worklist -f html
	# The box is on page 1: before the first priority table.
	page1="${output%%<table class=list>*}"
	[[ "$page1" == *"<div class=quarantine><h2>Quarantine: 1 rejected record not triaged</h2>"* ]]
	[[ "$page1" == *"<td>SYN-QS-0001</td><td>2026-11-02 08:00 UTC</td>"* ]]
	[[ "$page1" == *"1 of 1 open package</b>; <b>1 in quarantine</b>"* ]]
	rt worklist -f csv
	expect_err_has "1 rejected record in quarantine, not triaged"
	rt stats
	expect_out_has "QUARANTINE: 1 rejected record open, not triaged (oldest received 2026-11-02 08:00 UTC)"
	rt stats --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["quarantine"])')" = "{'open': 1, 'oldest_received': '2026-11-02T08:00:00Z'}" ]
	rt report --from 2026-11-01 --to 2026-11-30 --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["quarantine"])')" = "{'open': 1, 'oldest_received': '2026-11-02T08:00:00Z'}" ]
	rt report --from 2026-11-01 --to 2026-11-30
	expect_out_has "QUARANTINE: 1 rejected record open, not triaged (oldest received 2026-11-02 08:00 UTC)"
	rt report --from 2026-11-01 --to 2026-11-30 --format html
	expect_out_has "Quarantine: 1 rejected record open, not triaged"
	# alert: due now, in a section of its own, exit 1 (the package is due far later).
	rt alert --within 1 --now 2026-11-02T10:00:00Z
	expect_status 1
	[ "$(echo "$output" | head -1)" = "QUARANTINE: 1 rejected record open, not triaged: fix and resend, or 'reftriage quarantine dismiss ID --note T'" ]
	expect_out_has "#1  SYN-QS-0001"
	rt alert --within 1 --now 2026-11-02T10:00:00Z --format json
	expect_status 1
	echo "$output" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert a["items"] == [] and a["quarantine"]["open"] == 1, a
assert a["quarantine"]["items"][0]["package_ref"] == "SYN-QS-0001", a
'
}

# And once it is dealt with, none says so, and alert is quiet again.
expect_quarantine_nowhere() {
	rt worklist -f table
	[[ "$output" != *QUARANTINE* ]]
	rt worklist -f json
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["quarantine"])')" = "{'open': 0, 'items': []}" ]
	rt worklist -f html
	[[ "$output" != *"class=quarantine"* ]]
	rt stats --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["quarantine"]["open"])')" = 0 ]
	rt report --from 2026-11-01 --to 2026-11-30 --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["quarantine"])')" = "{'open': 0, 'oldest_received': None}" ]
	rt alert --within 1 --now 2026-11-02T10:00:00Z
	expect_status 0
	[ -z "$output" ]
}

@test "an open quarantined record is on every list and due now in alert; dismissed, it leaves them all" {
	bad_and_good
	expect_quarantine_everywhere
	"$RT" quarantine dismiss 1 --note "SYNTHETIC test record" 2>/dev/null
	expect_quarantine_nowhere
}

@test "an open quarantined record leaves every list when its ref is imported cleanly" {
	bad_and_good
	expect_quarantine_everywhere
	csv "$WORK/fixed.csv" "SYN-QS-0001,2026-11-02T08:00:00Z,CEOP,grooming,Northshire,y,SYNTHETIC bad bool"
	"$RT" import "$WORK/fixed.csv" 2>/dev/null
	[ "$(sql "SELECT resolved_at IS NOT NULL FROM quarantine WHERE id = 1")" = 1 ]
	expect_quarantine_nowhere
}
