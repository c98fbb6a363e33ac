#!/usr/bin/env bats
# reftriage show REF.

load helper

load_day() {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

@test "show prints the fields of the latest version and its versions" {
	load_day
	rt show SYN-20261102-0001
	expect_status 0
	expect_out_has "package   SYN-20261102-0001"
	expect_out_has "status    new"
	expect_out_has "    meeting_date                   2026-11-04"
	expect_out_has "    meeting_proposed               yes"
	[[ "$output" != *"child_in_household"* ]] # unknown: counted, not listed
	expect_out_has "  47 fields unknown (show --all lists them)"
	expect_out_has "versions (1, newest first; first seen "
	expect_out_has "       from $SAMPLES/referrals-2026-11-02.csv:2"
	rt show SYN-20261102-0001 --all
	expect_out_has "    child_in_household             (unknown)"
	[[ "$output" != *"fields unknown"* ]]
}

@test "show puts the decision first: priority, score, due, status, why; local times; 80 columns" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	TZ=Europe/London rt show SYN-20261102-0004
	expect_status 0
	want=$'package   SYN-20261102-0004
priority  P1 (Very high: act within a day)   score 250
due       2026-11-03 06:52 GMT   OVERDUE
status    new
assigned  -
why       the rules that fired, with their points
    +100  SELF-HARM              A child at risk of self-harm; floor P1
     +40  ONGOING-CONTACT        Contact with a child is continuing; floor P2
     +30  CHILD-IDENTIFIED       A child victim has been identified
     +40  COERCION               Coercion or threats against a child
                                 (sextortion, blackmail); floor P2
      +0  SEXTORTION             Referred as sextortion: a child blackmailed
                                 with sexual images; floor P2
     +25  IMAGE-REQUESTS         Subject asked a child for images
     +15  LINKED                 Linked to another referral by subject or
                                 identifier
scored    as of 2026-11-03 08:00 GMT, version 1
rules     reftriage default triage policy 2026.11-3 ('
	[[ "$output" == "$want"* ]] || { diff <(echo "$want") <(echo "$output" | head -n 20) || true; false; }
	expect_out_has "    received_at                    2026-11-02 06:52 GMT"
	# Every line fits 80 columns but the file path, which is never cut.
	! echo "$output" | grep -v "^       from " | awk 'length($0) > 80 { exit 0 } END { exit 1 }'
	# Machines read UTC, whatever TZ says; the JSON keeps its keys.
	TZ=Europe/London rt show SYN-20261102-0004 --format json
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert list(s) == ["package_ref", "status", "deconfliction", "assigned_to", "duplicate_of", "duplicates", "transfer", "updated", "latest_version", "first_seen_at", "erased_at", "versions", "score", "linked", "possible_links", "history", "outcomes"], list(s)
assert s["score"]["due_at"] == "2026-11-03T06:52:00Z" and s["score"]["as_of"] == "2026-11-03T08:00:00Z"
assert [e["rule"] for e in s["score"]["explanation"]][:2] == ["SELF-HARM", "ONGOING-CONTACT"]
'
}

@test "show --diff: exactly the fields that changed, old -> new; --versions A,B" {
	load_day
	sed -e 's/^SYN-20261102-0003,\(.*\),38,/SYN-20261102-0003,\1,39,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import "$WORK/v2.csv" 2>/dev/null
	printf 'package_ref,received_at,source,referral_type,force_area,summary\nSYN-20261102-0003,2026-11-02T13:39:00Z,NCMEC,production,Westvale,"SYNTHETIC v3: a much longer summary that cannot share a line with the old one, so that it is shown on lines of its own"\n' >"$WORK/v3.csv"
	"$RT" import "$WORK/v3.csv" 2>/dev/null
	rt show SYN-20261102-0001 --diff
	expect_status 65
	expect_err_has "SYN-20261102-0001 has one version only: nothing to compare"
	rt show SYN-20261102-0003 --diff --versions 1,2
	expect_status 0
	[ "$output" = "SYN-20261102-0003: version 1 → version 2
  subject_age                      38 → 39" ]
	rt show SYN-20261102-0003 --diff
	expect_status 0
	[ "$(echo "$output" | head -n 1)" = "SYN-20261102-0003: version 2 → version 3" ]
	expect_out_has "  force_area                       Southmere → Westvale"
	expect_out_has "  subject_age                      39 → (unknown)"
	expect_out_has $'  summary\n    was  SYNTHETIC TEST RECORD.'
	expect_out_has $'\n    now  SYNTHETIC v3: a much longer summary'
	[[ "$output" != *"received_at"* ]] # unchanged fields are not listed
	rt show SYN-20261102-0003 --diff --versions 1,2 --format json
	[ "$output" = '{"package_ref":"SYN-20261102-0003","from":1,"to":2,"changes":[{"field":"subject_age","old":"38","new":"39"}]}' ]
	rt show SYN-20261102-0003 --diff --versions 1,9
	expect_status 65
	for bad in 1 1,1 0,2 a,b 1,2,3 -1,2; do
		rt show SYN-20261102-0003 --diff --versions "$bad"
		expect_status 64
		expect_err1 "reftriage: show: --versions takes two different version numbers, A,B (as 1,2), not '$bad' (see 'reftriage show --help')"
	done
	rt show SYN-20261102-0003 --versions 1,2
	expect_status 64
	expect_err1 "reftriage: show: --versions goes with --diff (see 'reftriage show --help')"
}

@test "show --format json: fields, state and every version, newest first" {
	load_day
	sed 's/^SYN-20261102-0003,\(.*\),38,/SYN-20261102-0003,\1,39,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import "$WORK/v2.csv" 2>/dev/null
	rt show SYN-20261102-0003 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["package_ref"] == "SYN-20261102-0003" and s["latest_version"] == 2 and s["updated"] is True
v = s["versions"]
assert [x["version"] for x in v] == [2, 1]
assert v[0]["package"]["subject_age"] == 39 and v[1]["package"]["subject_age"] == 38
assert v[0]["content_hash"] != v[1]["content_hash"]
assert v[0]["line"] == 4 and v[0]["array_index"] is None
'
}

@test "show of a ref that is not there: exit 65 with a message" {
	load_day
	rt show SYN-NOPE-1
	expect_status 65
	expect_err1 "reftriage: show: no package with ref 'SYN-NOPE-1' in $REFTRIAGE_DB"
}

@test "show usage errors: no ref, two refs, a bad --format" {
	load_day
	rt show
	expect_status 64
	rt show A1x B2x
	expect_status 64
	rt show SYN-20261102-0001 --format xml
	expect_status 64
	expect_err1 "reftriage: show: --format takes text, json or html, not 'xml' (see 'reftriage show --help')"
}

@test "escape characters are refused at import; C1 controls are escaped on output" {
	init_store
	printf '{"package_ref":"SYN-ESC-1","received_at":"2026-11-02","source":"CEOP","referral_type":"other","summary":"before \\u001b[31mred"}\n' >"$WORK/esc.ndjson"
	rt import "$WORK/esc.ndjson"
	expect_status 65
	expect_err1 "$WORK/esc.ndjson:1: summary: \"before \\x1b[31mred\" has a control character (byte 0x1b) at byte 8"
	# U+009B (CSI) is valid UTF-8 text, so it is stored, but never sent raw to a terminal.
	printf '{"package_ref":"SYN-ESC-2","received_at":"2026-11-02","source":"CEOP","referral_type":"other","summary":"before \\u009b31mred after"}\n' >"$WORK/c1.ndjson"
	rt import "$WORK/c1.ndjson"
	expect_status 0
	rt show SYN-ESC-2
	expect_status 0
	[[ "$output" != *$'\xc2\x9b'* ]]
	expect_out_has 'before \u009b31mred after'
}

@test "a package linked only by an IP address: possible links (shared IP), not linked packages" {
	"$RT" init 2>/dev/null
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-IP1,2026-11-02,CEOP,grooming,S1,ip:198.51.100.7;email:a@example.org\nSYN-IP2,2026-11-02,CEOP,grooming,S2,ip:198.51.100.7\nSYN-IP3,2026-11-02,CEOP,grooming,S1,ip:198.51.100.7\n' >"$WORK/ip.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/ip.csv" 2>/dev/null
	# IP2 shares only the IP address; IP3 shares the subject and the IP address.
	[ "$(sql "SELECT group_concat(ref || ':' || linked || '/' || ip_linked, ' ') FROM (SELECT ref, linked, ip_linked FROM scores ORDER BY ref)")" = "SYN-IP1:1/2 SYN-IP2:0/2 SYN-IP3:1/2" ]
	rt show SYN-IP2
	expect_status 0
	expect_out_has $'linked packages (sharing a subject or an identifier)\n  none\n\npossible links (shared IP)\n  SYN-IP1                  shares ip:198.51.100.7\n  SYN-IP3                  shares ip:198.51.100.7'
	rt show SYN-IP1
	expect_out_has $'linked packages (sharing a subject or an identifier)\n  SYN-IP3                  shares subject:S1\n\npossible links (shared IP)\n  SYN-IP2                  shares ip:198.51.100.7'
	rt show SYN-IP2 --format json
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["linked"] == [], s["linked"]
assert [l["package_ref"] for l in s["possible_links"]] == ["SYN-IP1", "SYN-IP3"], s["possible_links"]
assert s["score"]["linked_packages"] == 0 and s["score"]["ip_linked_packages"] == 2, s["score"]
'
}

@test "show's text matches its golden file, the same at 80 and 200 columns" {
	init_store
	cp "$SAMPLES/referrals-2026-11-02.csv" day.csv
	REFTRIAGE_NOW=2026-11-03T07:30:00Z "$RT_CLOCK" import --as-of 2026-11-03T08:00:00Z day.csv 2>/dev/null
	sed 's/^SYN-20261102-0003,\(.*\),38,/SYN-20261102-0003,\1,39,/' day.csv >day2.csv
	REFTRIAGE_NOW=2026-11-03T07:45:00Z "$RT_CLOCK" import --as-of 2026-11-03T08:00:00Z day2.csv 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" --operator sgt.k assign SYN-20261102-0003 --to dc.ahmed --note "Urgent: household (SYNTHETIC)" 2>/dev/null
	for c in 80 200; do
		TZ=Europe/London COLUMNS=$c "$RT" show SYN-20261102-0003 >"show-$c.txt" 2>/dev/null
		diff "show-$c.txt" "$TOP/tests/data/golden/show-text.txt"
	done
	python3 -c 'import sys; bad = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]; sys.exit("too wide: %r" % bad if bad else 0)' show-80.txt
}
