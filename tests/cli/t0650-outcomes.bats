#!/usr/bin/env bats
# reftriage outcome: recording, importing and listing what became of each
# referral (docs/outcomes.md); audited, shown, exported and kept by purge.

load helper

fixture() { bt_packages; }

outcomes() { sql "SELECT count(*) FROM outcomes"; }

@test "outcome REF CODE records one outcome, once; show lists it; the audit trail says so" {
	fixture
	rt outcome BT-04 safeguarded --date 2026-11-05 --count 2 --note "two children"
	expect_status 0
	expect_err1 "reftriage: outcome: recorded BT-04 safeguarded on 2026-11-05 (positive)"
	[ "$(sql "SELECT code, outcome_date, count, note FROM outcomes")" = "safeguarded|2026-11-05|2|two children" ]
	# The same outcome again changes nothing, and says so.
	rt outcome BT-04 SAFEGUARDED --date 2026-11-05 --count 2
	expect_status 0
	expect_err1 "reftriage: outcome: BT-04 safeguarded on 2026-11-05 was already recorded; nothing changed"
	[ "$(outcomes)" = 1 ]
	# Audited as an alteration naming the ref, without the note (purge must be able to erase it).
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'outcome'")" = 2 ]
	[ "$(sql "SELECT group_concat(ref) FROM audit_refs WHERE seq = (SELECT min(seq) FROM audit WHERE action = 'outcome')")" = BT-04 ]
	rt audit log --action outcome --format json
	expect_out_has '"category":"alteration"'
	expect_out_has '"details":{"code":"safeguarded","date":"2026-11-05","count":2,"recorded":true}'
	expect_out_has '"recorded":false'
	[[ "$output" != *"two children"* ]]
	rt show BT-04
	expect_out_has "outcomes (oldest first)"
	expect_out_has "  2026-11-05  safeguarded                positive  count 2, recorded by tester"
	expect_out_has "      two children"
	rt show BT-04 --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["outcomes"])')" = "[{'code': 'safeguarded', 'label': 'positive', 'date': '2026-11-05', 'count': 2, 'note': 'two children'}]" ]
	rt show BT-05
	expect_out_has "outcomes (oldest first)"$'\n'"  none recorded"
}

@test "the date defaults to today (local); a misspelt code, a bad date or an unknown ref records nothing" {
	fixture
	TZ=Pacific/Kiritimati rt outcome BT-01 arrest
	expect_status 0
	expect_err1 "reftriage: outcome: recorded BT-01 arrest on 2026-12-01 (positive)"
	rt outcome BT-02 arest
	expect_status 64
	expect_err1 "reftriage: outcome: code: 'arest' is not an outcome code (docs/outcomes.md) (did you mean 'arrest'?)"
	rt outcome BT-02 arrest --date 2026-11-31
	expect_status 64
	expect_err1 "reftriage: outcome: date: not a date YYYY-MM-DD: day does not exist in that month"
	rt outcome BT-02 arrest --date 2026-12-25
	expect_status 64
	expect_err1 "reftriage: outcome: date: '2026-12-25' is in the future"
	rt outcome NO-SUCH arrest
	expect_status 65
	expect_err1 "reftriage: outcome: no package with ref 'NO-SUCH' in $REFTRIAGE_DB"
	rt outcome BT-02 arrest --format json
	expect_status 64
	[ "$(outcomes)" = 1 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'outcome'")" = 1 ]
}

@test "outcome import: every bad line is reported by file, line and field, and nothing is recorded" {
	fixture
	cat >bad.csv <<-'CSV'
	package_ref,code,date,count,note
	BT-01,arrest,2026-11-02,,fine
	BT-02,nfa_no_ofence,2026-11-03,,
	BT-03,arrest,2026-13-01,,
	BT-04,safeguarded,2026-11-05,two,
	NO-SUCH,arrest,2026-11-06,,
	BT-06,arrest,2026-11-07,,
	BT-07,arrest,2026-11-08,0,
	BT-08,arrest,2026-11-09
	CSV
	printf 'BT-09,arrest,2026-11-10,,bell\a\n' >>bad.csv
	rt outcome import bad.csv
	expect_status 65
	expect_err_has "reftriage: bad.csv:3: code: 'nfa_no_ofence' is not an outcome code (docs/outcomes.md) (did you mean 'nfa_no_offence'?)"
	expect_err_has "reftriage: bad.csv:4: date: not a date YYYY-MM-DD: month is not 01-12"
	expect_err_has "reftriage: bad.csv:5: count: 'two' is not a whole number from 1 to 10000"
	expect_err_has "reftriage: bad.csv:6: package_ref: no package with ref 'NO-SUCH'"
	expect_err_has "reftriage: bad.csv:8: count: '0' is not a whole number from 1 to 10000"
	expect_err_has "reftriage: bad.csv:9: 3 fields where the header has 5"
	expect_err_has "reftriage: bad.csv:10: note: 'bell\\x07' is not text of at most 2000 bytes without control characters"
	expect_err_has "reftriage: outcome: bad.csv: 7 bad lines of 9; nothing was recorded"
	[ "$(echo "$err" | grep -c ':2: \|:7: ')" = 0 ]
	[ "$(outcomes)" = 0 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'outcome%'")" = 0 ]
}

@test "outcome import: a bad header is refused with a suggestion; an empty file too" {
	fixture
	printf 'package_ref,cod,date\nBT-01,arrest,2026-11-02\n' >h.csv
	rt outcome import h.csv
	expect_status 65
	expect_err1 "reftriage: h.csv:1: header: 'cod' is not a known column (did you mean 'code'?)"
	printf 'package_ref,date\nBT-01,2026-11-02\n' >h2.csv
	rt outcome import h2.csv
	expect_status 65
	expect_err1 "reftriage: outcome: h2.csv:1: header: needs the columns package_ref and code (of package_ref,code,date,count,note)"
	: >empty.csv
	rt outcome import empty.csv
	expect_status 65
	rt outcome import missing.csv
	expect_status 66
	[ "$(outcomes)" = 0 ]
}

@test "outcome import twice records each outcome once; list gives table, csv that imports again, json" {
	fixture
	rt outcome import "$BT/outcomes.csv"
	expect_status 0
	expect_err1 "reftriage: outcome: $BT/outcomes.csv: 12 lines: 12 outcomes recorded, 0 already recorded"
	rt outcome import "$BT/outcomes.csv"
	expect_status 0
	expect_err1 "reftriage: outcome: $BT/outcomes.csv: 12 lines: 0 outcomes recorded, 12 already recorded"
	[ "$(outcomes)" = 12 ]
	rt audit log --action "outcome import" --format json
	expect_out_has '"category":"alteration"'
	expect_out_has '"details":{"file":"'"$BT"'/outcomes.csv","lines":12,"recorded":0}'
	rt outcome list
	expect_status 0
	[ "$(echo "$output" | wc -l)" -ge 12 ]
	expect_out_has "BT-04                    safeguarded               2026-11-05     2  two children at the address"
	rt outcome list --format csv
	[ "$(echo "$output" | head -1)" = "package_ref,code,date,count,note" ]
	echo "$output" >again.csv
	rt outcome import again.csv
	expect_err1 "reftriage: outcome: again.csv: 12 lines: 0 outcomes recorded, 12 already recorded"
	rt outcome list --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"]), d["items"][2]["package_ref"], d["items"][2]["code"], d["items"][2]["label"])')" = "12 BT-02 charged positive" ]
	rt audit log --action "outcome list" --format json
	expect_out_has '"category":"consultation"'
	expect_out_has '"refs":["BT-01","BT-02","BT-02",'

}

@test "a package whose ref is 'list' is still 'outcome list CODE'" {
	init_store
	printf '{"package_ref":"list","received_at":"2026-11-01","source":"CEOP","referral_type":"other"}\n' >l.ndjson
	"$RT" import l.ndjson 2>/dev/null
	rt outcome list arrest --date 2026-11-02
	expect_status 0
	[ "$(sql "SELECT code FROM outcomes")" = arrest ]
	rt outcome list
	expect_out_has "list                     arrest"
	rt outcome list arrest extra
	expect_status 64
}

@test "worklist json and ndjson carry each package's outcomes" {
	fixture
	"$RT" outcome import "$BT/outcomes.csv" 2>/dev/null
	rt worklist --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([i["outcomes"] for i in d["items"] if i["package_ref"] == "BT-02"][0])')" = "[{'code': 'nfa_no_offence', 'date': '2026-11-01', 'count': 1}, {'code': 'charged', 'date': '2026-11-03', 'count': 1}]" ]
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([i["outcomes"] for i in d["items"] if i["package_ref"] == "BT-12"][0])')" = "[]" ]
	rt worklist --format ndjson
	expect_out_has '"package_ref":"BT-04"'
	expect_out_has '"outcomes":[{"code":"safeguarded","date":"2026-11-05","count":2}]'
}

@test "purge keeps outcome codes, dates and counts, and erases their notes" {
	fixture
	"$RT" outcome import "$BT/outcomes.csv" 2>/dev/null
	REFTRIAGE_NOW=2026-11-20T09:00:00Z "$RT_CLOCK" status BT-04 actioned 2>/dev/null
	"$RT" purge --closed-before 2026-11-25 --force 2>/dev/null
	[ "$(sql "SELECT code, outcome_date, count, coalesce(note, 'NULL') FROM outcomes o JOIN packages p ON p.id = o.package_id WHERE p.ref = 'BT-04'")" = "safeguarded|2026-11-05|2|NULL" ]
	[ "$(sql "SELECT note FROM outcomes o JOIN packages p ON p.id = o.package_id WHERE p.ref = 'BT-02' AND note IS NOT NULL")" = "an earlier decision on one of two offences" ]
	! grep -qa "two children at the address" "$REFTRIAGE_DB"
	rt outcome list
	expect_out_has "BT-04                    safeguarded               2026-11-05     2  "
	# The backtest leaves the erased package out, and says how many.
	rt rules backtest "$BT/rules.json" --format json
	expect_status 0
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["packages"], d["positives"], d["erased"])')" = "9 4 1" ]
}

@test "a store from before outcomes (schema 6) is migrated: outcomes can be recorded at once" {
	bt_packages
	# Back to schema 6 as it was: without outcomes, and without schema 9's quarantine columns.
	undo_schema_17
	sql "$UNDO_LATER_SCHEMAS DROP TABLE outcomes; ALTER TABLE quarantine DROP COLUMN dismissed_at; ALTER TABLE quarantine DROP COLUMN dismissed_by; ALTER TABLE quarantine DROP COLUMN dismiss_note; ALTER TABLE quarantine DROP COLUMN resolved_at; ALTER TABLE quarantine DROP COLUMN resolved_by_import; ALTER TABLE scores DROP COLUMN valid_until; PRAGMA user_version = 6"
	rt outcome BT-01 arrest --date 2026-11-02
	expect_status 0
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql "SELECT code FROM outcomes")" = arrest ]
}
