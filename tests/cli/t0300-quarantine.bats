#!/usr/bin/env bats
# reftriage quarantine list | show ID.

load helper

@test "quarantine list: one line per rejected record" {
	init_store
	"$RT" import "$SAMPLES/invalid/wrong-types.csv" "$SAMPLES/invalid/unknown-key.json" 2>/dev/null || true
	rt quarantine list
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 4 ]
	expect_out_has "1      $SAMPLES/invalid/wrong-types.csv:3  SYN-INV-0002  subject_age: \"3.5\" is not a whole number (expected a whole number from 10 to 120) (+1 more)"
	expect_out_has "3      $SAMPLES/invalid/unknown-key.json:3[1]  SYN-INV-0002  youngest_chlid_age: is not a field of the contract"
}

@test "quarantine show ID: file, line, every reason and the raw record" {
	init_store
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" import "$SAMPLES/invalid/wrong-types.csv" 2>/dev/null || true
	TZ=Europe/London rt quarantine show 1
	expect_status 0
	expect_out_has "rejected at 2026-11-03 08:00 GMT (import 1)"
	expect_out_has "line        3"
	expect_out_has "package_ref SYN-INV-0002"
	expect_out_has "  subject_age: \"3.5\" is not a whole number"
	expect_out_has "  child_in_household: \"yes-ish\" is not a yes/no value"
	expect_out_has "  | SYN-INV-0002,2026-11-02T08:30:00Z,CEOP,grooming,Northshire,3.5,yes-ish,SYNTHETIC two wrong types"
}

@test "quarantine show escapes control bytes in the raw record" {
	init_store
	"$RT" import "$SAMPLES/invalid/nul-byte.csv" 2>/dev/null || true
	rt quarantine show 1
	expect_status 0
	expect_out_has 'SYNTHETIC NUL\x00here'
}

@test "quarantine usage and missing records" {
	init_store
	rt quarantine
	expect_status 64
	rt quarantine purge
	expect_status 64
	rt quarantine show abc
	expect_status 64
	rt quarantine show 0
	expect_status 64
	rt quarantine show 7
	expect_status 65
	expect_err1 "reftriage: quarantine show: no quarantined record 7"
	rt quarantine list
	expect_status 0
	[ -z "$output" ]
}

# Two bad files: 1 and 2 from wrong-types.csv (SYN-INV-0002, -0004), 3 from unknown-key.json.
bad_night() {
	init_store
	"$RT" import "$SAMPLES/invalid/wrong-types.csv" "$SAMPLES/invalid/unknown-key.json" 2>/dev/null || true
}

@test "quarantine dismiss ID... --note: hidden from the list, shown marked with --all, audited" {
	bad_night
	rt --operator dc.lee quarantine dismiss 1 3 --note "Test records from the CEOP sandbox (SYNTHETIC)"
	expect_status 0
	expect_err1 "reftriage: quarantine dismiss: dismissed 2 quarantined records: 1 3"
	[ "$(sql 'SELECT group_concat(id) FROM quarantine WHERE dismissed_by = '"'"'dc.lee'"'"' AND dismiss_note LIKE '"'"'Test records%'"'")" = 1,3 ]
	rt quarantine list
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 2 ]
	expect_out_has "2      $SAMPLES/invalid/wrong-types.csv:4  SYN-INV-0004  subject_age"
	expect_err1 "reftriage: quarantine list: 1 open record; 2 dismissed or resolved not shown (--all shows them)"
	rt quarantine list --all
	[ "$(echo "$output" | wc -l)" = 4 ]
	[[ "$(echo "$output" | sed -n 2p)" == "1      "*"  [dismissed "*" by dc.lee: Test records from the CEOP sandbox (SYNTHETIC)]" ]]
	[[ "$(echo "$output" | sed -n 3p)" != *"["* ]]
	# The trail: who, why, which records and which refs; an alteration.
	rt audit log --action "quarantine dismiss" --format ndjson
	echo "$output" | python3 -c '
import json, sys
e = [json.loads(l) for l in sys.stdin if l.strip()]
assert len(e) == 1, e
e = e[0]
assert e["operator"] == "dc.lee" and e["category"] == "alteration", e
assert e["details"] == {"ids": "1 3", "note": "Test records from the CEOP sandbox (SYNTHETIC)", "dismissed": 2}, e
assert e["refs"] == ["SYN-INV-0002", "SYN-INV-0002"], e  # one a record
'
	rt audit verify
	expect_status 0
}

@test "quarantine dismiss of an unknown, or an already dismissed, ID: 65 and nothing changed" {
	bad_night
	before=$(sql 'SELECT count(*) FROM audit')
	rt quarantine dismiss 1 99 --note "SYNTHETIC"
	expect_status 65
	expect_err1 "reftriage: quarantine dismiss: no quarantined record 99; nothing dismissed"
	[ "$(sql 'SELECT count(*) FROM quarantine WHERE dismissed_at IS NOT NULL')" = 0 ]
	[ "$(sql 'SELECT count(*) FROM audit')" = "$before" ]
	"$RT" quarantine dismiss 2 --note "SYNTHETIC" 2>/dev/null
	rt quarantine dismiss 1 2 --note "again"
	expect_status 65
	expect_err1 "reftriage: quarantine dismiss: quarantined record 2 is already dismissed or resolved; nothing dismissed"
	[ "$(sql 'SELECT group_concat(id) FROM quarantine WHERE dismissed_at IS NOT NULL')" = 2 ]
	[ "$(sql "SELECT dismiss_note FROM quarantine WHERE id = 2")" = SYNTHETIC ]
	rt quarantine dismiss 1
	expect_status 64
	expect_err_has "dismiss needs --note TEXT"
	rt quarantine dismiss x1 --note "SYNTHETIC"
	expect_status 64
	[ "$(sql 'SELECT count(*) FROM quarantine WHERE dismissed_at IS NOT NULL')" = 1 ]
}

@test "a quarantined record whose ref later imports cleanly is resolved: hidden, shown as resolved" {
	bad_night
	W="$SAMPLES/invalid/wrong-types.csv"
	{ head -1 "$W"; sed -n 4p "$W" | sed 's/,9,/,19,/'; } >"$WORK/resent.csv"
	# A dry run resolves nothing; nor does the ref rejected again.
	"$RT" import --dry-run "$WORK/resent.csv" 2>/dev/null
	"$RT" import "$W" 2>/dev/null || true
	[ "$(sql 'SELECT count(*) FROM quarantine WHERE resolved_at IS NOT NULL')" = 0 ]
	rt import "$WORK/resent.csv"
	expect_status 0
	[ "$(sql 'SELECT id, resolved_by_import FROM quarantine WHERE resolved_at IS NOT NULL')" = "2|4" ]
	rt quarantine list
	[ "$(echo "$output" | tail -n +2 | cut -c1-7 | tr -d ' ' | paste -sd,)" = 1,3 ]
	rt quarantine list --all
	expect_out_has "SYN-INV-0004  subject_age: \"9\" is out of range (expected a whole number from 10 to 120)  [resolved: imported cleanly "
	rt quarantine show 2
	expect_out_has "state       resolved: imported cleanly "
	rt quarantine dismiss 2 --note "SYNTHETIC"
	expect_status 65
}

@test "quarantine list --format json: an object with an items array; --all adds the rest, with their state" {
	bad_night
	"$RT" --operator dc.lee quarantine dismiss 1 --note "SYNTHETIC test" 2>/dev/null
	rt quarantine list --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, re, sys
d = json.load(sys.stdin)
assert d["all"] is False and d["shown"] == 2 and d["hidden"] == 1, d
assert [i["id"] for i in d["items"]] == [2, 3], d
i = d["items"][1]
assert i["state"] == "open" and i["index"] == 1 and i["line"] == 3 and i["package_ref"] == "SYN-INV-0002", i
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", i["rejected_at"]), i
assert i["reasons"][0]["field"] == "youngest_chlid_age", i
assert i["dismissed_at"] is None and i["resolved_at"] is None, i
'
	rt quarantine list -f json --all
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["all"] is True and d["shown"] == 3 and d["hidden"] == 0, d
i = d["items"][0]
assert i["state"] == "dismissed" and i["dismissed_by"] == "dc.lee" and i["note"] == "SYNTHETIC test", i
assert len(i["reasons"]) == 2, i
'
	rt quarantine list -f csv
	expect_status 64
}

@test "schema 9: a store's earlier quarantined records are open after the migration" {
	bad_night
	# Back to schema 6's quarantine table, as it was.
	undo_schema_17
	sql "$UNDO_LATER_SCHEMAS ALTER TABLE quarantine DROP COLUMN dismissed_at; ALTER TABLE quarantine DROP COLUMN dismissed_by; ALTER TABLE quarantine DROP COLUMN dismiss_note; ALTER TABLE quarantine DROP COLUMN resolved_at; ALTER TABLE quarantine DROP COLUMN resolved_by_import; ALTER TABLE scores DROP COLUMN valid_until; PRAGMA user_version = 6"
	rt quarantine list
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 4 ]
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql 'SELECT count(*) FROM quarantine WHERE dismissed_at IS NULL AND resolved_at IS NULL')" = 3 ]
}

@test "a record refused and then sent right later in the same file is resolved by that import" {
	init_store
	W="$SAMPLES/invalid/wrong-types.csv"
	{ head -1 "$W"; sed -n 4p "$W"; sed -n 4p "$W" | sed 's/,9,/,19,/'; } >"$WORK/fixed-below.csv"
	rt import "$WORK/fixed-below.csv"
	expect_status 65
	[ "$(sql 'SELECT id, resolved_by_import FROM quarantine')" = "1|1" ]
	rt quarantine list
	[ -z "$output" ]
}
