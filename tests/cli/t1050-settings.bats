#!/usr/bin/env bats
# Store settings (cli.md `settings`): listed, shown, set with a checked value,
# every change in the audit trail.

load helper

@test "settings lists every setting with its default; NAME prints its value" {
	init_store
	rt settings
	expect_status 0
	[ "$output" = "$(printf 'nfa_sign_off     off    (default)\nretention_days   365    (default)')" ]
	rt settings retention_days
	expect_status 0
	[ "$output" = 365 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'settings show'")" = 2 ]
}

@test "settings NAME VALUE sets it, says what it was, and the change is audited as an alteration" {
	init_store
	rt --operator sgt.k --reason "force retention policy R-7" settings retention_days 400
	expect_status 0
	expect_err1 "reftriage: settings: retention_days: 400 (was 365)"
	rt settings retention_days
	[ "$output" = 400 ]
	rt settings
	[[ "$(echo "$output" | sed -n 2p)" == "retention_days   400    (set by sgt.k on "*" UTC)" ]]
	rt settings nfa_sign_off ON
	expect_status 0
	[[ "$err" != *warning* ]]
	[ "$(sql "SELECT value FROM settings WHERE name = 'nfa_sign_off'")" = on ]
	rt audit log --action settings --format ndjson
	echo "$output" | python3 -c '
import json, sys
e = [json.loads(l) for l in sys.stdin]
assert [x["details"] for x in e] == [{"name": "retention_days", "from": "365", "to": "400"}, {"name": "nfa_sign_off", "from": "off", "to": "on"}], e
assert all(x["category"] == "alteration" for x in e), e
assert e[0]["operator"] == "sgt.k" and e[0]["reason"] == "force retention policy R-7", e'
	rt audit verify
	expect_status 0
}

@test "a bad setting name or value is a usage error that changes nothing" {
	init_store
	rt settings retention_day
	expect_status 64
	expect_err1 "reftriage: settings: 'retention_day' is not a setting; did you mean 'retention_days'? (see 'reftriage settings --help')"
	rt settings retention_day 400
	expect_status 64
	expect_err_has "did you mean 'retention_days'?"
	for v in +400 0400 29 36501 " 400" 400d 1e3 abc ""; do
		rt settings retention_days "$v"
		expect_status 64
		expect_err1 "reftriage: settings: retention_days: '$v' is not a number of days from 30 to 36500 (see 'reftriage settings --help')"
	done
	rt settings retention_days -1
	expect_status 64
	rt settings nfa_sign_off maybe
	expect_status 64
	expect_err1 "reftriage: settings: nfa_sign_off: 'maybe' is not on or off (see 'reftriage settings --help')"
	[ "$(sql "SELECT count(*) FROM settings")" = 0 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'settings'")" = 0 ]
	# The bounds themselves are accepted.
	rt settings retention_days 30
	expect_status 0
	rt settings retention_days 36500
	expect_status 0
}

@test "a retention_days damaged by hand stops purge instead of counting as the default" {
	init_store
	sql "INSERT INTO settings VALUES ('retention_days', '-5', 0, 'x')"
	rt purge --closed-before 2020-01-01
	expect_status 65
	expect_err_has "retention_days: the stored setting '-5' is not a number of days"
}
