#!/usr/bin/env bats
# reftriage assign and status: transitions, history, the worklist, updates.

load helper

REF=SYN-20261102-0001

load_day() {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

in_worklist() { "$RT" worklist 2>/dev/null | grep -q "^[0-9]*,$1,"; }

@test "assign, work and close a package: each change recorded with time and operator" {
	load_day
	pin_clock 2026-11-03T09:00:00Z
	rt --operator sgt.k assign $REF --to dc.ahmed
	expect_status 0
	expect_err1 "reftriage: assign: $REF: assigned to dc.ahmed (assigned)"
	rt --operator dc.ahmed status $REF in_progress
	expect_status 0
	expect_err1 "reftriage: status: $REF: assigned -> in_progress"
	rt --operator dc.ahmed status $REF actioned --note "Safeguarding visit made (SYNTHETIC)"
	expect_status 0
	[ "$(sql "SELECT status || '|' || assigned_to FROM packages WHERE ref = '$REF'")" = "actioned|dc.ahmed" ]
	rt show $REF
	expect_out_has "  2026-11-03 09:00 UTC  sgt.k  assigned to dc.ahmed (new -> assigned)"
	expect_out_has "  2026-11-03 09:00 UTC  dc.ahmed  assigned -> in_progress"
	expect_out_has "  2026-11-03 09:00 UTC  dc.ahmed  in_progress -> actioned"
	expect_out_has "      note: Safeguarding visit made (SYNTHETIC)"
}

@test "closed packages leave the worklist but stay in show; reopening brings them back, rescored" {
	load_day
	in_worklist $REF
	"$RT" status $REF nfa --note "Duplicate of a live investigation (SYNTHETIC)" 2>/dev/null
	! in_worklist $REF
	rt show $REF
	expect_status 0
	expect_out_has "status    nfa"
	# Its score stays as it was when it closed, while the others are rescored.
	"$RT" score --as-of 2026-11-04T08:00:00Z 2>/dev/null
	rt show $REF
	expect_out_has "scored    as of 2026-11-03 08:00 UTC, version 1"
	expect_out_has "rules     reftriage default triage policy 2026.11-3 ($(b2sum -l 256 "$TOP/rules/default.json" | cut -c1-12))"
	rt show SYN-20261102-0002
	expect_out_has "scored    as of 2026-11-04 08:00 UTC"
	[ "$(sql 'SELECT count(*) FROM scores WHERE as_of IS NOT NULL')" = 1 ]
	rt status $REF in_progress --note "New information"
	expect_status 0
	in_worklist $REF
	# Scored at the store's as_of like every other open package.
	rt show $REF
	expect_out_has "scored    as of 2026-11-04 08:00 UTC"
	[ "$(sql 'SELECT count(*) FROM scores WHERE as_of IS NOT NULL')" = 0 ]
}

@test "invalid transitions: a clear error, exit 65, nothing changed" {
	load_day
	before=$(sql "SELECT status FROM packages WHERE ref = '$REF'")
	rt status $REF assigned
	expect_status 65
	expect_err1 "reftriage: $REF: has nobody to be assigned to: use 'reftriage assign $REF --to NAME'"
	rt status $REF new
	expect_status 65
	expect_err1 "reftriage: $REF: is already new"
	rt status $REF nfa
	expect_status 65
	expect_err1 "reftriage: $REF: nfa needs --note: a decision to take no further action must be recorded with its reason"
	rt status $REF transferred
	expect_status 65
	[ "$(sql "SELECT status FROM packages WHERE ref = '$REF'")" = "$before" ]
	"$RT" status $REF in_progress 2>/dev/null
	rt status $REF new
	expect_status 65
	expect_err1 "reftriage: $REF: cannot go back to new (new means nobody has touched it)"
	rt status $REF in_progress
	expect_status 65
	expect_err1 "reftriage: $REF: is already in_progress"
	"$RT" status $REF actioned 2>/dev/null
	rt status $REF in_progress
	expect_status 65
	expect_err1 "reftriage: $REF: is actioned (closed): changing a closed package needs --note WHY"
	rt assign $REF --to someone
	expect_status 65
	expect_err1 "reftriage: $REF: is actioned (closed): reopen it first with 'reftriage status $REF in_progress --note WHY'"
	[ "$(sql "SELECT count(*) FROM package_events")" = 2 ]
}

@test "usage errors: exit 64" {
	load_day
	rt status $REF done
	expect_status 64
	expect_err1 "reftriage: status: STATE takes new, assigned, in_progress, reopened, actioned, nfa or transferred, not 'done' (see 'reftriage status --help')"
	rt status $REF
	expect_status 64
	rt assign $REF
	expect_status 64
	expect_err1 "reftriage: assign: say who with --to NAME (see 'reftriage assign --help')"
	rt assign $REF --to $'bad\nname'
	expect_status 64
	rt status SYN-NOPE-1 in_progress
	expect_status 65
	expect_err1 "reftriage: status: no package with ref 'SYN-NOPE-1' in $REFTRIAGE_DB"
}

@test "a re-sent, changed package keeps its state and is flagged updated since assigned" {
	load_day
	"$RT" assign SYN-20261102-0005 --to dc.lee 2>/dev/null
	"$RT" status SYN-20261102-0005 in_progress 2>/dev/null
	sed 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import "$WORK/v2.csv" 2>/dev/null
	[ "$(sql "SELECT status || '|' || assigned_to || '|' || updated FROM packages WHERE ref = 'SYN-20261102-0005'")" = "in_progress|dc.lee|1" ]
	rt show SYN-20261102-0005
	expect_out_has "status    in_progress (updated since assigned: a newer version has arrived)"
	# The next workflow change acknowledges it.
	"$RT" assign SYN-20261102-0005 --to dc.khan 2>/dev/null
	[ "$(sql "SELECT updated FROM packages WHERE ref = 'SYN-20261102-0005'")" = 0 ]
}

not_in_worklist() { if in_worklist "$1"; then echo "$1 is in the worklist" >&2; return 1; fi; }

# A night's file carrying SYN-20261102-0005 with a changed subject_age (52 -> $1).
night_with_age() {
	{ head -1 "$SAMPLES/referrals-2026-11-02.csv"; grep '^SYN-20261102-0005,' "$SAMPLES/referrals-2026-11-02.csv" | sed "s/,52,/,$1,/"; } >"$WORK/night-$1.csv"
}

@test "closed, then a new version: reopened with its assignee; re-closed, the same files again keep it closed" {
	load_day
	R=SYN-20261102-0005
	"$RT" assign $R --to dc.lee 2>/dev/null
	"$RT" --operator dc.lee status $R nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	not_in_worklist $R
	night_with_age 53
	rt_at 2026-11-04T02:00:00Z --operator nightly import "$WORK/night-53.csv"
	expect_status 0
	expect_err1_starts "reftriage: import: $WORK/night-53.csv: 1 imported (0 new, 1 updated, 1 reopened), 0 unchanged, 0 rejected; closed reopened: $R; scored "
	[ "$(sql "SELECT status || '|' || assigned_to || '|' || updated || '|' || latest_version FROM packages WHERE ref = '$R'")" = "reopened|dc.lee|1|2" ]
	in_worklist $R
	# In the history, as a status change by the importing operator.
	[ "$(sql "SELECT e.operator || '|' || e.from_status || '|' || e.to_status || '|' || e.note FROM package_events e JOIN packages p ON p.id = e.package_id WHERE p.ref = '$R' ORDER BY e.id DESC LIMIT 1")" = "nightly|nfa|reopened|reopened: new version 2" ]
	rt show $R
	expect_out_has "nightly  nfa -> reopened"
	# And in the audit trail: the import's entry names what it reopened.
	[ "$(sql "SELECT json_extract(details, '$.reopened') || '|' || json_extract(details, '$.reopened_refs') FROM audit WHERE action = 'import' ORDER BY seq DESC LIMIT 1")" = "1|$R" ]
	# A person closes it again; the night's files come again, in any order: it stays closed.
	"$RT" --operator dc.lee status $R actioned --note "Checked the new version (SYNTHETIC)" 2>/dev/null
	rt import "$WORK/night-53.csv" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 0
	expect_err1_starts "reftriage: import: 2 files: 0 imported (0 new, 0 updated, 0 reopened), 61 unchanged, 0 rejected; scored 59 open packages as of "
	[ "$(sql "SELECT status || '|' || latest_version || '|' || updated FROM packages WHERE ref = '$R'")" = "actioned|2|0" ]
	not_in_worklist $R
}

@test "status REF reopened by hand: only a closed package, with --note; from reopened a person moves on" {
	load_day
	R=SYN-20261102-0005
	rt status $R reopened --note "why"
	expect_status 65
	expect_err1 "reftriage: $R: is new (open): only a closed package can be reopened"
	"$RT" status $R nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	rt status $R reopened
	expect_status 65
	expect_err1 "reftriage: $R: is nfa (closed): changing a closed package needs --note WHY"
	rt status $R reopened --note "New intelligence (SYNTHETIC)"
	expect_status 0
	expect_err1 "reftriage: status: $R: nfa -> reopened"
	in_worklist $R
	[ -n "$(sql "SELECT as_of IS NULL FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = '$R'")" ]
	rt assign $R --to dc.khan
	expect_status 0
	expect_err1 "reftriage: assign: $R: assigned to dc.khan (reopened)"
	rt status $R in_progress
	expect_status 0
	rt status $R reopened --note "again"
	expect_status 65
	"$RT" status $R actioned --note "Done (SYNTHETIC)" 2>/dev/null
	not_in_worklist $R
}

@test "the automatic reopen keeps the updated mark; a person's status change clears it" {
	load_day
	R=SYN-20261102-0005
	"$RT" status $R nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	night_with_age 54
	"$RT" import "$WORK/night-54.csv" 2>/dev/null
	[ "$("$RT" worklist --format csv 2>/dev/null | grep "^[0-9]*,$R," | awk -F, '{print $8, $13}' | tr -d '\r')" = "reopened true" ]
	"$RT" status $R in_progress 2>/dev/null
	[ "$("$RT" worklist --format csv 2>/dev/null | grep "^[0-9]*,$R," | awk -F, '{print $8, $13}' | tr -d '\r')" = "in_progress false" ]
}

# A package received 18 Nov, closed NFA, then sent again on 27 Nov with a meeting proposed
# for 30 Nov: P1 (a meeting within 7 days), due within 24 h of the new version's arrival.
reopen_with_meeting() {
	init_store
	printf '{"package_ref":"SYN-RO-1","received_at":"2026-11-18T10:00:00Z","source":"CEOP","referral_type":"grooming"}\n' >"$WORK/v1.ndjson"
	printf '{"package_ref":"SYN-RO-1","received_at":"2026-11-18T10:00:00Z","source":"CEOP","referral_type":"grooming","meeting_proposed":true,"meeting_date":"2026-11-30"}\n' >"$WORK/v2.ndjson"
	REFTRIAGE_NOW=2026-11-18T12:00:00Z "$RT_CLOCK" import "$WORK/v1.ndjson" 2>/dev/null
	REFTRIAGE_NOW=2026-11-19T09:00:00Z "$RT_CLOCK" status SYN-RO-1 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	REFTRIAGE_NOW=2026-11-27T12:00:00Z "$RT_CLOCK" import "$WORK/v2.ndjson" 2>/dev/null
}

@test "a package reopened by a new version is due from that version's arrival, not born overdue" {
	reopen_with_meeting
	[ "$(sql "SELECT status FROM packages WHERE ref = 'SYN-RO-1'")" = reopened ]
	# Clock start 27 Nov 12:00 (the version stored), not 18 Nov 10:00 (received): P1 due
	# 24 h later, 28 Nov 12:00, before the meeting day (30 Nov 00:00). Before: due 19 Nov 10:00.
	[ "$(sql "SELECT s.priority || '|' || strftime('%Y-%m-%dT%H:%M:%SZ', s.due_at / 1000000, 'unixepoch') || '|' || s.overdue FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = 'SYN-RO-1'")" = "0|2026-11-28T12:00:00Z|0" ]
	rt_at 2026-11-27T13:00:00Z worklist --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
items = [x for x in json.load(sys.stdin)["items"] if x["package_ref"] == "SYN-RO-1"]
assert len(items) == 1 and items[0]["priority"] == "P1", items
assert items[0]["due_at"] == "2026-11-28T12:00:00Z" and items[0]["overdue"] is False, items
'
	# The priority history: P4 from the first import (due 30 days after receipt), P1 from the reopen.
	[ "$(sql "SELECT group_concat(h.priority || '@' || strftime('%Y-%m-%dT%H:%M', h.at / 1000000, 'unixepoch'), ' ') FROM (SELECT * FROM priority_history ORDER BY id) h")" = "P4@2026-11-18T12:00 P1@2026-11-27T12:00" ]
}
