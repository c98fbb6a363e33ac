#!/usr/bin/env bats
# reftriage rules check | install | show.

load helper

TEST_POLICY="$TOP/tests/data/rules/test-policy.json"
CASES="$TOP/tests/data/rules-invalid"

@test "rules check accepts the shipped default and the test policy" {
	rt rules check "$TOP/rules/default.json"
	expect_status 0
	expect_err1 "reftriage: rules check: $TOP/rules/default.json: ok: reftriage default triage policy 2026.11-1, 29 rules, 4 bands, hash $(b2sum -l 256 "$TOP/rules/default.json" | cut -d' ' -f1)"
	rt rules check "$TEST_POLICY"
	expect_status 0
}

@test "there are rules-file error cases to run (at least 20)" {
	[ "$(find "$CASES" -mindepth 1 -maxdepth 1 -type d | wc -l)" -ge 20 ]
}

@test "every kind of rules-file error: every message, with rule id and column, exit 65" {
	failed=0
	for dir in "$CASES"/*/; do
		cd "$dir"
		rt rules check rules.json
		if [ "$status" -ne "$(cat exit)" ] || [ "$err" != "$(cat expected)" ]; then
			echo "case $(basename "$dir"): exit $status (want $(cat exit))" >&2
			diff <(echo "$err") expected >&2 || true
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "rules check: a missing file is 66; a usage error is 64" {
	rt rules check "$WORK/none.json"
	expect_status 66
	expect_err1 "reftriage: $WORK/none.json: cannot open: No such file or directory"
	rt rules check
	expect_status 64
	rt rules frobnicate
	expect_status 64
	expect_err1 "reftriage: rules: 'frobnicate' is not check, install or show (see 'reftriage rules --help')"
}

@test "rules install keeps every rule set under its hash, makes the new one active and rescores" {
	init_store
	"$RT" import --as-of 2026-11-10T09:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	scored_with() { sql "SELECT value FROM meta WHERE key = 'scored_rule_set'"; }
	default_id=$(scored_with)
	rt rules install "$TEST_POLICY" --as-of 2026-11-10T09:00:00Z
	expect_status 0
	hash=$(b2sum -l 256 "$TEST_POLICY" | cut -d' ' -f1)
	expect_err1 "reftriage: rules install: installed Test policy (for the golden-file tests; not for use) test-1 (hash $hash) from $TEST_POLICY; rescored 60 open packages as of 2026-11-10T09:00:00Z"
	[ "$(sql 'SELECT count(*) FROM rule_sets')" = 2 ]
	# Every open package's score row is the store's current scoring (schema 5).
	[ "$(sql "SELECT lower(hex(hash)) FROM rule_sets WHERE id = $(scored_with)")" = "$hash" ]
	[ "$(sql 'SELECT count(*) FROM scores WHERE rule_set_id IS NULL AND as_of IS NULL')" = 60 ]
	[ "$(scored_with)" != "$default_id" ]
	# Installing the default again: still two rule sets, three installs, default active.
	rt rules install "$TOP/rules/default.json"
	expect_status 0
	[ "$(sql 'SELECT count(*) FROM rule_sets')" = 2 ]
	[ "$(sql 'SELECT count(*) FROM rule_installs')" = 3 ]
	[ "$(scored_with)" = "$default_id" ]
}

@test "an invalid rules file is not installed; the active rules and scores stay" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	before=$(sql 'SELECT group_concat(package_id || ":" || score || ":" || as_of) FROM scores')
	rt rules install "$CASES/when-unknown-field/rules.json"
	expect_status 65
	expect_err1 "$CASES/when-unknown-field/rules.json: rule MEET-U13: when: column 22: unknown field \"youngest_chlid_age\" (did you mean youngest_child_age?)"
	[ "$(sql 'SELECT count(*) FROM rule_sets')" = 1 ]
	[ "$(sql 'SELECT group_concat(package_id || ":" || score || ":" || as_of) FROM scores')" = "$before" ]
}

@test "rules show: hash, when and by whom installed, bands and rules; --format json is the file" {
	init_store
	"$RT" --operator supervisor3 rules install "$TEST_POLICY" 2>/dev/null
	rt rules show
	expect_status 0
	expect_out_has "rules      Test policy (for the golden-file tests; not for use) test-1"
	expect_out_has "hash       $(b2sum -l 256 "$TEST_POLICY" | cut -d' ' -f1)"
	expect_out_has "by supervisor3 from $TEST_POLICY"
	expect_out_has "  P1   score >= 100   respond within   24 h  Immediate"
	expect_out_has "  P4   any other score    respond within  720 h  Low"
	expect_out_has "  MEET-U13                 child_at_risk      +80  floor P1  Meeting proposed with a child under 13"
	expect_out_has "      when meeting_proposed and youngest_child_age < 13"
	"$RT" rules show --format json >"$WORK/active.json"
	cmp "$WORK/active.json" "$TEST_POLICY"
}

@test "rules show on a store with no rules installed: 78" {
	init_store
	sql 'DELETE FROM rule_installs'
	rt rules show
	expect_status 78
	rt score
	expect_status 78
	expect_err1 "reftriage: $REFTRIAGE_DB: no rules are installed; install some with 'reftriage rules install FILE'"
}

@test "terminal escapes in a rules file's name and descriptions are never printed raw" {
	init_store
	# An OSC title change, a colour and a screen clear in the name, version and a description.
	python3 - "$TEST_POLICY" "$WORK/hostile.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["name"] = p["version"] = "Policy \x1b]0;owned\x07\x1b[31mred\x1b[2J"
p["rules"][0]["description"] = "Meeting \x1b[2Jsoon"
json.dump(p, open(sys.argv[2], "w"))
PY
	for cmd in "rules check $WORK/hostile.json" "rules install $WORK/hostile.json" "rules show"; do
		run "$RT" $cmd
		[ "$status" -eq 0 ] || { echo "$cmd: $status: $output"; false; }
		[[ "$output" != *$'\e'* ]] || { echo "$cmd printed a raw escape"; false; }
		[[ "$output" != *$'\a'* ]] || { echo "$cmd printed a raw BEL"; false; }
	done
	[[ "$output" == *'Policy \x1b]0;owned\x07\x1b[31mred\x1b[2J'* ]]
	[[ "$output" == *'Meeting \x1b[2Jsoon'* ]]
}
