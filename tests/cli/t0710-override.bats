#!/usr/bin/env bats
# reftriage override (casework.md section 1) and the NFA sign-off (section 2):
# the effective priority, due_at under an override, the two-person rule, the
# lapse on new information, every format, the backtest and report figures.

load helper

CSV="$SAMPLES/referrals-2026-11-02.csv"

# The sample day, scored at 08:00 on 3 Nov; the clock at 09:00 from here on.
# Default rules: P1 24 h, P2 168 h, P3 336 h, P4 720 h.
#   SYN-20261102-0057  P3, score 25, received 2 Nov 13:21, due 16 Nov 13:21
#   SYN-20261102-0003  P1, score 260, received 2 Nov 13:39, due 3 Nov 13:39
#   SYN-20261102-0011  P2, received 2 Nov 13:23, meeting proposed for 20 Nov
#   SYN-20261102-0010  P2, received 2 Nov 06:10, due 9 Nov 06:10
load_day() {
	init_store
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" import --as-of 2026-11-03T08:00:00Z "$CSV" 2>/dev/null
	pin_clock 2026-11-03T09:00:00Z
}

# The csv row of ref $1: priority, due_at, then computed_priority and override.
row() {
	"$RT" worklist --format csv 2>/dev/null | tr -d '\r' | awk -F, -v r="$1" '$2 == r'
}
field() { # field NAME REF: one column of the csv worklist, by the header's name
	"$RT" worklist --format csv 2>/dev/null | python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
print([r for r in rows if r["package_ref"] == sys.argv[2]][0][sys.argv[1]])' "$1" "$2"
}

# What a refused override must leave as it was.
store_state() {
	sql "SELECT count(*) FROM package_events; SELECT count(*) FROM overrides; SELECT count(*) FROM priority_history; SELECT count(*) FROM audit; SELECT group_concat(priority || ':' || due_at) FROM scores"
}

@test "raising: the effective priority ranks it, due the earlier of the rules' and now + the band's time" {
	load_day
	rt --operator dc.ahmed override SYN-20261102-0057 P1 --code child-at-risk \
		--note "Social care: child on a plan (SYNTHETIC)"
	expect_status 0
	expect_err1 "reftriage: override: SYN-20261102-0057: P1 by override (child-at-risk); the rules say P3"
	# Ranked in P1 by the rules' order within it: after the six P1s, all with higher scores.
	# Due: the earlier of 16 Nov 13:21 (rules) and 3 Nov 09:00 + 24 h.
	[ "$(row SYN-20261102-0057)" = "7,SYN-20261102-0057,P1,25,2026-11-02T13:21:00Z,2026-11-04T09:00:00Z,false,new,,Eastmoor,distribution,LINKED;DISTRIBUTION,false,P3,up," ]
	# The score and the rules that fired stay as computed.
	[ "$(sql "SELECT score || ' ' || fired || ' ' || rules_priority FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = 'SYN-20261102-0057'")" = "25 LINKED;DISTRIBUTION 2" ]
	# The priority history has the change, with the new due time.
	[ "$(sql "SELECT h.priority || ' ' || h.due_at FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE p.ref = 'SYN-20261102-0057' ORDER BY h.id DESC LIMIT 1")" = "P1 1793782800000000" ]
	# A workflow event: history, --changed-since, audit "override" (an alteration).
	rt worklist --format csv --changed-since 2026-11-03T08:30:00Z
	[ "$(echo "$output" | tail -n +2 | cut -d, -f2)" = SYN-20261102-0057 ]
	rt worklist --format csv --changed-since 2026-11-03T09:30:00Z
	[ "$(echo "$output" | wc -l)" = 1 ]
	rt audit log --action override --format json
	echo "$output" | python3 -c '
import json, sys
e = json.load(sys.stdin)["items"]
assert len(e) == 1, e
assert e[0]["category"] == "alteration", e
d = e[0]["details"]
assert (d["priority"], d["computed_priority"], d["direction"], d["code"]) == ("P1", "P3", "up", "child-at-risk"), d
assert e[0]["refs"] == ["SYN-20261102-0057"], e'
}

@test "raising never makes a package due later than the rules said" {
	load_day
	# 8 Nov 12:00 + 24 h is after the rules' 9 Nov 06:10: the rules' time stands.
	rt_at 2026-11-08T12:00:00Z override SYN-20261102-0010 P1 --code known-subject --note "Known on PND (SYNTHETIC)"
	expect_status 0
	[ "$(field priority SYN-20261102-0010) $(field due_at SYN-20261102-0010)" = "P1 2026-11-09T06:10:00Z" ]
}

@test "lowering: the clock start + the new band's time, still bounded by a proposed meeting" {
	load_day
	rt --operator dc.ahmed override SYN-20261102-0003 P3 --code risk-overstated \
		--note "The child moved out in 2025 (SYNTHETIC)" --approved-by sgt.k
	expect_status 0
	# 2 Nov 13:39 + 336 h.
	[ "$(field priority SYN-20261102-0003) $(field due_at SYN-20261102-0003) $(field computed_priority SYN-20261102-0003) $(field override SYN-20261102-0003)" = "P3 2026-11-16T13:39:00Z P1 down" ]
	# P2 -> P4: 2 Nov 13:23 + 720 h is 2 Dec, but the meeting on 20 Nov bounds it.
	rt --operator dc.ahmed override SYN-20261102-0011 P4 --code actioned-elsewhere \
		--note "Op Sandpiper holds it (SYNTHETIC)" --approved-by sgt.k
	expect_status 0
	[ "$(field priority SYN-20261102-0011) $(field due_at SYN-20261102-0011)" = "P4 2026-11-20T00:00:00Z" ]
	rt show SYN-20261102-0003
	expect_out_has "priority  P3 by override (risk-overstated, dc.ahmed, approved by sgt.k, 2026-11-03 09:00 UTC); rules say P1   score 260"
	expect_out_has "  2026-11-03 09:00 UTC  dc.ahmed  override: P3 (lowered, risk-overstated), approved by sgt.k"
	expect_out_has "      note: The child moved out in 2025 (SYNTHETIC)"
}

@test "the two-person rule: lowering and clearing a raise need another person; nothing recorded without" {
	load_day
	before="$(store_state)"
	rt --operator dc.ahmed override SYN-20261102-0003 P3 --code risk-overstated --note "Old facts (SYNTHETIC)"
	expect_status 64
	expect_err_has "it needs --approved-by NAME, a second person"
	rt --operator dc.ahmed override SYN-20261102-0003 P3 --code risk-overstated --note "Old facts (SYNTHETIC)" --approved-by DC.Ahmed
	expect_status 65
	expect_err1 "reftriage: SYN-20261102-0003: --approved-by DC.Ahmed is the operator: a lowering needs a second person to approve it"
	[ "$(store_state)" = "$before" ]
	# Raising needs nobody; clearing the raise lowers the priority, so it does.
	rt --operator dc.ahmed override SYN-20261102-0057 P1 --code child-at-risk --note "Live incident (SYNTHETIC)"
	expect_status 0
	before="$(store_state)"
	rt --operator dc.ahmed override SYN-20261102-0057 --clear --note "Incident closed (SYNTHETIC)"
	expect_status 64
	expect_err_has "clearing this raising override lowers the effective priority of SYN-20261102-0057"
	rt --operator dc.ahmed override SYN-20261102-0057 --clear --note "Incident closed (SYNTHETIC)" --approved-by dc.ahmed
	expect_status 65
	[ "$(store_state)" = "$before" ]
	rt --operator dc.ahmed override SYN-20261102-0057 --clear --note "Incident closed (SYNTHETIC)" --approved-by sgt.k
	expect_status 0
	[ "$(field priority SYN-20261102-0057) $(field due_at SYN-20261102-0057) $(field override SYN-20261102-0057)" = "P3 2026-11-16T13:21:00Z " ]
	[ "$(sql "SELECT count(*) FROM overrides")" = 0 ]
	rt show SYN-20261102-0057
	expect_out_has "override ended, approved by sgt.k"
	# Clearing a lowering raises the priority again: no second person needed.
	rt override SYN-20261102-0003 P2 --code professional-judgement --note "Judged (SYNTHETIC)" --approved-by sgt.k
	expect_status 0
	rt override SYN-20261102-0003 --clear --note "Back to the rules (SYNTHETIC)"
	expect_status 0
	[ "$(field priority SYN-20261102-0003)" = P1 ]
}

@test "bad overrides: a clear reason, 64 or 65, nothing recorded" {
	load_day
	before="$(store_state)"
	rt override SYN-20261102-0057 P1 --note "No code (SYNTHETIC)"
	expect_status 64
	expect_err_has "an override needs --code CODE"
	rt override SYN-20261102-0057 P1 --code child-at-risk
	expect_status 64
	expect_err_has "an override needs --note TEXT"
	rt override SYN-20261102-0057 P1 --code child-at-rsk --note "Typo (SYNTHETIC)"
	expect_status 64
	expect_err_has "child-at-risk"
	rt override SYN-20261102-0057 P9 --code child-at-risk --note "No such band (SYNTHETIC)"
	expect_status 64
	rt override SYN-20261102-0057 --code child-at-risk --note "No priority (SYNTHETIC)"
	expect_status 64
	# A code in the wrong direction, the computed priority, an unknown ref, nothing to clear.
	rt override SYN-20261102-0057 P1 --code risk-overstated --note "Wrong way (SYNTHETIC)"
	expect_status 65
	expect_err1 "reftriage: SYN-20261102-0057: risk-overstated cannot raise a priority (the rules give P3; see 'reftriage override --help')"
	rt override SYN-20261102-0003 P3 --code child-at-risk --note "Wrong way (SYNTHETIC)" --approved-by sgt.k
	expect_status 65
	expect_err1 "reftriage: SYN-20261102-0003: child-at-risk cannot lower a priority (the rules give P1; see 'reftriage override --help')"
	rt override SYN-20261102-0057 P3 --code new-information --note "Same (SYNTHETIC)"
	expect_status 65
	expect_err1 "reftriage: SYN-20261102-0057: the rules already give P3: an override must change the priority (--clear ends one)"
	rt override SYN-20261102-9999 P1 --code child-at-risk --note "Nobody (SYNTHETIC)"
	expect_status 65
	expect_err_has "no package with ref 'SYN-20261102-9999'"
	rt override SYN-20261102-0057 --clear --note "Nothing to clear (SYNTHETIC)"
	expect_status 65
	expect_err1 "reftriage: SYN-20261102-0057: has no override to clear (the rules' priority applies)"
	[ "$(store_state)" = "$before" ]
}

@test "a changed version ends a lowering override; a raise stays; an unchanged re-import, a rescore and rules install end nothing" {
	load_day
	"$RT" override SYN-20261102-0003 P3 --code risk-overstated --note "Old facts (SYNTHETIC)" --approved-by sgt.k 2>/dev/null
	"$RT" override SYN-20261102-0057 P1 --code child-at-risk --note "Live incident (SYNTHETIC)" 2>/dev/null
	# The same file again: nothing new, nothing ends.
	rt import --as-of 2026-11-03T10:00:00Z "$CSV"
	expect_status 0
	# A rescore, and a new rule set (the same bands), keep both.
	"$RT" score --as-of 2026-11-03T11:00:00Z 2>/dev/null
	sed 's/"version": "2026.11-3"/"version": "2026.11-3b"/' "$TOP/rules/default.json" >rules.json
	rt rules install rules.json
	expect_status 0
	[ "$(field priority SYN-20261102-0003) $(field override SYN-20261102-0003)" = "P3 down" ]
	[ "$(field priority SYN-20261102-0057) $(field override SYN-20261102-0057)" = "P1 up" ]
	# New versions of both, their content changed.
	{ head -1 "$CSV"; grep -E '^SYN-20261102-(0003|0057),' "$CSV" | sed 's/SYNTHETIC TEST RECORD\./SYNTHETIC TEST RECORD (v2)./'; } >v2.csv
	rt_at 2026-11-04T09:00:00Z import --as-of 2026-11-04T09:00:00Z v2.csv
	expect_status 0
	[ "$(field priority SYN-20261102-0003) $(field override SYN-20261102-0003) $(field updated SYN-20261102-0003)" = "P1  true" ]
	[ "$(field priority SYN-20261102-0057) $(field override SYN-20261102-0057)" = "P1 up" ]
	rt show SYN-20261102-0003
	expect_out_has "  2026-11-04 09:00 UTC  tester  override ended"
	expect_out_has "      note: override lapsed: new information"
	expect_out_has "priority  P1 (Very high: act within a day)   score 260"
	# The history says P1 again from the import.
	[ "$(sql "SELECT h.priority FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE p.ref = 'SYN-20261102-0003' ORDER BY h.id DESC LIMIT 1")" = P1 ]
}

@test "the effective priority in every format: csv, json, table (with its legend), html, show" {
	load_day
	"$RT" override SYN-20261102-0057 P1 --code child-at-risk --note "Live incident (SYNTHETIC)" --operator dc.ahmed 2>/dev/null
	"$RT" override SYN-20261102-0003 P3 --code risk-overstated --note "Old facts (SYNTHETIC)" --approved-by sgt.k 2>/dev/null
	rt worklist --format csv
	output="$(echo "$output" | tr -d '\r')"
	[ "$(echo "$output" | head -1)" = "rank,package_ref,priority,score,received_at,due_at,overdue,status,assigned_to,force_area,referral_type,reasons,updated,computed_priority,override,deconfliction" ]
	[ "$(echo "$output" | grep -c ',P[1-4],,$')" = 58 ]
	rt worklist --format json
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
items = {i["package_ref"]: i for i in d["items"]}
a = items["SYN-20261102-0057"]
assert (a["priority"], a["computed_priority"]) == ("P1", "P3"), a
assert a["override"] == {"direction": "up", "code": "child-at-risk", "by": "dc.ahmed", "approved_by": None, "at": "2026-11-03T09:00:00Z", "note": "Live incident (SYNTHETIC)"}, a["override"]
b = items["SYN-20261102-0003"]
assert (b["priority"], b["computed_priority"], b["override"]["direction"], b["override"]["approved_by"]) == ("P3", "P1", "down", "sgt.k"), b
c = items["SYN-20261102-0001"]
assert (c["computed_priority"], c["override"]) == ("P1", None), c'
	LANG=C COLUMNS=100 rt worklist --format table
	expect_out_has "^ v override: a person raised or lowered the rules' priority (see show REF)"
	expect_out_has " 6  SYN-20261102-0057   P1^ "
	expect_out_has "13  SYN-20261102-0003   P3v "
	LC_ALL=C.UTF-8 COLUMNS=100 rt worklist --format table
	expect_out_has "↑ ↓ override: a person raised or lowered the rules' priority"
	expect_out_has " 6  SYN-20261102-0057   P1↑ "
	expect_out_has "13  SYN-20261102-0003   P3↓ "
	rt worklist --format html -o list.html
	expect_status 0
	grep -q 'SYN-20261102-0057<br><small>P1 <b class=ovr>&uarr; override</b> (rules P3) &middot; score 25' list.html
	grep -q 'SYN-20261102-0003<br><small>P3 <b class=ovr>&darr; override</b> (rules P1) &middot; score 260' list.html
	rt show SYN-20261102-0057
	expect_out_has "priority  P1 by override (child-at-risk, dc.ahmed, 2026-11-03 09:00 UTC); rules say P3   score 25"
	rt show SYN-20261102-0057 --format json
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)["score"]
assert (s["priority"], s["computed_priority"], s["override"]["code"]) == ("P1", "P3", "child-at-risk"), s'
}

@test "a closed package takes no override" {
	load_day
	"$RT" status SYN-20261102-0057 nfa --note "Closed (SYNTHETIC)" 2>/dev/null
	rt override SYN-20261102-0057 P1 --code child-at-risk --note "Too late (SYNTHETIC)"
	expect_status 65
	expect_err_has "is nfa (closed)"
}

# The backtest fixture (t0660-backtest.bats has the rules' figures), scored
# with its own rules, and five overrides on labelled packages, one on BT-12:
#
#   package  rules  label  override        final
#   BT-04    P3     +      up   to P1      P1
#   BT-05    P3     -      up   to P2      P2
#   BT-07    P4     +      up   to P2      P2
#   BT-01    P2     +      down to P3      P3
#   BT-03    P2     -      down to P4      P4
#   BT-12    P2?    none   up   (not labelled: not counted)
#
# count 5, up 3, down 2; positives_up 2 (BT-04, BT-07), negatives_up 1,
# positives_down 1 (BT-01), negatives_down 1.
# Top = P2. Positives in P1-P2 by the rules: BT-01, BT-02, BT-10 = 3 of 5 = 0.6.
# Final: BT-02, BT-10 (P2), BT-04 (P1), BT-07 (P2); BT-01 fell to P3 = 4 of 5 = 0.8.
@test "rules backtest measures the overrides on the hand-worked fixture" {
	bt_packages
	"$RT" rules install "$BT/rules.json" 2>/dev/null
	"$RT" outcome import "$BT/outcomes.csv" 2>/dev/null
	"$RT" override BT-04 P1 --code child-at-risk --note "Social care (SYNTHETIC)" 2>/dev/null
	"$RT" override BT-05 P2 --code known-subject --note "Known (SYNTHETIC)" 2>/dev/null
	"$RT" override BT-07 P2 --code new-information --note "Intel (SYNTHETIC)" 2>/dev/null
	"$RT" override BT-01 P3 --code risk-overstated --note "Old (SYNTHETIC)" --approved-by sgt.k 2>/dev/null
	"$RT" override BT-03 P4 --code actioned-elsewhere --note "Other force (SYNTHETIC)" --approved-by sgt.k 2>/dev/null
	"$RT" override BT-12 P1 --code professional-judgement --note "Unlabelled (SYNTHETIC)" 2>/dev/null
	[ "$(sql 'SELECT count(*) FROM overrides')" = 6 ]
	rt rules backtest --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
o = json.load(sys.stdin)["overrides"]
assert o == {"count": 5, "up": 3, "down": 2, "positives_up": 2, "negatives_up": 1, "positives_down": 1, "negatives_down": 1, "recall_top_rules": 0.6, "recall_top_final": 0.8}, o'
	rt rules backtest
	expect_out_has "overrides  5 (3 up, 2 down): overrides raised the share of positives in P1–P2 from 60.0 % to 80.0 %"
	rt rules backtest --format html
	expect_out_has "overrides raised the share of positives in P1–P2 from 60.0 % to 80.0 %"
	# Without overrides, the final recall is the rules'.
	rm -f "$REFTRIAGE_DB" "$REFTRIAGE_DB"-*
	bt_packages
	"$RT" outcome import "$BT/outcomes.csv" 2>/dev/null
	rt rules backtest "$BT/rules.json" --format json
	echo "$output" | python3 -c '
import json, sys
o = json.load(sys.stdin)["overrides"]
assert (o["count"], o["recall_top_rules"], o["recall_top_final"]) == (0, 0.6, 0.6), o'
}

@test "report: the period's overrides by band and direction, and their rate per 100 received" {
	load_day
	"$RT" override SYN-20261102-0057 P1 --code child-at-risk --note "Live (SYNTHETIC)" 2>/dev/null
	"$RT" override SYN-20261102-0058 P2 --code known-subject --note "Known (SYNTHETIC)" 2>/dev/null
	"$RT" override SYN-20261102-0003 P3 --code risk-overstated --note "Old (SYNTHETIC)" --approved-by sgt.k 2>/dev/null
	rt report --from 2026-11-01 --to 2026-11-08 --format json
	expect_status 0
	# 3 overrides, 60 packages received: 5 per 100.
	echo "$output" | python3 -c '
import json, sys
o = json.load(sys.stdin)["overrides"]
assert (o["count"], o["up"], o["down"], o["per_100_received"]) == (3, 2, 1, 5), o
assert o["by_band"] == {"P1": {"up": 1, "down": 0}, "P2": {"up": 1, "down": 0}, "P3": {"up": 0, "down": 1}, "P4": {"up": 0, "down": 0}}, o'
	rt report --from 2026-11-01 --to 2026-11-08
	expect_out_has "overrides: 3 made (2 up, 1 down), 5.0 per 100 packages received: P1 1 up, 0 down; P2 1 up, 0 down; P3 0 up, 1 down"
}

@test "nfa_sign_off on: nfa needs another person's --approved-by; stats and report count both kinds" {
	load_day
	rt status SYN-20261102-0010 nfa --note "No offence disclosed (SYNTHETIC)"
	expect_status 0
	rt --operator sgt.k settings nfa_sign_off on
	expect_status 0
	before="$(store_state)"
	rt --operator dc.ahmed status SYN-20261102-0012 nfa --note "No offence disclosed (SYNTHETIC)"
	expect_status 65
	expect_err1 "reftriage: SYN-20261102-0012: the setting nfa_sign_off is on: nfa needs --approved-by NAME, a second person who signs it off"
	rt --operator dc.ahmed status SYN-20261102-0012 nfa --note "No offence disclosed (SYNTHETIC)" --approved-by dc.ahmed
	expect_status 65
	expect_err_has "an NFA sign-off needs a second person"
	rt --operator dc.ahmed status SYN-20261102-0012 in_progress --approved-by sgt.k
	expect_status 64
	[ "$(store_state)" = "$before" ]
	[ "$(sql "SELECT status FROM packages WHERE ref = 'SYN-20261102-0012'")" = new ]
	# Other closures are not held.
	rt --operator dc.ahmed status SYN-20261102-0009 actioned --note "Arrested (SYNTHETIC)"
	expect_status 0
	rt --operator dc.ahmed status SYN-20261102-0012 nfa --note "No offence disclosed (SYNTHETIC)" --approved-by sgt.k
	expect_status 0
	rt show SYN-20261102-0012
	expect_out_has "dc.ahmed  new -> nfa, approved by sgt.k"
	rt audit log --action status --format json
	echo "$output" | python3 -c '
import json, sys
e = json.load(sys.stdin)["items"][-1]
assert e["details"]["approved_by"] == "sgt.k", e'
	rt stats --format json
	echo "$output" | python3 -c '
import json, sys
n = json.load(sys.stdin)["nfa"]
assert n == {"total": 2, "signed_off": 1, "without_sign_off": 1}, n'
	rt stats
	expect_out_has "  2, 1 signed off by a second person, 1 without"
	rt report --from 2026-11-01 --to 2026-11-08 --format json
	echo "$output" | python3 -c '
import json, sys
n = json.load(sys.stdin)["nfa"]
assert n == {"total": 2, "signed_off": 1, "without_sign_off": 1}, n'
	# Off again: no sign-off needed.
	rt --operator sgt.k settings nfa_sign_off off
	rt status SYN-20261102-0008 nfa --note "No offence disclosed (SYNTHETIC)"
	expect_status 0
}
