#!/usr/bin/env bats
# rules backtest: the rules measured against recorded outcomes, every package
# scored as on the day it arrived (docs/outcomes.md).

load helper

# The fixture (tests/data/backtest), worked out by hand with rules.json:
#
#   bands P1 >= 100, P2 >= 50, P3 >= 20, P4 the rest
#   rules CAT-A (images_cat_a >= 1) 60, GROOMING (sexual_communication) 30,
#         LINKED (linked_packages >= 1) 25, LINKED-TWO (>= 2) 5,
#         NEVER (child_self_harm_risk) 500: no package has it, so it never fires
#
#   package  fires                score prio  outcomes                       label
#   BT-01    CAT-A GROOMING        90   P2    arrest                         +
#   BT-02    CAT-A                 60   P2    charged, nfa_no_offence        + (any positive wins)
#   BT-03    CAT-A                 60   P2    nfa_insufficient_evidence      -  (tied with BT-02)
#   BT-10    GROOMING LINKED       55   P2    arrest                         +
#   BT-04    GROOMING              30   P3    safeguarded (2)                +
#   BT-05    GROOMING              30   P3    nfa_public_interest            -  (tied with BT-04)
#   BT-06    -                      0   P4    nfa_no_offence                 -
#   BT-07    -                      0   P4    iioc_found                     +  (tied with 06, 08, 09)
#   BT-08    -                      0   P4    nfa_no_offence                 -
#   BT-09    -                      0   P4    nfa_no_offence                 -
#   BT-11    CAT-A                           duplicate                      excluded
#   BT-12    (no outcome: not labelled)
#
# Links as at receipt: BT-09, BT-10 and BT-12 share a subject. BT-09 had no
# earlier partner when it arrived (LINKED does not fire, though it has two
# links now); BT-10 had one (BT-09), never two (BT-12 came later), so
# LINKED-TWO never fires either.
#
# AUC: for each positive, the negatives ranked below it plus half of those tied,
# out of 5: BT-01 5, BT-02 4 + 0.5, BT-10 4, BT-04 3 + 0.5, BT-07 0 + 1.5
# = 18.5 / 25 = 0.74.
# DeLong: V10 = 1.0 .9 .8 .7 .3, S10 = .292 / 4 = .073; V01 (negatives: positives
# above plus half tied, out of 5) = .3 (BT-03) .7 (BT-05) .9 .9 .9, S01 = .272 / 4
# = .068; var = .073 / 5 + .068 / 5 = .0282, se = .167929; 0.74 -/+ 1.959964 se
# = [0.410866, 1.069] -> [0.410866, 1] (clipped).
# Top (default the second band, P2): positives 3 of 5 = 0.6, negatives 1 of 5 = 0.2;
# with --top P3: 4 of 5 = 0.8 and 2 of 5 = 0.4.
# Lift, base rate 5 / 10 = 0.5: CAT-A 2 of 3 -> 4 / 3; GROOMING 3 of 4 -> 1.5;
# LINKED 1 of 1 -> 2; LINKED-TWO and NEVER never fire -> null.

fixture() {
	bt_packages
	"$RT" outcome import "$BT/outcomes.csv" 2>/dev/null
}

# Print the JSON's figures on one line each.
figures() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for k in ("packages", "positives", "negatives", "excluded", "auc", "auc_ci95", "top", "recall_top", "negatives_in_top"):
    print(k, json.dumps(d[k]))
for b in d["bands"]:
    print("band", b["priority"], b["packages"], b["positives"], b["negatives"])
for r in d["rules"]:
    print("rule", r["rule"], r["fired"], r["positives_fired"], json.dumps(r["lift"]))
'
}

@test "the hand-computed fixture: AUC, its interval, top-band shares, bands and lift" {
	fixture
	rt rules backtest "$BT/rules.json" --format json
	expect_status 0
	diff <(echo "$output" | figures) - <<-'END'
	packages 10
	positives 5
	negatives 5
	excluded 1
	auc 0.74
	auc_ci95 [0.4108660777987563, 1]
	top "P2"
	recall_top 0.6
	negatives_in_top 0.2
	band P1 0 0 0
	band P2 4 3 1
	band P3 2 1 1
	band P4 4 1 3
	rule CAT-A 3 2 1.3333333333333333
	rule GROOMING 4 3 1.5
	rule LINKED 1 1 2
	rule LINKED-TWO 0 0 null
	rule NEVER 0 0 null
	END
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["rules_name"], d["auc_ci95_method"], d["note"])')" = "Backtest fixture (hand-computed in t0650; not for use) DeLong None" ]
	# Every figure to the last bit (shortest text that reads back as the double,
	# not 6 digits): a script recomputing a figure gets the same number.
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
lift = {r["rule"]: r["lift"] for r in d["rules"]}
assert lift["CAT-A"] == (2 / 3) / (5 / 10) == 4 / 3, lift
assert d["auc_ci95"][0] != 0.410866 and abs(d["auc_ci95"][0] - 0.410866) < 1e-6, d["auc_ci95"]
'
	rt rules backtest "$BT/rules.json" --format json --top p3
	expect_status 0
	[ "$(echo "$output" | figures | grep -E '^(top|recall_top|negatives_in_top) ')" = $'top "P3"\nrecall_top 0.8\nnegatives_in_top 0.4' ]
}

@test "the active rules by default; the text report; nothing is stored" {
	fixture
	"$RT" rules install "$BT/rules.json" 2>/dev/null
	before=$(sql "SELECT count(*) FROM scores")
	rt rules backtest
	expect_status 0
	expect_out_has "labelled   10 packages: 5 positive, 5 negative; 1 excluded"
	expect_out_has "AUC        0.740  (95 % interval 0.411 to 1.000, DeLong)"
	expect_out_has "top bands  P1 to P2: 0.600 of positives (recall), 0.200 of negatives"
	expect_out_has "  P4         4          1          3  0.250"
	expect_out_has "NEVER                              0         0      -"
	[ "$(sql "SELECT count(*) FROM scores")" = "$before" ]
	rt rules backtest --top P9
	expect_status 64
	expect_err1 "reftriage: rules backtest: --top 'P9' is not one of P1, P2, P3 or P4; did you mean 'P1'? (see 'reftriage rules backtest --help')"
}

@test "no labelled package: empty figures, a note, exit 0" {
	bt_packages
	"$RT" outcome BT-11 duplicate --date 2026-11-12 2>/dev/null
	rt rules backtest "$BT/rules.json" --format json
	expect_status 0
	expect_err1 "reftriage: rules backtest: no package has a positive or negative outcome yet: record outcomes with 'reftriage outcome' (docs/outcomes.md)"
	[ "$(echo "$output" | figures | head -9 | tr '\n' ' ')" = 'packages 0 positives 0 negatives 0 excluded 1 auc null auc_ci95 null top "P2" recall_top null negatives_in_top null ' ]
	rt rules backtest "$BT/rules.json"
	expect_status 0
	expect_out_has "note       no package has a positive or negative outcome yet"
}

@test "too few for an interval: the AUC stands, the interval is null and a note says why" {
	fixture
	sql "DELETE FROM outcomes WHERE package_id IN (SELECT id FROM packages WHERE ref IN ('BT-01', 'BT-02', 'BT-04', 'BT-10'))"
	rt rules backtest "$BT/rules.json" --format json
	expect_status 0
	# One positive left (BT-07, tied with three of the five negatives, below the rest): 1.5 / 5.
	[ "$(echo "$output" | figures | sed -n '5,6p' | tr '\n' ' ')" = 'auc 0.3 auc_ci95 null ' ]
	expect_err1 "reftriage: rules backtest: the AUC's interval needs at least two positives and two negatives"
}

@test "the html page is self-contained: inline SVG, no script, nothing fetched" {
	fixture
	rt rules backtest "$BT/rules.json" --format html --output "$WORK/bt.html"
	expect_status 0
	[ -z "$output" ]
	! grep -qi '<script' "$WORK/bt.html"
	! grep -Eqi 'src=|href=|url\(|@import|https?:' "$WORK/bt.html"
	grep -q "Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"" "$WORK/bt.html"
	[ "$(grep -c '<svg ' "$WORK/bt.html")" = 2 ]
	# The ROC curve: one point per tie group, (negatives, positives) ranked at or above it.
	grep -q '<polyline fill=none stroke=#036 stroke-width=2 points="0.0,200.0 0.0,160.0 40.0,120.0 40.0,80.0 80.0,40.0 200.0,0.0"' "$WORK/bt.html"
	grep -q 'AUC <b>0.740</b> (95% interval 0.411 to 1.000, DeLong)' "$WORK/bt.html"
	grep -q '<tr><td>NEVER</td><td class=n>0</td><td class=n>0</td><td class=n>&ndash;</td></tr>' "$WORK/bt.html"
}

@test "a hostile rules name cannot run script in the html (rule ids cannot hold markup)" {
	fixture
	sed -e 's/"Backtest fixture[^"]*"/"<script>alert(1)<\/script>"/' "$BT/rules.json" >evil.json
	rt rules backtest evil.json --format html
	expect_status 0
	! echo "$output" | grep -qi '<script'
	echo "$output" | grep -q '<h1>Backtest of rules <b>&lt;script&gt;alert(1)&lt;/script&gt; bt-1</b></h1>'
}

@test "links as at receipt agree with a brute-force count over 3000 generated packages" {
	init_store
	python3 "$TOP/src/tools/gen-packages.py" bulk 3000 7 csv p.csv
	python3 "$TOP/src/tools/gen-outcomes.py" p.csv 7 o.csv 0.2
	"$RT" import p.csv 2>/dev/null
	REFTRIAGE_NOW=2099-01-01T00:00:00Z "$RT_CLOCK" outcome import o.csv 2>/dev/null
	cat >links.json <<-'JSON'
	{"name": "links", "version": "1",
	 "bands": [{"priority": "P1", "label": "a", "min_score": 10, "respond_within_hours": 24},
	           {"priority": "P2", "label": "b", "min_score": null, "respond_within_hours": 72}],
	 "rules": [
	  {"id": "L1", "category": "subject_history", "description": "x", "when": "linked_packages >= 1", "points": 1},
	  {"id": "L2", "category": "subject_history", "description": "x", "when": "linked_packages >= 2", "points": 1},
	  {"id": "L3", "category": "subject_history", "description": "x", "when": "linked_packages >= 3", "points": 1},
	  {"id": "I1", "category": "subject_history", "description": "x", "when": "ip_linked_packages >= 1", "points": 1}]}
	JSON
	rt rules backtest links.json --format json
	expect_status 0
	got=$(echo "$output" | python3 -c 'import json,sys; print("|".join(str(r["fired"]) for r in json.load(sys.stdin)["rules"]))')
	# For each labelled package: the other packages sharing a key with it, received at or before it.
	want=$(sql "
	WITH lab AS (SELECT DISTINCT package_id AS id FROM outcomes GROUP BY package_id
	             HAVING sum(code NOT IN ('nfa_not_traced', 'duplicate', 'transferred')) > 0),
	c AS (SELECT lab.id,
	  (SELECT count(DISTINCT k2.package_id) FROM package_keys k1 JOIN package_keys k2 ON k2.key = k1.key
	   AND k2.package_id != k1.package_id JOIN packages p2 ON p2.id = k2.package_id
	   WHERE k1.package_id = lab.id AND (k1.key >> 56) <> 4 -- an IP address (links.h: LINK_KIND_IP)
	   AND p2.received_at <= (SELECT received_at FROM packages WHERE id = lab.id)) AS n,
	  (SELECT count(DISTINCT k2.package_id) FROM package_keys k1 JOIN package_keys k2 ON k2.key = k1.key
	   AND k2.package_id != k1.package_id JOIN packages p2 ON p2.id = k2.package_id
	   WHERE k1.package_id = lab.id AND (k1.key >> 56) = 4
	   AND p2.received_at <= (SELECT received_at FROM packages WHERE id = lab.id)) AS ip FROM lab)
	SELECT sum(n >= 1), sum(n >= 2), sum(n >= 3), sum(ip >= 1) FROM c")
	echo "backtest $got, brute force $want"
	[ "$got" = "$want" ]
	# And they are not simply today's links, which count later packages too.
	[ "$(sql "SELECT count(*) FROM scores WHERE linked >= 1 AND package_id IN (SELECT package_id FROM outcomes WHERE code NOT IN ('nfa_not_traced', 'duplicate', 'transferred'))")" -gt "${got%%|*}" ]
}
