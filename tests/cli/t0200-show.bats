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
	expect_out_has "  meeting_date                     2026-11-04"
	expect_out_has "  child_in_household               (unknown)"
	expect_out_has "  meeting_proposed                 yes"
	expect_out_has "versions (newest first)"
	expect_out_has "from $SAMPLES/referrals-2026-11-02.csv:2"
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
	expect_err1 "reftriage: show: --format takes text or json, not 'xml' (see 'reftriage show --help')"
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
