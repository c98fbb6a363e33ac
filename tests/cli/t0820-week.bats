#!/usr/bin/env bats
# A team's week, end to end (issue 25, "Nothing waits unseen"): two batches a
# day apart, a bad record fixed and one never fixed, a nightly re-import, an
# NFA reopened by a new version, a rules install that shortens P2, outcomes;
# then alert, the printed list, stats and report are checked against figures
# worked by hand below. Every time recorded is set with the test-only binary's
# clock (REFTRIAGE_NOW), as a real week would record it with the system clock.
#
# Data (tests/data/week, SYNTHETIC), rules.json: CAT-A 60, GROOMING 30,
# SELF-HARM 500; bands P1 >= 100 (24 h), P2 >= 50 (72 h), P3 >= 20 (336 h),
# P4 (720 h). Every package is received 08:00 UTC.
#
#   Mon 2 Nov 09:00  import day1: WK-01 P1 (590) due 3 Nov 08:00; WK-02 P2 (60)
#                    due 5 Nov 08:00; WK-03 P3 (30) due 16 Nov; WK-04 P4 due
#                    2 Dec; WK-05 refused ("maybe" is no yes/no): quarantine 1.
#            10:00  WK-01 in_progress (its first action).
#   Tue 3 Nov 09:00  import day2: WK-05 fixed (P4, due 2 Dec; its quarantined
#                    record resolved), WK-06 P2 due 6 Nov 08:00, WK-07 refused
#                    ("two" is no count). The nightly re-import of day1: its
#                    WK-05 line is a known reject: exit 0.
#   Wed 4 Nov 09:00  WK-03 nfa.
#   Thu 5 Nov 10:00  WK-06 and WK-01 actioned; WK-01's outcome: arrest, 5 Nov.
#            12:00  import day4: a new version of WK-03 (CAT-A too: 90, P2)
#                    reopens it; its clock starts at 12:00: due 8 Nov 12:00,
#                    not overdue (rules.md step 4).
#   Fri 6 Nov 09:00  rules install: P2 within 24 h. WK-02 due 3 Nov 08:00,
#                    WK-03 due 6 Nov 12:00.
#   Sat 7 Nov 09:00  WK-03 in_progress.
#   Sun 8 Nov 09:00  the checks.
#
# Response, 2 to 8 Nov (outcomes.md; F falling due, A first action):
#   WK-01 P1: A 2 Nov 10:00 before F 3 Nov 08:00: met.
#   WK-02 P2: F 5 Nov 08:00 (the 72 h in force then; the install a day later
#             moves no past F), no A: open_overdue.
#   WK-03 P2: latest clock start 5 Nov 12:00 (its first referral, NFA'd, no
#             longer counts); F 6 Nov 12:00 (the 24 h from the install on),
#             A 7 Nov 09:00 after it: late.
#   WK-06 P2: A 5 Nov 10:00 before F 6 Nov 08:00: met.
#   WK-04, WK-05 P4: due 2 Dec, outside the period: not counted.
#   So P1 due 1 met 1 (100 %); P2 due 3: met 1, late 1, open_overdue 1 (1/3).
# Received: 6, by first priority P1 1, P2 2 (WK-02, WK-06), P3 1 (WK-03),
# P4 2. Backlog at 8 Nov 09:00: open WK-02, WK-03, WK-04, WK-05 (all received
# 2 Nov: 0-7 days), overdue WK-02 and WK-03. Quarantine: WK-07 open, received
# 3 Nov 08:00.

load helper

W="$TOP/tests/data/week"

at() { # TIME COMMAND...: reftriage with the clock at TIME
	local t=$1
	shift
	REFTRIAGE_NOW="$t" "$RT_CLOCK" "$@"
}

week() {
	at 2026-11-01T09:00:00Z init 2>/dev/null
	at 2026-11-01T09:00:00Z rules install "$W/rules.json" 2>/dev/null
	at 2026-11-02T09:00:00Z import "$W/day1.csv" 2>"$WORK/day1.err" && st=0 || st=$?
	[ "$st" = 65 ]
	# Day 1: the refused record is due now, beside WK-01 (due within 24 h).
	at 2026-11-02T09:05:00Z alert --format json >"$WORK/alert1.json" 2>/dev/null && st=0 || st=$?
	[ "$st" = 1 ]
	python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert [i["package_ref"] for i in a["items"]] == ["WK-01"], a["items"]
assert a["quarantine"]["open"] == 1 and a["quarantine"]["items"][0]["package_ref"] == "WK-05", a["quarantine"]
' "$WORK/alert1.json"
	at 2026-11-02T10:00:00Z status WK-01 in_progress 2>/dev/null
	at 2026-11-03T09:00:00Z import "$W/day2.csv" 2>/dev/null && st=0 || st=$?
	[ "$st" = 65 ]
	# The nightly job imports the drop folder again: nothing new, exit 0.
	at 2026-11-03T09:10:00Z import --summary json "$W/day1.csv" >"$WORK/again.json" 2>"$WORK/again.err"
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["exit_code"] == 0 and s["totals"]["known_rejects"] == 1 and s["totals"]["rejected"] == 0, s["totals"]
assert s["totals"]["unchanged"] == 4, s["totals"]
' "$WORK/again.json"
	! grep -q maybe "$WORK/again.err"
	at 2026-11-04T09:00:00Z status WK-03 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	at 2026-11-05T10:00:00Z status WK-06 actioned --note "Warrant executed (SYNTHETIC)" 2>/dev/null
	at 2026-11-05T10:00:00Z status WK-01 actioned --note "Arrest (SYNTHETIC)" 2>/dev/null
	at 2026-11-05T10:30:00Z outcome import "$W/outcomes.csv" 2>/dev/null
	at 2026-11-05T12:00:00Z import "$W/day4.csv" 2>/dev/null
	at 2026-11-06T09:00:00Z rules install "$W/rules-p2-24h.json" 2>/dev/null
	at 2026-11-07T09:00:00Z status WK-03 in_progress 2>/dev/null
}

@test "a week: the reopened package is not born overdue; a rules install moves due times, not the past" {
	week
	# As listed on Thursday at 12:00, after the reopen: due from its new clock start.
	[ "$(sql "SELECT count(*) FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE p.ref = 'WK-03'")" -ge 3 ]
	[ "$(sql "SELECT h.due_at FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE p.ref = 'WK-03' ORDER BY h.at, h.rowid LIMIT 1 OFFSET 1")" = 1794139200000000 ] # 8 Nov 12:00, from the reopen at 5 Nov 12:00
	rt worklist --now 2026-11-08T09:00:00Z --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
w = json.load(sys.stdin)
got = [(i["package_ref"], i["priority"], i["score"], i["due_at"], i["overdue"], i["status"]) for i in w["items"]]
assert got == [
    ("WK-03", "P2", 90, "2026-11-06T12:00:00Z", True, "in_progress"),
    ("WK-02", "P2", 60, "2026-11-03T08:00:00Z", True, "new"),
    ("WK-04", "P4", 0, "2026-12-02T08:00:00Z", False, "new"),
    ("WK-05", "P4", 0, "2026-12-02T08:00:00Z", False, "new"),
], got
assert w["unscored"] == 0 and w["quarantine"]["open"] == 1, w
assert [q["package_ref"] for q in w["quarantine"]["items"]] == ["WK-07"], w["quarantine"]
'
}

@test "a week: alert, stats and report on Sunday, against the figures worked by hand" {
	week
	at 2026-11-08T09:00:00Z alert --format json >"$WORK/alert.json" 2>/dev/null && st=0 || st=$?
	[ "$st" = 1 ]
	python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))
assert [(i["package_ref"], i["overdue"]) for i in a["items"]] == [("WK-02", True), ("WK-03", True)], a["items"]
q = a["quarantine"]
assert q["open"] == 1 and q["items"][0]["package_ref"] == "WK-07", q
assert q["items"][0]["received_at"] == "2026-11-03T08:00:00Z", q
' "$WORK/alert.json"
	at 2026-11-08T09:00:00Z alert >"$WORK/alert.txt" 2>/dev/null || true
	grep -q "QUARANTINE: 1 rejected record open" "$WORK/alert.txt"
	grep -q "WK-07" "$WORK/alert.txt"
	at 2026-11-08T09:00:00Z stats --format json >"$WORK/stats.json" 2>/dev/null
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert (s["open"], s["closed"], s["unscored"]) == (4, 2, 0), s
assert s["by_priority"] == [{"key": "P2", "count": 2, "overdue": 2}, {"key": "P4", "count": 2, "overdue": 0}], s["by_priority"]
assert s["quarantine"] == {"open": 1, "oldest_received": "2026-11-03T08:00:00Z"}, s["quarantine"]
' "$WORK/stats.json"
	at 2026-11-08T09:00:00Z stats 2>/dev/null | grep -q "QUARANTINE: 1 rejected record open"
	at 2026-11-08T09:00:00Z report --from 2026-11-02 --to 2026-11-09 --format json >"$WORK/report.json" 2>/dev/null
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
z = {"due": 0, "met": 0, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": None}
assert r["response"]["P1"] == {"due": 1, "met": 1, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": 1}, r["response"]
p2 = r["response"]["P2"]
assert p2 == {"due": 3, "met": 1, "late": 1, "open_overdue": 1, "not_yet_due": 0, "within_time": 1 / 3}, p2
assert r["response"]["P3"] == z and r["response"]["P4"] == z, r["response"]
assert r["received"]["total"] == 6, r["received"]
assert r["received"]["by_priority"] == {"P1": 1, "P2": 2, "P3": 1, "P4": 2}, r["received"]
b = r["backlog"]
assert (b["open"], b["overdue"]) == (4, 2), b
assert b["by_age"] == {"0-7": 4, "8-14": 0, "15-30": 0, "31+": 0}, b
assert r["outcomes"] == {"arrest": 1}, r["outcomes"]
assert r["quarantine"] == {"open": 1, "oldest_received": "2026-11-03T08:00:00Z"}, r["quarantine"]
' "$WORK/report.json"
	# The figures are the history's: installing the old rules again changes none.
	at 2026-11-08T10:00:00Z rules install "$W/rules.json" 2>/dev/null
	at 2026-11-08T10:05:00Z report --from 2026-11-02 --to 2026-11-09 --format json >"$WORK/report2.json" 2>/dev/null
	python3 -c '
import json, sys
a, b = (json.load(open(f))["response"] for f in sys.argv[1:3])
assert a == b, (a, b)
' "$WORK/report.json" "$WORK/report2.json"
}

@test "a week: the printed list on Sunday says what it holds and what waits in quarantine" {
	week
	at 2026-11-08T09:00:00Z worklist --format html --output "$WORK/list.html" 2>/dev/null
	grep -q "4 of 4 open packages" "$WORK/list.html"
	grep -q "1 in quarantine" "$WORK/list.html"
	grep -q "WK-07" "$WORK/list.html"
	command -v chromium >/dev/null || skip "chromium is not installed here (.ci/run installs it)"
	command -v pdftotext >/dev/null || skip "pdftotext is not installed here (poppler-utils)"
	timeout 300 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$WORK/chrome" --no-pdf-header-footer \
		--print-to-pdf="$WORK/list.pdf" "file://$WORK/list.html" >/dev/null 2>&1
	pdftotext -layout "$WORK/list.pdf" "$WORK/list.txt"
	# Page 1: the summary, the quarantine box naming WK-07, every package on a page.
	pdftotext -f 1 -l 1 -layout "$WORK/list.pdf" "$WORK/p1.txt"
	grep -q "4 of 4 open packages" "$WORK/p1.txt"
	grep -q "WK-07" "$WORK/p1.txt"
	for r in WK-02 WK-03 WK-04 WK-05; do grep -q "$r" "$WORK/list.txt"; done
	! grep -q "WK-01\|WK-06" "$WORK/list.txt"
}
