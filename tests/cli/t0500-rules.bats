#!/usr/bin/env bats
# reftriage rules check | install | show.

load helper

TEST_POLICY="$TOP/tests/data/rules/test-policy.json"
CASES="$TOP/tests/data/rules-invalid"

@test "rules check accepts the shipped default and the test policy" {
	rt rules check "$TOP/rules/default.json"
	expect_status 0
	expect_err1_starts "reftriage: rules check: $TOP/rules/default.json: ok: reftriage default triage policy 2026.11-3, 43 rules, 4 bands, hash $(b2sum -l 256 "$TOP/rules/default.json" | cut -d' ' -f1); "
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
	expect_err1 "reftriage: rules: 'frobnicate' is not check, diff, install, show or backtest (see 'reftriage rules --help')"
}

@test "rules install keeps every rule set under its hash, makes the new one active and rescores" {
	init_store
	"$RT" import --as-of 2026-11-10T09:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	scored_with() { sql "SELECT value FROM meta WHERE key = 'scored_rule_set'"; }
	default_id=$(scored_with)
	rt rules install "$TEST_POLICY" --as-of 2026-11-10T09:00:00Z
	expect_status 0
	hash=$(b2sum -l 256 "$TEST_POLICY" | cut -d' ' -f1)
	# First what moves (t0910), then the install.
	# One line (the matrix: --verbose, --dry-run or rules diff; t0910).
	[ "$(echo "$err" | wc -l)" = 1 ]
	expect_err1 "reftriage: rules install: installed Test policy (for the golden-file tests; not for use) test-1 (hash $hash) from $TEST_POLICY; rescored 60 open packages as of 2026-11-10 09:00 UTC, 22 changed priority"
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

# A rules file of N rules made by awk: rule i has id ID(i) and points POINTS(i).
make_rules() {
	local n="$1" id="$2" points="$3"
	awk -v n="$n" -v id="$id" -v points="$points" 'BEGIN {
		printf "{\"name\": \"generated\", \"version\": \"1\", \"bands\": [{\"priority\": \"P1\", "
		printf "\"label\": \"only\", \"min_score\": null, \"respond_within_hours\": 24}], \"rules\": ["
		for (i = 0; i < n; i++) {
			r = id; gsub(/I/, i, r); p = points; gsub(/I/, i, p)
			printf "%s{\"id\": \"%s\", \"category\": \"other\", \"description\": \"d\", ", \
			    i ? "," : "", r
			printf "\"when\": \"distribution\", \"points\": %s}\n", p
		}
		print "]}"
	}'
}

# Run reftriage in 500 MB of address space; $status. A build that cannot run
# there at all (a sanitizer build reserves terabytes of shadow memory) gets
# status "skipped" and a note, so that the rest of a test still runs under it.
rt_500mb() {
	if ! (ulimit -v 500000 && "$RT" rules check "$TOP/rules/default.json" 2>/dev/null); then
		echo "# this build cannot run under ulimit -v 500000; not checked" >&3
		status=skipped
		return
	fi
	set +e
	(ulimit -v 500000 && "$RT" "$@" 2>/dev/null)
	status=$?
	set -e
}

@test "rules check: 1,000 rules with one id is one error, in bounded memory" {
	make_rules 1000 DUP 1 >"$WORK/dup.json"
	# Comparing every pair printed 499,500 errors here and grew with the square.
	rt rules check "$WORK/dup.json"
	expect_status 65
	[ "$err" = "$WORK/dup.json: rule DUP: id: is used by rules[0] and again by rules[1], rules[2], rules[3], rules[4] and 995 other rules; ids must be unique
$WORK/dup.json: 1 error; the rules were not accepted" ]
	rt_500mb rules check "$WORK/dup.json"
	[ "$status" = 65 ] || [ "$status" = skipped ]
}

@test "rules check: each repeated id is reported once, in the order of first use" {
	make_rules 6 'R-I' 1 | sed 's/"R-[345]"/"R-1"/; s/"R-2"/"R-0"/' >"$WORK/dup.json"
	rt rules check "$WORK/dup.json"
	expect_status 65
	[ "$err" = "$WORK/dup.json: rule R-0: id: is used by rules[0] and again by rules[2]; ids must be unique
$WORK/dup.json: rule R-1: id: is used by rules[1] and again by rules[3], rules[4], rules[5]; ids must be unique
$WORK/dup.json: 2 errors; the rules were not accepted" ]
}

@test "rules check: more than 1,000 rules is one error before any rule is read" {
	make_rules 10000 DUP 1 >"$WORK/many.json"
	rt rules check "$WORK/many.json"
	expect_status 65
	[ "$err" = "$WORK/many.json: top level: rules: has 10000 rules; at most 1000 are allowed
$WORK/many.json: 1 error; the rules were not accepted" ]
	rt_500mb rules check "$WORK/many.json"
	[ "$status" = 65 ] || [ "$status" = skipped ]
	make_rules 1001 'R-I' 1 >"$WORK/many.json"
	rt rules check "$WORK/many.json"
	expect_status 65
	expect_err1 "$WORK/many.json: top level: rules: has 1001 rules; at most 1000 are allowed"
	make_rules 1000 'R-I' 1 >"$WORK/many.json"
	rt rules check "$WORK/many.json"
	expect_status 0
}

@test "rules check: the first 100 errors are printed, then 'and N more'" {
	make_rules 150 'R-I' 5000 >"$WORK/bad.json"
	rt rules check "$WORK/bad.json"
	expect_status 65
	[ "$(echo "$err" | wc -l)" -eq 102 ]
	[ "$(echo "$err" | sed -n 100p)" = "$WORK/bad.json: rule R-99: points: must be a whole number from -1000 to 1000" ]
	[ "$(echo "$err" | sed -n 101p)" = "$WORK/bad.json: and 50 more errors" ]
	[ "$(echo "$err" | sed -n 102p)" = "$WORK/bad.json: 150 errors; the rules were not accepted" ]
}

@test "rules check: a file over 1 MiB is refused unread" {
	make_rules 1000 'R-I' 1 >"$WORK/big.json"
	head -c 1048576 /dev/zero | tr '\0' ' ' >>"$WORK/big.json"
	rt rules check "$WORK/big.json"
	expect_status 65
	expect_err1 "reftriage: $WORK/big.json: larger than 1048576 bytes: not a rules file"
}

@test "rules check names the ageing rules (they order a band, never choose it), in its one line" {
	rt rules check "$TOP/rules/default.json"
	expect_status 0
	[ "$(echo "$err" | wc -l)" = 1 ]
	[[ "$err1" == *"; ageing rules (order packages within a band, never change it): WAITING-14-DAYS, WAITING-30-DAYS" ]]
	make_rules 1 'R-I' 1 >"$WORK/one.json"
	rt rules check "$WORK/one.json"
	expect_status 0
	[ "$(echo "$err" | wc -l)" = 1 ]
	[[ "$err1" == "reftriage: rules check: $WORK/one.json: ok: "*"; no ageing rules" ]]
}

# One package per line: the base fields and then $2 (JSON members, or nothing).
pkg() {
	printf '{"package_ref": "%s", "received_at": "2026-11-02T08:00:00Z", "source": "CEOP", "referral_type": "%s"%s}\n' "$1" "${3:-possession}" "${2:+, $2}"
}

# "REF,PRIORITY,SCORE" for every open package, by ref.
priorities() { "$RT" worklist --format csv 2>/dev/null | tail -n +2 | cut -d, -f2-4 | LC_ALL=C sort; }

@test "the default policy keeps the commitments of rules.md" {
	init_store
	{
		pkg SELF-HARM '"child_self_harm_risk": true'
		pkg MEET-6-DAYS '"meeting_proposed": true, "meeting_date": "2026-11-09"'
		pkg MEET-9-DAYS '"meeting_proposed": true, "meeting_date": "2026-11-12"'
		pkg PRIOR-CONTACT '"subject_prior_contact_offence": true'
		pkg ACCESS-ALONE '"subject_access_to_children": true'
		pkg ACCESS-REQUESTS '"subject_access_to_children": true, "image_requests": true'
		pkg SEXTORTION '' sextortion
		pkg NOTHING ''
	} >"$WORK/p.ndjson"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/p.ndjson" 2>/dev/null
	[ "$(priorities)" = "ACCESS-ALONE,P3,30
ACCESS-REQUESTS,P2,55
MEET-6-DAYS,P1,130
MEET-9-DAYS,P3,30
NOTHING,P4,0
PRIOR-CONTACT,P2,40
SELF-HARM,P1,100
SEXTORTION,P2,0" ]
}

@test "the default policy: LINKED and LINKED-MANY; waiting orders within a band; peers' imagery lowered" {
	init_store
	{
		pkg LINK-1 '"subject_ref": "SUBJ-A"'
		pkg LINK-2 '"subject_ref": "SUBJ-A"'
		pkg LINK-3 '"subject_ref": "SUBJ-A"'
		pkg LINK-4 '"subject_ref": "SUBJ-A"'
		pkg LINK-PAIR '"subject_ref": "SUBJ-B", "distribution": true'
		pkg LINK-PAIR-2 '"subject_ref": "SUBJ-B"'
		pkg PEERS '"self_generated": true, "subject_age": 15, "coercion_or_threats": false, "image_requests": true' sexual_communication
		pkg PEERS-COERCED '"self_generated": true, "subject_age": 15, "coercion_or_threats": true, "image_requests": true' sexual_communication
	} >"$WORK/p.ndjson"
	# 31 days after receipt both waiting rules fire (+30) and order, but no package
	# changes band: LINK-PAIR-2 (15 + 30) stays P4 and PEERS-COERCED (70 + 30) P2.
	"$RT" import --as-of 2026-12-03T09:00:00Z "$WORK/p.ndjson" 2>/dev/null
	[ "$(priorities)" = "LINK-1,P3,55
LINK-2,P3,55
LINK-3,P3,55
LINK-4,P3,55
LINK-PAIR,P3,55
LINK-PAIR-2,P4,45
PEERS,P4,40
PEERS-COERCED,P2,100" ]
	"$RT" show PEERS --format json 2>/dev/null | grep -q '"rule":"SELF-GENERATED-PEERS","category":"other","points":-20'
	! "$RT" show PEERS-COERCED --format json 2>/dev/null | grep -q SELF-GENERATED-PEERS
	python3 - "$TOP/rules/default.json" <<'PY'
import json, sys
rules = {r["id"]: r for r in json.load(open(sys.argv[1]))["rules"]}
assert rules["LINKED"]["when"] == "linked_packages >= 1", rules["LINKED"]
assert rules["LINKED-MANY"]["when"].startswith("linked_packages >= "), rules["LINKED-MANY"]
waiting = [r for r in rules.values() if "days_waiting" in r["when"]]
assert waiting and all(r["category"] == "ageing" for r in waiting), waiting
PY
}

# A rescore keeps a score row whose package, links and rules are unchanged and
# whose valid_until is later than the new as_of, unread (schema 12). Scoring
# day after day that way must leave exactly the rows of scoring every package
# at the last as_of from nothing.
scores_of() {
	sqlite3 "$1" "SELECT p.ref, s.version, s.score, s.band, s.priority, s.due_at, s.overdue, \
		s.linked, s.ip_linked, s.fired, s.received_at, s.valid_until FROM scores s JOIN packages p \
		ON p.id = s.package_id WHERE p.status IN ('new', 'assigned', 'in_progress', 'reopened') \
		ORDER BY p.ref"
}

@test "a rescore that keeps still-valid scores leaves the rows scoring everything would" {
	python3 "$TOP/src/tools/gen-packages.py" bulk 2000 11 csv "$WORK/first.csv"
	# The same refs as the first thousand: new versions, new links.
	python3 "$TOP/src/tools/gen-packages.py" bulk 1000 12 csv "$WORK/later.csv"
	# Day by day, with the second file in the middle.
	"$RT" init 2>/dev/null
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/first.csv" 2>/dev/null
	for t in 2026-11-04T08:00:00Z 2026-11-05T00:00:00Z 2026-11-05T23:59:59.999999Z \
		2026-11-06T00:00:00Z 2026-11-12T13:00:00Z; do
		"$RT" score --as-of "$t" 2>/dev/null
	done
	"$RT" import --as-of 2026-11-20T08:00:00Z "$WORK/later.csv" 2>/dev/null
	for t in 2026-11-21T08:00:00Z 2026-12-02T00:00:00Z 2027-01-15T08:00:00Z; do
		"$RT" score --as-of "$t" 2>/dev/null
	done
	# The same packages scored once, at the last as_of, from nothing.
	REFTRIAGE_DB="$WORK/fresh.db" "$RT" init 2>/dev/null
	REFTRIAGE_DB="$WORK/fresh.db" "$RT" import --as-of 2027-01-15T08:00:00Z \
		"$WORK/first.csv" "$WORK/later.csv" 2>/dev/null
	scores_of "$WORK/store.db" >"$WORK/kept"
	scores_of "$WORK/fresh.db" >"$WORK/fresh"
	[ "$(wc -l <"$WORK/fresh")" -eq 2000 ]
	diff "$WORK/kept" "$WORK/fresh"
	# Some rows were kept across days, and some changed: the test is not empty.
	[ "$(sqlite3 "$WORK/store.db" "SELECT count(*) FROM scores WHERE valid_until > \
		(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'scored_as_of')")" -gt 0 ]
}
