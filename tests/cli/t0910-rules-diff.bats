#!/usr/bin/env bats
# reftriage rules diff, and rules install's summary and --dry-run.

load helper

WI="$TOP/tests/data/whatif"

# A store with the old what-if rules active and four packages scored with them.
whatif_store() {
	init_store
	"$RT" rules install "$WI/old.json" 2>/dev/null
	"$RT" import --as-of 2026-11-03T00:00:00Z "$WI/packages.ndjson" 2>/dev/null
}

@test "a rule set against itself: the identity matrix and no changes" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	rt rules diff --as-of 2026-11-03T08:00:00Z --format json "$TOP/rules/default.json"
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["from_hash"] == d["to_hash"]
assert d["as_of"] == "2026-11-03T08:00:00Z"
assert d["open_packages"] == 60, d["open_packages"]
bands = ["P1", "P2", "P3", "P4"]
assert list(d["matrix"]) == bands and all(list(d["matrix"][b]) == bands for b in bands)
assert all(d["matrix"][a][b] == 0 for a in bands for b in bands if a != b), d["matrix"]
assert sum(d["matrix"][b][b] for b in bands) == 60
assert d["changes"] == []
'
	rt rules diff --as-of 2026-11-03T08:00:00Z "$TOP/rules/default.json"
	expect_status 0
	expect_out_has "0 change priority, 0 change score, 0 change rank."
	expect_out_has "no package changes priority."
}

@test "a hand-made diff: two packages move, with their scores, ranks and rules" {
	whatif_store
	rt rules diff --as-of 2026-11-03T00:00:00Z --format json "$WI/new.json"
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["open_packages"] == 4
assert d["matrix"] == {"P1": {"P1": 0, "P2": 0, "P3": 0}, "P2": {"P1": 1, "P2": 1, "P3": 0},
                       "P3": {"P1": 0, "P2": 1, "P3": 1}}, d["matrix"]
assert d["changes"] == [
    {"package_ref": "SYN-WI-A", "from_priority": "P2", "to_priority": "P1", "from_score": 90,
     "to_score": 120, "from_rank": 1, "to_rank": 1, "rules_added": [], "rules_removed": []},
    {"package_ref": "SYN-WI-B", "from_priority": "P3", "to_priority": "P2", "from_score": 0,
     "to_score": 50, "from_rank": 3, "to_rank": 3, "rules_added": ["CAT-A"], "rules_removed": []},
], d["changes"]
'
	# The other way round (--against): the same packages move back, CAT-A removed.
	rt rules diff --as-of 2026-11-03T00:00:00Z --against "$WI/new.json" --format json "$WI/old.json"
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = {x["package_ref"]: x for x in d["changes"]}
assert sorted(c) == ["SYN-WI-A", "SYN-WI-B"], c
assert c["SYN-WI-B"]["rules_removed"] == ["CAT-A"] and c["SYN-WI-B"]["to_priority"] == "P3"
'
	rt rules diff --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	expect_out_has "2 change priority, 2 change score, 0 change rank."
	expect_out_has "  P2              1       1       0       2"
	expect_out_has "SYN-WI-B                  P3   -> P2    score 0 -> 50  rank 3 -> 3  +CAT-A"
	# Nothing was stored: the scores are the old rules'.
	[ "$(sql "SELECT score FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = 'SYN-WI-A'")" = 90 ]
}

@test "rules diff is recorded as a consultation, with both hashes" {
	whatif_store
	rt rules diff --format json "$WI/new.json"
	expect_status 0
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'rules diff'")" = 1 ]
	rt audit log
	expect_out_has "rules diff"
	expect_out_has "consultation"
}

@test "the html diff is self-contained: no script, nothing fetched" {
	whatif_store
	rt rules diff --format html "$WI/new.json"
	expect_status 0
	echo "$output" >"$WORK/diff.html"
	grep -q 'SYN-WI-B' "$WORK/diff.html"
	! grep -qi '<script' "$WORK/diff.html"
	! grep -Eqi 'src=|href=|url\(|@import|https?:' "$WORK/diff.html"
}

@test "rules install prints the movement matrix first; --dry-run changes nothing" {
	whatif_store
	before=$(sha256sum "$REFTRIAGE_DB" | cut -d' ' -f1)
	entries=$(sql "SELECT count(*) FROM audit")
	rt rules install --dry-run --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	expect_err_has "4 open packages by priority, the active rules (rows) to $WI/new.json (columns); 2 would change priority:"
	expect_err_has "  P3              0       1       1       2"
	expect_err_has "dry run: nothing installed"
	[ "$(sha256sum "$REFTRIAGE_DB" | cut -d' ' -f1)" = "$before" ]
	[ ! -e "$REFTRIAGE_DB-wal" ] || [ ! -s "$REFTRIAGE_DB-wal" ]
	[ "$(sql "SELECT count(*) FROM audit")" = "$entries" ]
	rt rules show
	expect_out_has "What-if test, old 1"
	# Without --dry-run: the same summary, then the switch.
	rt rules install --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	expect_err_has "2 would change priority:"
	expect_err_has "installed What-if test, new 2"
	[ "$(sql "SELECT score FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = 'SYN-WI-A'")" = 120 ]
}

@test "rules diff: a missing or invalid file, and a bad format" {
	whatif_store
	rt rules diff "$WORK/none.json"
	expect_status 66
	rt rules diff --against "$WORK/none.json" "$WI/new.json"
	expect_status 66
	printf '{"name": "x"}' >"$WORK/bad.json"
	rt rules diff "$WORK/bad.json"
	expect_status 65
	rt rules diff --format jsn "$WI/new.json"
	expect_status 64
	expect_err_has "did you mean"
	rt rules diff
	expect_status 64
}

@test "the diff's scores, priorities and ranks are those score and install store" {
	init_store
	"$RT" import --as-of 2026-11-10T09:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" worklist --format json >"$WORK/before.json" 2>/dev/null
	rt rules diff --as-of 2026-11-10T09:00:00Z --format json "$TOP/tests/data/rules/test-policy.json"
	expect_status 0
	echo "$output" >"$WORK/diff.json"
	"$RT" rules install --as-of 2026-11-10T09:00:00Z "$TOP/tests/data/rules/test-policy.json" 2>/dev/null
	"$RT" worklist --format json >"$WORK/after.json" 2>/dev/null
	python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
load = lambda n: json.load(open(f"{w}/{n}.json"))
row = lambda it: (it["priority"], it["score"], it["rank"])
before = {it["package_ref"]: row(it) for it in load("before")["items"]}
after = {it["package_ref"]: row(it) for it in load("after")["items"]}
d = load("diff")
assert d["open_packages"] == len(before) == len(after) == 60
changes = {c["package_ref"]: c for c in d["changes"]}
assert len(changes) > 20
for ref in before:
    if ref in changes:
        c = changes[ref]
        assert before[ref] == (c["from_priority"], c["from_score"], c["from_rank"]), (ref, before[ref], c)
        assert after[ref] == (c["to_priority"], c["to_score"], c["to_rank"]), (ref, after[ref], c)
    else:
        assert before[ref] == after[ref], ref
moved = {}
for ref in before:
    moved[(before[ref][0], after[ref][0])] = moved.get((before[ref][0], after[ref][0]), 0) + 1
assert all(d["matrix"][a][b] == moved.get((a, b), 0) for a in d["matrix"] for b in d["matrix"][a]), (d["matrix"], moved)
PY
}

@test "rules install --quiet prints nothing and still installs" {
	whatif_store
	rt --quiet rules install --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	[ -z "$err" ]
	[ "$(sql "SELECT score FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = 'SYN-WI-A'")" = 120 ]
}

@test "with outcomes recorded, the diff shows both rule sets' backtest side by side (text and html)" {
	bt_packages
	# Without outcomes: no such section.
	rt rules diff "$BT/rules.json"
	expect_status 0
	[[ "$output" != *"on the recorded outcomes"* ]]
	"$RT" outcome import "$BT/outcomes.csv" 2>/dev/null
	rt rules diff "$BT/rules.json"
	expect_status 0
	expect_out_has "on the recorded outcomes (rules backtest: each referral scored as on the day it arrived)"
	# The new rules' column is what rules backtest says of them.
	auc=$("$RT" rules backtest "$BT/rules.json" --format json 2>/dev/null | python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["auc"])')
	echo "$output" | grep -E "^  AUC \[95 % interval\] +.* $auc( |$)" >/dev/null || { echo "$output"; echo "want AUC $auc"; false; }
	rt rules diff "$BT/rules.json" --format html
	expect_status 0
	expect_out_has "<h2>On the recorded outcomes</h2>"
	[[ "$output" != *"<script"* ]]
}
