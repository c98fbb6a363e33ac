#!/usr/bin/env bats
# reftriage stats.

load helper

@test "stats counts by priority (with overdue), status, source and type; oldest; median time to act" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# Received 13:13, 13:39 and 06:52 on 2 Nov; first actions 1 h, 3 h and 25 h 8 min later.
	REFTRIAGE_NOW=2026-11-02T14:13:00Z "$RT_CLOCK" assign SYN-20261102-0001 --to dc.a 2>/dev/null
	REFTRIAGE_NOW=2026-11-02T16:39:00Z "$RT_CLOCK" status SYN-20261102-0003 in_progress 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" status SYN-20261102-0004 actioned 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" status SYN-20261102-0003 actioned 2>/dev/null # not a first action
	# Overdue is judged at the time of asking (rules.md step 5), not at the scores' as_of.
	rt stats --now 2026-11-04T12:00:00Z --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys, sqlite3
s = json.load(sys.stdin)
db = sqlite3.connect(sys.argv[1])
q = lambda sql: db.execute(sql).fetchall()
assert s["as_of"] == "2026-11-03T08:00:00Z"
assert s["open"] == 58 and s["closed"] == 2, s
pri = {r["key"]: (r["count"], r["overdue"]) for r in s["by_priority"]}
want = {"P%d" % (p + 1): (n, o) for p, n, o in q("SELECT s.priority, count(*), sum(s.due_at < 1793793600000000) FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.status IN (\"new\",\"assigned\",\"in_progress\") GROUP BY 1")}
assert pri == want, (pri, want)
assert {r["key"]: r["count"] for r in s["by_status"]} == {"new": 57, "assigned": 1, "actioned": 2}
assert sum(r["count"] for r in s["by_source"]) == 58 and sum(r["count"] for r in s["by_type"]) == 58
assert s["oldest_open"] == {"package_ref": "SYN-20261102-0060", "received_at": "2026-11-02T06:00:00Z"}
assert s["packages_with_action"] == 3
assert s["median_hours_to_first_action"] == 3.0, s["median_hours_to_first_action"]
' "$REFTRIAGE_DB"
	rt stats
	expect_status 0
	expect_out_has "58 open, 2 closed"
	expect_out_has "  SYN-20261102-0060 received 2026-11-02 06:00 UTC"
	TZ=Europe/London rt stats
	expect_out_has "as of 2026-11-03 08:00 GMT (scores)"
	expect_out_has "  0d 03h 00m over 3 packages"
}

@test "stats on an empty store, and a bad format" {
	init_store
	rt stats
	expect_status 0
	expect_out_has "nothing scored yet"
	expect_out_has "  no package has been acted on yet"
	rt stats --format xml
	expect_status 64
}

@test "stats json: the median time to act to the last bit, not rounded to a tenth" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# Received 13:13 on 2 Nov, first action 1 h 20 min later: 4 / 3 hours.
	REFTRIAGE_NOW=2026-11-02T14:33:00Z "$RT_CLOCK" assign SYN-20261102-0001 --to dc.a 2>/dev/null
	rt_at 2026-11-04T12:00:00Z stats --format json
	expect_status 0
	expect_out_has '"median_hours_to_first_action":1.3333333333333333'
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["median_hours_to_first_action"] == 80 * 60e6 / 3.6e9, s["median_hours_to_first_action"]
'
}
