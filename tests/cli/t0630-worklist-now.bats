#!/usr/bin/env bats
# A list the team can trust: overdue judged at now, stale scores said so,
# alert for cron, the handover list (issue 13; cli.md, rules.md step 5).

load helper

SCORED=2026-11-02T15:00:00Z # the scores' as_of: P1 SYN-20261102-0001 is due 2026-11-03T13:13Z

setup_store() {
	init_store
	REFTRIAGE_NOW=$SCORED "$RT_CLOCK" import --as-of "$SCORED" "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

overdue_of() { # ref, then worklist options
	local ref=$1
	shift
	"$RT" worklist --format csv "$@" 2>/dev/null | awk -F, -v r="$ref" '$2 == r { print $7 }'
}

@test "overdue is judged at the list's time, not at the scores' as_of" {
	setup_store
	# Scored before it was due, printed three days later: overdue now.
	[ "$(overdue_of SYN-20261102-0001 --now 2026-11-02T16:00:00Z)" = false ]
	[ "$(overdue_of SYN-20261102-0001 --now 2026-11-05T09:00:00Z)" = true ]
	# The clock is the default (the test-only binary's REFTRIAGE_NOW stands in for it).
	[ "$(RT=$RT_CLOCK REFTRIAGE_NOW=2026-11-05T09:00:00Z overdue_of SYN-20261102-0001)" = true ]
	# stats counts overdue at its time too.
	"$RT" stats --format json --now 2026-11-02T16:00:00Z | python3 -c 'import json,sys; s=json.load(sys.stdin); assert sum(r["overdue"] for r in s["by_priority"]) == 0, s'
	"$RT" stats --format json --now 2026-12-30T00:00:00Z | python3 -c 'import json,sys; s=json.load(sys.stdin); assert sum(r["overdue"] for r in s["by_priority"]) == s["open"], s'
}

@test "scores older than --stale-after (24 h) are stale: warned, in the table, on the page, in JSON" {
	setup_store
	# Exactly 24 h after as_of: not stale.
	rt worklist --format json --now 2026-11-03T15:00:00Z
	expect_status 0
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stale"])')" = False ]
	[[ "$err" != *stale* ]]
	# One second later: stale, and said so.
	rt worklist --format json --now 2026-11-03T15:00:01Z
	expect_status 0
	[ "$(echo "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["stale"])')" = True ]
	expect_err1 "reftriage: worklist: warning: the scores are stale: computed 24 h ago (as of 2026-11-02 15:00 UTC), more than 24 h; run 'reftriage score' to bring them up to date"
	# The warning is not silenced by --quiet: it is not a success message.
	rt -q worklist --format csv --now 2026-11-05T15:00:00Z
	expect_err_has "the scores are stale"
	COLUMNS=100 rt worklist --format table --now 2026-11-05T15:00:00Z
	[[ "${output}" == *"STALE SCORES: run 'reftriage score' before acting on this order"* ]]
	rt worklist --format html --now 2026-11-05T15:00:00Z
	[[ "$output" == *"<p class=stale>STALE: these scores were computed at "* ]] && [[ "$output" == *"SCORES STALE, as of "* ]]
	# --stale-after moves the edge; a fresh score clears it.
	rt worklist --format csv --now 2026-11-05T15:00:00Z --stale-after 100
	[[ "$err" != *stale* ]]
	"$RT" score --as-of 2026-11-05T14:00:00Z 2>/dev/null
	rt worklist --format csv --now 2026-11-05T15:00:00Z
	[[ "$err" != *stale* ]]
}

@test "alert: silent with exit 0 when nothing is due; the list and exit 1 otherwise; audited" {
	setup_store
	# Before anything is due within the hour.
	rt alert --now 2026-11-02T15:00:00Z --within 1
	expect_status 0
	[ -z "$output" ] && [ -z "$err" ]
	# The next morning: the P1s are due within 24 h, soonest first.
	rt alert --now 2026-11-03T06:00:00Z
	expect_status 1
	[ "$(echo "$output" | awk 'NR > 1 { print $2 }' | head -3 | tr '\n' ' ')" = "SYN-20261102-0006 SYN-20261102-0002 SYN-20261102-0004 " ]
	[[ "$(echo "$output" | head -1)" == "PRI  REF                      DUE                            STATUS       ASSIGNED" ]]
	[[ "$(echo "$output" | sed -n 2p)" == "P1   SYN-20261102-0006        2026-11-03 06:18 UTC           new          -" ]]
	# People read local times: the same alert in London's winter, and in New York.
	TZ=America/New_York rt alert --now 2026-11-03T06:00:00Z
	expect_status 1
	[[ "$(echo "$output" | sed -n 2p)" == *" 2026-11-03 01:18 EST           new "* ]]
	# JSON for scripts: the header fields and the items, overdue judged at now.
	rt alert --now 2026-11-03T10:00:00Z --within 0 --format json
	expect_status 1
	echo "$output" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert a["now"] == "2026-11-03T10:00:00Z" and a["within_hours"] == 0 and a["stale"] is False
assert [i["package_ref"] for i in a["items"]] == ["SYN-20261102-0006", "SYN-20261102-0002", "SYN-20261102-0004"], a
assert all(i["overdue"] for i in a["items"]) and a["count"] == 3
'
	# Every package listed is recorded as consulted.
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'alert'")" = 4 ]
	"$RT" audit verify >/dev/null
	# A closed package is not alerted on.
	"$RT" status SYN-20261102-0006 nfa --note "synthetic test" 2>/dev/null
	rt alert --now 2026-11-03T10:00:00Z --within 0 --format json
	[[ "$output" != *SYN-20261102-0006* ]]
}

@test "alert and worklist: bad times and hours are usage errors naming the option" {
	setup_store
	rt alert --within -1
	expect_status 64
	expect_err1 "reftriage: alert: --within takes a whole number from 0 to 8784, not '-1' (see 'reftriage alert --help')"
	rt worklist --now someday
	expect_status 64
	expect_err1 "reftriage: worklist: --now 'someday' is not a time: give RFC 3339 (2026-11-02T08:15:00Z), a date (2026-11-02), a local time (2026-11-02 08:15), now, today, yesterday, or a time ago (90min, 12h, 3d, 2w) (see 'reftriage worklist --help')"
	rt worklist --changed-since 2026-13-01
	expect_status 64
	expect_err_has "--changed-since '2026-13-01' is not a time"
	rt worklist --stale-after x
	expect_status 64
}

@test "worklist --changed-since: the handover between shifts" {
	setup_store
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" assign SYN-20261102-0010 --to dc.a 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" status SYN-20261102-0011 in_progress --note "started" 2>/dev/null
	refs() { "$RT" worklist --format csv "$@" 2>/dev/null | tail -n +2 | cut -d, -f2 | sort | tr '\n' ' '; }
	[ "$(refs --changed-since 2026-11-03T07:00:00Z)" = "SYN-20261102-0010 SYN-20261102-0011 " ]
	[ "$(refs --changed-since 2026-11-03T08:30:00Z)" = "SYN-20261102-0011 " ]
	[ "$(refs --changed-since 2026-11-03T09:30:00Z)" = "" ]
	# A new version counts as a change too.
	python3 - "$SAMPLES/referrals-2026-11-02.csv" "$WORK/v2.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
row = next(r for r in rows if r["package_ref"] == "SYN-20261102-0020")
row["summary"] = "Synthetic test record: a second version with new information."
w.writerow(row)
PY
	REFTRIAGE_NOW=2026-11-03T10:00:00Z "$RT_CLOCK" import "$WORK/v2.csv" 2>/dev/null
	[ "$(refs --changed-since 2026-11-03T09:30:00Z)" = "SYN-20261102-0020 " ]
}

@test "worklist --status reopened, in any case" {
	setup_store
	"$RT" status SYN-20261102-0012 nfa --note "synthetic" 2>/dev/null
	"$RT" status SYN-20261102-0012 REOPENED --note "new information" 2>/dev/null
	[ "$("$RT" worklist --format csv --status Reopened 2>/dev/null | tail -n +2 | cut -d, -f2)" = "SYN-20261102-0012" ]
}
