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
