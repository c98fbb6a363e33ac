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
assert d["due_changes"] == {"earlier": 0, "later": 0, "become_overdue": 0, "stop_overdue": 0}
assert d["policy_changes"] == []
'
	rt rules diff --as-of 2026-11-03T08:00:00Z "$TOP/rules/default.json"
	expect_status 0
	expect_out_has "0 change priority, 0 change score, 0 change rank."
	expect_out_has "due earlier for 0, later for 0; 0 become overdue now, 0 stop being overdue."
	expect_out_has "policy changes: none (the same bands and rules)"
	expect_out_has "no package changes priority."
	expect_out_has "no package becomes or stops being overdue."
	# The same file: no warning about its name and version.
	[ -z "$err" ]
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
# Received 09:00 and 10:00 on 2 Nov; P1 gives 24 h, P2 72 h, P3 336 h.
assert d["changes"] == [
    {"package_ref": "SYN-WI-A", "from_priority": "P2", "to_priority": "P1", "from_score": 90,
     "to_score": 120, "from_rank": 1, "to_rank": 1, "rules_added": [], "rules_removed": [],
     "from_due_at": "2026-11-05T09:00:00Z", "to_due_at": "2026-11-03T09:00:00Z",
     "from_overdue": False, "to_overdue": False},
    {"package_ref": "SYN-WI-B", "from_priority": "P3", "to_priority": "P2", "from_score": 0,
     "to_score": 50, "from_rank": 3, "to_rank": 3, "rules_added": ["CAT-A"], "rules_removed": [],
     "from_due_at": "2026-11-16T10:00:00Z", "to_due_at": "2026-11-05T10:00:00Z",
     "from_overdue": False, "to_overdue": False},
], d["changes"]
assert d["due_changes"] == {"earlier": 2, "later": 0, "become_overdue": 0, "stop_overdue": 0}
# The policies themselves: GROOMING 30 -> 60 points, CAT-A new; each as its rules file has it.
rule = lambda i, c, desc, w, pts: {"id": i, "category": c, "description": desc, "when": w,
                                   "points": pts, "floor": None}
assert d["policy_changes"] == [
    {"kind": "rule", "id": "GROOMING", "change": "changed",
     "from": rule("GROOMING", "grooming_risk", "Sexual communication", "sexual_communication", 30),
     "to": rule("GROOMING", "grooming_risk", "Sexual communication", "sexual_communication", 60)},
    {"kind": "rule", "id": "CAT-A", "change": "added", "from": None,
     "to": rule("CAT-A", "material", "Category A images", "images_cat_a >= 1", 50)},
], d["policy_changes"]
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
assert d["due_changes"] == {"earlier": 0, "later": 2, "become_overdue": 0, "stop_overdue": 0}
p = {x["id"]: (x["change"], x["from"] and x["from"]["points"], x["to"] and x["to"]["points"]) for x in d["policy_changes"]}
assert p == {"GROOMING": ("changed", 60, 30), "CAT-A": ("removed", 50, None)}, p
'
	rt rules diff --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	expect_out_has "2 change priority, 2 change score, 0 change rank."
	expect_out_has "due earlier for 2, later for 0; 0 become overdue now, 0 stop being overdue."
	expect_out_has $'policy changes (2)\n  rule GROOMING changed: points 30 -> 60, floor none\n  rule CAT-A added: points 50, floor none\n'
	expect_out_has "  P2              1       1       0       2"
	# Each mover says why: SYN-WI-A fires the same rules, but GROOMING counts double.
	expect_out_has "SYN-WI-A                  P2   -> P1    score 90 -> 120  rank 1 -> 1  GROOMING points 30 -> 60; band P2 -> band P1"
	expect_out_has "SYN-WI-B                  P3   -> P2    score 0 -> 50  rank 3 -> 3  +CAT-A; band P3 -> band P2"
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
	# The summary lines rules diff starts with.
	expect_err_has $'2 change priority, 2 change score, 0 change rank.\ndue earlier for 2, later for 0; 0 become overdue now, 0 stop being overdue.\n'
	expect_err_has "  rule GROOMING changed: points 30 -> 60, floor none"
	expect_err_has "dry run: nothing installed"
	[ "$(sha256sum "$REFTRIAGE_DB" | cut -d' ' -f1)" = "$before" ]
	[ ! -e "$REFTRIAGE_DB-wal" ] || [ ! -s "$REFTRIAGE_DB-wal" ]
	[ "$(sql "SELECT count(*) FROM audit")" = "$entries" ]
	rt rules show
	expect_out_has "What-if test, old 1"
	# Without --dry-run: one line, saying how many moved (the matrix is --verbose's).
	rt rules install --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	[ "$(echo "$err" | wc -l)" = 1 ]
	expect_err1 "reftriage: rules install: installed What-if test, new 2 (hash $(b2sum -l 256 "$WI/new.json" | cut -d' ' -f1)) from $WI/new.json; rescored 4 open packages as of 2026-11-03 00:00 UTC, 2 changed priority"
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

@test "the diff's scores, priorities, ranks and due times are those score and install store" {
	init_store
	"$RT" import --as-of 2026-11-10T09:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" worklist --now 2026-11-10T09:00:00Z --format json >"$WORK/before.json" 2>/dev/null
	rt rules diff --as-of 2026-11-10T09:00:00Z --format json "$TOP/tests/data/rules/test-policy.json"
	expect_status 0
	echo "$output" >"$WORK/diff.json"
	"$RT" rules install --as-of 2026-11-10T09:00:00Z "$TOP/tests/data/rules/test-policy.json" 2>/dev/null
	"$RT" worklist --now 2026-11-10T09:00:00Z --format json >"$WORK/after.json" 2>/dev/null
	python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
load = lambda n: json.load(open(f"{w}/{n}.json"))
row = lambda it: (it["priority"], it["score"], it["rank"], it["due_at"], it["overdue"])
before = {it["package_ref"]: row(it) for it in load("before")["items"]}
after = {it["package_ref"]: row(it) for it in load("after")["items"]}
d = load("diff")
assert d["open_packages"] == len(before) == len(after) == 60
changes = {c["package_ref"]: c for c in d["changes"]}
assert len(changes) > 20
for ref in before:
    if ref in changes:
        c = changes[ref]
        assert before[ref] == (c["from_priority"], c["from_score"], c["from_rank"], c["from_due_at"], c["from_overdue"]), (ref, before[ref], c)
        assert after[ref] == (c["to_priority"], c["to_score"], c["to_rank"], c["to_due_at"], c["to_overdue"]), (ref, after[ref], c)
    else:
        assert before[ref] == after[ref], ref
due = lambda f: sum(f(before[r][3], after[r][3]) for r in before)
over = lambda a, b: sum(before[r][4] == a and after[r][4] == b for r in before)
assert d["due_changes"] == {"earlier": due(lambda a, b: b < a), "later": due(lambda a, b: b > a),
                            "become_overdue": over(False, True), "stop_overdue": over(True, False)}, d["due_changes"]
assert d["due_changes"]["become_overdue"] + d["due_changes"]["stop_overdue"] > 0, d["due_changes"]
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

# The default policy with P2's response time cut from 168 to 72 hours and its
# name and version kept, as in issue 25: into $1.
p2_in_72_hours() {
	python3 - "$TOP/rules/default.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["bands"][1]["priority"] == "P2" and d["bands"][1]["respond_within_hours"] == 168
d["bands"][1]["respond_within_hours"] = 72
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
}

@test "a change that moves only due times: counted, listed with both due times, judged at --as-of" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	p2_in_72_hours "$WORK/p2.json"
	# The six P2 packages were received on 2 Nov: due on 9 Nov under 168 h, 5 Nov under 72 h.
	"$RT" worklist --format json --now 2026-11-06T12:00:00Z >"$WORK/before.json" 2>/dev/null
	rt rules diff --as-of 2026-11-06T12:00:00Z --format json "$WORK/p2.json"
	expect_status 0
	echo "$output" >"$WORK/diff.json"
	python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
d = json.load(open(f"{w}/diff.json"))
before = {it["package_ref"]: it for it in json.load(open(f"{w}/before.json"))["items"]}
p2 = sorted(r for r, it in before.items() if it["priority"] == "P2")
assert len(p2) == 6, p2
# Nothing changes priority, score or rank, yet every P2 package is listed: its due time moves.
assert sorted(c["package_ref"] for c in d["changes"]) == p2, d["changes"]
for c in d["changes"]:
    b = before[c["package_ref"]]
    assert (c["from_priority"], c["from_score"], c["from_rank"]) == (c["to_priority"], c["to_score"], c["to_rank"]) == (b["priority"], b["score"], b["rank"]), c
    assert c["from_due_at"] == b["due_at"] and c["from_overdue"] is False, (c, b)
    assert c["to_due_at"].startswith("2026-11-05T") and c["to_due_at"][10:] == b["due_at"][10:], c
    assert c["to_overdue"] is True and c["rules_added"] == c["rules_removed"] == [], c
assert d["due_changes"] == {"earlier": 6, "later": 0, "become_overdue": 6, "stop_overdue": 0}, d["due_changes"]
band = lambda h: {"priority": "P2", "label": "High: within a week", "min_score": 60, "respond_within_hours": h}
assert d["policy_changes"] == [{"kind": "band", "id": "P2", "change": "changed", "from": band(168), "to": band(72)}], d["policy_changes"]
PY
	rt rules diff --as-of 2026-11-06T12:00:00Z "$WORK/p2.json"
	expect_status 0
	expect_out_has $'0 change priority, 0 change score, 0 change rank.\ndue earlier for 6, later for 0; 6 become overdue now, 0 stop being overdue.\n'
	expect_out_has $'policy changes (1)\n  band P2 changed: min_score 60, respond_within_hours 168 -> 72\n'
	expect_out_has "6 become overdue now, 0 stop being overdue (6 of 6 listed)"
	expect_out_has "  SYN-20261102-0010         P2   -> P2    due 2026-11-09 06:10 UTC -> 2026-11-05 06:10 UTC  overdue now"
	# Overdue is judged at --as-of: on 4 Nov none is overdue under either policy.
	rt rules diff --as-of 2026-11-04T12:00:00Z "$WORK/p2.json"
	expect_status 0
	expect_out_has "due earlier for 6, later for 0; 0 become overdue now, 0 stop being overdue."
	expect_out_has "no package becomes or stops being overdue."
	# And back: later for six, six stop being overdue.
	"$RT" rules install --as-of 2026-11-06T12:00:00Z "$WORK/p2.json" 2>/dev/null
	rt rules diff --as-of 2026-11-06T12:00:00Z "$TOP/rules/default.json"
	expect_out_has "due earlier for 0, later for 6; 0 become overdue now, 6 stop being overdue."
	expect_out_has "  SYN-20261102-0010         P2   -> P2    due 2026-11-05 06:10 UTC -> 2026-11-09 06:10 UTC  no longer overdue"
}

@test "rules install --dry-run prints the due times and policy changes; the install does what they said" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	p2_in_72_hours "$WORK/p2.json"
	rt rules install --dry-run --as-of 2026-11-06T12:00:00Z "$WORK/p2.json"
	expect_status 0
	expect_err_has $'0 change priority, 0 change score, 0 change rank.\ndue earlier for 6, later for 0; 6 become overdue now, 0 stop being overdue.\n'
	expect_err_has "  band P2 changed: min_score 60, respond_within_hours 168 -> 72"
	expect_err_has "dry run: nothing installed"
	overdue() { "$RT" worklist --format json --now 2026-11-06T12:00:00Z 2>/dev/null | python3 -c 'import json,sys; print(sum(it["overdue"] for it in json.load(sys.stdin)["items"]))'; }
	before=$(overdue)
	rt rules install --verbose --as-of 2026-11-06T12:00:00Z "$WORK/p2.json"
	expect_status 0
	expect_err_has "due earlier for 6, later for 0; 6 become overdue now, 0 stop being overdue."
	[ "$(overdue)" -eq $((before + 6)) ]
}

@test "a mover moved by a floor says so: its reason is never empty" {
	whatif_store
	# The old rules, HOUSEHOLD now floors P1: SYN-WI-A (90) and SYN-WI-C (60) go P2 -> P1
	# with the same rules firing and the same scores.
	python3 - "$WI/old.json" "$WORK/floor.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["version"] = "3"
d["rules"][0]["floor"] = "P1"
json.dump(d, open(sys.argv[2], "w"), indent=1)
PY
	rt rules diff --as-of 2026-11-03T00:00:00Z "$WORK/floor.json"
	expect_status 0
	expect_out_has "  rule HOUSEHOLD changed: points 60, floor none -> P1"
	expect_out_has "SYN-WI-A                  P2   -> P1    score 90 -> 90  rank 1 -> 1  HOUSEHOLD floor none -> P1; band P2 -> floor P1 of HOUSEHOLD"
	expect_out_has "SYN-WI-C                  P2   -> P1    score 60 -> 60  rank 2 -> 2  HOUSEHOLD floor none -> P1; band P2 -> floor P1 of HOUSEHOLD"
	rt rules diff --as-of 2026-11-03T00:00:00Z --format html "$WORK/floor.json"
	expect_status 0
	expect_out_has "<td>HOUSEHOLD floor none &rarr; P1; band P2 &rarr; floor P1 of HOUSEHOLD</td>"
	rt rules diff --as-of 2026-11-03T00:00:00Z --format json "$WORK/floor.json"
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
c = {x["package_ref"]: x for x in d["changes"]}
assert sorted(c) == ["SYN-WI-A", "SYN-WI-C"], c
assert c["SYN-WI-A"]["rules_added"] == c["SYN-WI-A"]["rules_removed"] == []
[p] = d["policy_changes"]
assert (p["kind"], p["id"], p["change"], p["from"]["floor"], p["to"]["floor"]) == ("rule", "HOUSEHOLD", "changed", None, "P1"), p
'
	# The other way: the floor goes, the band decides.
	rt rules diff --as-of 2026-11-03T00:00:00Z --against "$WORK/floor.json" "$WI/old.json"
	expect_out_has "SYN-WI-A                  P1   -> P2    score 90 -> 90  rank 1 -> 1  HOUSEHOLD floor P1 -> none; floor P1 of HOUSEHOLD -> band P2"
}

@test "the same name and version with other bytes: a warning on stderr, in every format, and on the page" {
	whatif_store
	sed 's/"points": 30/"points": 35/' "$WI/old.json" >"$WORK/edited.json"
	want="reftriage: rules diff: warning: $WORK/edited.json: the same name and version as the active rules (What-if test, old 1) but another hash"
	rt rules diff --as-of 2026-11-03T00:00:00Z --format json "$WORK/edited.json"
	expect_status 0
	expect_err_has "$want"
	echo "$output" | python3 -c 'import json, sys; json.load(sys.stdin)'
	rt rules diff --as-of 2026-11-03T00:00:00Z "$WORK/edited.json"
	expect_status 0
	expect_err_has "$want"
	expect_out_has "  rule GROOMING changed: points 30 -> 35, floor none"
	rt rules diff --as-of 2026-11-03T00:00:00Z --format html "$WORK/edited.json"
	expect_err_has "$want"
	expect_out_has "Warning: the new file has the name and version of the current rules (What-if test, old 1) but other contents"
	# Compared with another file: that file is named.
	rt rules diff --as-of 2026-11-03T00:00:00Z --against "$WI/old.json" "$WORK/edited.json"
	expect_err_has "warning: $WORK/edited.json: the same name and version as $WI/old.json (What-if test, old 1)"
	# install warns too (also with --quiet), and installs.
	rt rules install --dry-run --as-of 2026-11-03T00:00:00Z "$WORK/edited.json"
	expect_status 0
	expect_err_has "reftriage: rules install: warning: $WORK/edited.json: the same name and version as the active rules (What-if test, old 1) but another hash"
	rt --quiet rules install --as-of 2026-11-03T00:00:00Z "$WORK/edited.json"
	expect_status 0
	expect_err_has "warning: $WORK/edited.json: the same name and version"
	# Another version, or the very same file: no warning.
	rt rules diff "$WI/new.json"
	[[ "$err" != *warning* ]]
	rt rules diff "$WORK/edited.json"
	[ -z "$err" ]
}
