#!/usr/bin/env bats
# reftriage report: periods of local dates (month and summer-time
# boundaries), response within time, backlog, trend, --by, html, errors.

load helper

WI="$TOP/tests/data/whatif"

# Packages received around the end of September, the last Sunday of October
# (clocks back at 01:00 UTC on 2026-10-25) and the end of October.
tz_store() {
	init_store
	"$RT" import --as-of 2026-11-02T00:00:00Z "$WI/periods.ndjson" 2>/dev/null
}

@test "a month in Europe/London runs from local midnight to local midnight, BST to GMT" {
	tz_store
	TZ=Europe/London rt_at 2026-11-02T12:00:00Z report --from 2026-10-01 --to 2026-11-01 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert (r["from"], r["to"]) == ("2026-09-30T23:00:00Z", "2026-11-01T00:00:00Z"), (r["from"], r["to"])
assert (r["from_date"], r["to_date"]) == ("2026-10-01", "2026-11-01")
# R1 (00:30 BST on 1 Oct) and R3 (23:30 GMT on 31 Oct) are in; R2 (23:30 BST on 30 Sep) and R4 are not.
assert r["received"]["total"] == 6, r["received"]
days = {d["date"]: d for d in r["trend"]}
assert len(r["trend"]) == 31 and r["trend"][0]["date"] == "2026-10-01" and r["trend"][-1]["date"] == "2026-10-31"
assert days["2026-10-01"]["received"] == 1 and days["2026-10-31"]["received"] == 1
# 25 October is 25 hours long: R7 (00:30 BST), R5 (01:30 BST) and R6 (23:30 GMT).
assert days["2026-10-25"]["received"] == 3 and days["2026-10-24"]["received"] == 1, days
# R2 was open before the period: open at the end of 1 Oct is 2, at the end of the month 7.
assert days["2026-10-01"]["open"] == 2 and days["2026-10-31"]["open"] == 7
assert [w["week"] for w in r["received"]["by_week"]] == ["2026-09-28", "2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"]
assert [w["count"] for w in r["received"]["by_week"]] == [1, 0, 0, 4, 1]
'
	# The same dates in UTC are other instants: R1 (23:30 UTC on 30 Sep) is out.
	TZ=UTC rt_at 2026-11-02T12:00:00Z report --from 2026-10-01 --to 2026-11-01 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert (r["from"], r["to"]) == ("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z")
assert r["received"]["total"] == 5
days = {d["date"]: d["received"] for d in r["trend"]}
assert days["2026-10-24"] == 2 and days["2026-10-25"] == 2, days
'
}

@test "a period across the last Sunday of October is 25 hours long" {
	tz_store
	TZ=Europe/London rt_at 2026-11-02T12:00:00Z report --from 2026-10-25 --to 2026-10-26 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert (r["from"], r["to"]) == ("2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z")
assert r["received"]["total"] == 3 and len(r["trend"]) == 1
'
	TZ=Europe/London rt_at 2026-11-02T12:00:00Z report --from 2026-10-25 --to 2026-10-26
	expect_status 0
	expect_out_has "(from 2026-10-25 00:00 BST to 2026-10-26 00:00 GMT), 1 day;"
}

# Four packages with the old what-if rules (P2 due in 72 h, P3 in 336 h), acted on at set times.
# The import is on 2 Nov: the priority history records each package's priority from then.
response_store() {
	init_store
	REFTRIAGE_NOW=2026-11-02T12:00:00Z "$RT_CLOCK" rules install "$WI/old.json" 2>/dev/null
	REFTRIAGE_NOW=2026-11-02T12:00:00Z "$RT_CLOCK" import "$WI/packages.ndjson" 2>/dev/null
	# A (P2, due 5 Nov 09:00): work starts 4 Nov: met.
	REFTRIAGE_NOW=2026-11-04T09:00:00Z "$RT_CLOCK" status SYN-WI-A in_progress 2>/dev/null
	# C (P2, due 5 Nov 11:00): assigned in time (not an action), work starts 6 Nov: late.
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" assign SYN-WI-C --to dc.a 2>/dev/null
	REFTRIAGE_NOW=2026-11-06T09:00:00Z "$RT_CLOCK" status SYN-WI-C in_progress 2>/dev/null
	# D (P3, due 16 Nov 12:00): closed 10 Nov: met. B (P3, due 16 Nov 10:00): untouched.
	REFTRIAGE_NOW=2026-11-10T09:00:00Z "$RT_CLOCK" status SYN-WI-D nfa --note "no offence disclosed" 2>/dev/null
}

@test "response within time by band, the backlog by age and the daily trend" {
	response_store
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
z = {"due": 0, "met": 0, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": None}
assert r["response"] == {"P1": z,
                         "P2": {"due": 2, "met": 1, "late": 1, "open_overdue": 0, "not_yet_due": 0, "within_time": 0.5},
                         "P3": {"due": 2, "met": 1, "late": 0, "open_overdue": 1, "not_yet_due": 0, "within_time": 0.5}}, r["response"]
assert r["note"] is None
assert r["backlog"] == {"open": 3, "overdue": 3, "by_age": {"0-7": 0, "8-14": 0, "15-30": 3, "31+": 0}}, r["backlog"]
assert r["received"]["by_priority"] == {"P1": 0, "P2": 2, "P3": 2}
days = {d["date"]: d for d in r["trend"]}
assert days["2026-11-02"] == {"date": "2026-11-02", "received": 4, "closed": 0, "open": 4}
assert days["2026-11-10"] == {"date": "2026-11-10", "received": 0, "closed": 1, "open": 3}
assert days["2026-11-30"]["open"] == 3
assert "by" not in r and r["outcomes"] == {}
'
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01
	expect_status 0
	expect_out_has "  P2             2       1       1             0            0          50%"
	expect_out_has "  P1             0       0       0             0            0           -"
	expect_out_has "backlog now: 3 open, 3 overdue; days since receipt 0-7: 0, 8-14: 0, 15-30: 3, 31+: 0"
}

@test "--by splits every figure: by source, by assignee" {
	response_store
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --by source --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["by"]["field"] == "source"
g = {x["value"]: x for x in r["by"]["groups"]}
assert sorted(g) == ["CEOP", "NCMEC"], list(g)
assert g["CEOP"]["received"]["total"] == 2 and g["NCMEC"]["received"]["total"] == 2
assert g["CEOP"]["response"]["P2"] == {"due": 1, "met": 1, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": 1.0}
assert g["NCMEC"]["response"]["P2"] == {"due": 1, "met": 0, "late": 1, "open_overdue": 0, "not_yet_due": 0, "within_time": 0.0}
assert g["NCMEC"]["backlog"]["open"] == 1 and g["CEOP"]["backlog"]["open"] == 2
assert g["NCMEC"]["trend"][9]["closed"] == 1
# The groups add up to the totals.
for k in ("due", "met", "late", "open_overdue", "not_yet_due"):
    for p in ("P1", "P2", "P3"):
        assert sum(x["response"][p][k] for x in g.values()) == r["response"][p][k]
assert sum(x["backlog"]["open"] for x in g.values()) == r["backlog"]["open"]
'
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --by assignee --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
g = {x["value"]: x for x in r["by"]["groups"]}
assert sorted(g, key=str) == ["None", "dc.a"] or set(g) == {None, "dc.a"}, list(g)
assert g["dc.a"]["received"]["total"] == 1 and g[None]["received"]["total"] == 3
'
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --by force
	expect_status 0
	expect_out_has "force: (none)"
}

@test "outcomes dated in the period are counted when the store keeps them" {
	response_store
	# The outcomes table as migration 008 makes it (outcomes.md), for a store before it.
	sql "CREATE TABLE IF NOT EXISTS outcomes (id INTEGER PRIMARY KEY, package_id INTEGER NOT NULL REFERENCES packages (id), code TEXT NOT NULL, outcome_date TEXT NOT NULL, count INTEGER NOT NULL DEFAULT 1, note TEXT, recorded_at INTEGER NOT NULL, operator TEXT NOT NULL)"
	sql "INSERT INTO outcomes (package_id, code, outcome_date, recorded_at, operator) SELECT id, 'arrest', '2026-11-20', 0, 't' FROM packages WHERE ref = 'SYN-WI-A'"
	sql "INSERT INTO outcomes (package_id, code, outcome_date, recorded_at, operator) SELECT id, 'nfa_no_offence', '2026-11-10', 0, 't' FROM packages WHERE ref = 'SYN-WI-D'"
	sql "INSERT INTO outcomes (package_id, code, outcome_date, recorded_at, operator) SELECT id, 'charged', '2026-12-01', 0, 't' FROM packages WHERE ref = 'SYN-WI-A'"
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --by source --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["outcomes"] == {"nfa_no_offence": 1, "arrest": 1} or r["outcomes"] == {"arrest": 1, "nfa_no_offence": 1}, r["outcomes"]
g = {x["value"]: x for x in r["by"]["groups"]}
assert g["CEOP"]["outcomes"] == {"arrest": 1} and g["NCMEC"]["outcomes"] == {"nfa_no_offence": 1}
'
}

@test "the html report is one self-contained page with inline SVG charts" {
	response_store
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --by assignee --format html --output "$WORK/report.html"
	expect_status 0
	grep -q '<svg' "$WORK/report.html"
	grep -q 'dc.a' "$WORK/report.html"
	! grep -qi '<script' "$WORK/report.html"
	! grep -Eqi 'src=|href=|url\(|@import|https?:' "$WORK/report.html"
	[ "$(stat -c %a "$WORK/report.html")" = 600 ]
}

@test "a hostile assignee is escaped in the html report" {
	response_store
	"$RT" assign SYN-WI-B --to '"><script>alert(1)</script>' 2>/dev/null
	rt_at 2026-11-30T12:00:00Z report --by assignee --format html
	expect_status 0
	! grep -qi '<script' <<<"$output"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' <<<"$output"
}

@test "bad --from, --to and --by are usage errors with a suggestion" {
	init_store
	rt report --from 2026-09-31
	expect_status 64
	expect_err1 "reftriage: report: --from '2026-09-31' is not a date (YYYY-MM-DD, a local date): day does not exist in that month; did you mean '2026-09-30'? (see 'reftriage report --help')"
	rt report --to 2026-11-1
	expect_status 64
	expect_err_has "did you mean '2026-11-01'?"
	rt report --from 2026-10-01T00:00:00Z
	expect_status 64
	expect_err_has "did you mean '2026-10-01'?"
	rt report --from last-month
	expect_status 64
	expect_err_has "not a date"
	rt report --from 2026-11-01 --to 2026-10-01
	expect_status 64
	expect_err_has "--to must be after --from; did you mean '--from 2026-10-01 --to 2026-11-01'?"
	rt report --from 2020-01-01 --to 2026-01-01
	expect_status 64
	expect_err_has "at most 732 days"
	rt report --by forse
	expect_status 64
	expect_err_has "did you mean 'force'?"
	rt report --format pdf
	expect_status 64
}

@test "report is recorded as a consultation" {
	response_store
	rt report --format json
	expect_status 0
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'report'")" = 1 ]
}

@test "a rules install later changes none of a past period's response figures" {
	response_store
	# November as reported on 30 Nov, with the old rules in force all month (hand-worked):
	#   A  P2 due 5 Nov 09:00, first action 4 Nov 09:00       -> met          (P2)
	#   C  P2 due 5 Nov 11:00, assigned 3 Nov (not an action), in progress 6 Nov -> late (P2)
	#   D  P3 due 16 Nov 12:00, closed NFA 10 Nov             -> met          (P3)
	#   B  P3 due 16 Nov 10:00, untouched: falls due 16 Nov   -> open_overdue (P3)
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --format json
	expect_status 0
	before="$output"
	# On 1 Dec the new rules: A scores 120 (P1, due 3 Nov 09:00), B 50 (P2, due 5 Nov 10:00).
	# Judged by today's scores, A would be late under P1 and B open and overdue under P2.
	REFTRIAGE_NOW=2026-12-01T09:00:00Z "$RT_CLOCK" rules install "$WI/new.json" 2>/dev/null
	rt_at 2026-12-02T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --format json
	expect_status 0
	python3 - "$before" "$output" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
four = lambda r: {p: {k: r[p][k] for k in ("due", "met", "late", "open_overdue")} for p in r}
assert four(a["response"]) == four(b["response"]), (a["response"], b["response"])
z = {"due": 0, "met": 0, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": None}
want = {"P1": z,
        "P2": {"due": 2, "met": 1, "late": 1, "open_overdue": 0, "not_yet_due": 0, "within_time": 0.5},
        "P3": {"due": 2, "met": 1, "late": 0, "open_overdue": 1, "not_yet_due": 0, "within_time": 0.5}}
assert a["response"] == want, a["response"]
assert b["response"] == want, b["response"]
# Received by the first priority recorded for each package, at its import.
assert a["received"]["by_priority"] == b["received"]["by_priority"] == {"P1": 0, "P2": 2, "P3": 2}, b["received"]
PY
	# The install wrote the history rows of the two packages it moved.
	[ "$(sql "SELECT group_concat(p.ref || ':' || h.priority, ' ') FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE h.at >= 1796115600000000")" = "SYN-WI-A:P1 SYN-WI-B:P2" ]
}

@test "not_yet_due and within_time: only packages fallen due count against the band" {
	response_store
	# Reported on 10 Nov 12:00 for 1 to 16 Nov (to is exclusive: up to 17 Nov 00:00):
	#   A  P2 due 5 Nov 09:00, first action 4 Nov 09:00 -> met  (P2)
	#   C  P2 due 5 Nov 11:00, first action 6 Nov 09:00 -> late (P2)
	#   D  P3 due 16 Nov 12:00, closed 10 Nov 09:00      -> met  (P3; not yet due, acted on)
	#   B  P3 due 16 Nov 10:00, no action, not yet fallen due at 10 Nov -> not_yet_due (P3)
	# within_time = met / (met + late + open_overdue): P2 1/2, P3 1/1 (B does not count
	# against it), P1 none at all: null.
	rt_at 2026-11-10T12:00:00Z report --from 2026-11-01 --to 2026-11-17 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)["response"]
assert r["P1"] == {"due": 0, "met": 0, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": None}, r
assert r["P2"] == {"due": 2, "met": 1, "late": 1, "open_overdue": 0, "not_yet_due": 0, "within_time": 0.5}, r
assert r["P3"] == {"due": 2, "met": 1, "late": 0, "open_overdue": 0, "not_yet_due": 1, "within_time": 1.0}, r
'
	rt_at 2026-11-10T12:00:00Z report --from 2026-11-01 --to 2026-11-17
	expect_status 0
	expect_out_has "  P3             2       1       0             0            1         100%"
	# A period that ends before B falls due (16 Nov 10:00): B is in none of its figures.
	rt_at 2026-11-10T12:00:00Z report --from 2026-11-01 --to 2026-11-16 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)["response"]
assert r["P3"] == {"due": 1, "met": 1, "late": 0, "open_overdue": 0, "not_yet_due": 0, "within_time": 1.0}, r
'
}

@test "a rescore that changes no priority or due time writes no history row" {
	response_store
	# One row a package, from its import.
	[ "$(sql 'SELECT count(*) FROM priority_history')" = 4 ]
	[ "$(sql "SELECT count(DISTINCT at) || ' ' || min(at) FROM priority_history")" = "1 1793620800000000" ]
	REFTRIAGE_NOW=2026-11-20T12:00:00Z "$RT_CLOCK" score 2>/dev/null
	REFTRIAGE_NOW=2026-11-21T12:00:00Z "$RT_CLOCK" score --as-of 2026-12-20T12:00:00Z 2>/dev/null
	REFTRIAGE_NOW=2026-11-22T12:00:00Z "$RT_CLOCK" rules install "$WI/old.json" 2>/dev/null
	[ "$(sql 'SELECT count(*) FROM priority_history')" = 4 ]
	# A change of priority is one row for each package it moves, at the time of the write.
	REFTRIAGE_NOW=2026-12-01T09:00:00Z "$RT_CLOCK" rules install "$WI/new.json" 2>/dev/null
	[ "$(sql 'SELECT count(*) FROM priority_history')" = 6 ]
	[ "$(sql "SELECT count(*) FROM priority_history WHERE at = 1796115600000000")" = 2 ]
}
