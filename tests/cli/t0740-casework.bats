#!/usr/bin/env bats
# The work around the list (casework.md section 5): notes, duplicates,
# waiting for a partner, transfers, bulk changes, reassigning, the roster.

load helper

A=SYN-20261102-0001
B=SYN-20261102-0002
C=SYN-20261102-0003

load_day() {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

listed() { "$RT" worklist --format csv 2>/dev/null | tail -n +2 | cut -d, -f2 | grep -qx "$1"; }
due_of() { sql "SELECT s.due_at FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = '$1'"; }
state_of() { sql "SELECT status FROM packages WHERE ref = '$1'"; }
last_audit() { sql "SELECT action || '|' || details FROM audit WHERE action NOT IN ('show', 'worklist') ORDER BY seq DESC LIMIT 1"; }

@test "note: history and audit without a change of status, and in worklist --changed-since" {
	pin_clock 2026-11-03T08:00:00Z
	load_day
	"$RT" status $A in_progress 2>/dev/null
	pin_clock 2026-11-03T10:00:00Z
	rt --operator dc.ahmed note $A "Rang the platform's liaison desk (SYNTHETIC)"
	expect_status 0
	expect_err1 "reftriage: note: $A: note added (in_progress)"
	[ "$(state_of $A)" = in_progress ]
	[ "$(last_audit)" = 'note|{"from":"in_progress","to":"in_progress","note":"Rang the platform'"'"'s liaison desk (SYNTHETIC)","version":1}' ]
	rt audit log --format json
	grep '"action":"note"' <<<"$output" | grep -q '"category":"alteration"'
	rt show $A
	expect_out_has "  2026-11-03 10:00 UTC  dc.ahmed  note (in_progress)"
	expect_out_has "      note: Rang the platform's liaison desk (SYNTHETIC)"
	refs=$("$RT" worklist --format csv --changed-since 2026-11-03T09:30:00Z 2>/dev/null | tail -n +2 | cut -d, -f2)
	[ "$refs" = "$A" ]
	# A closed package takes a note too, and stays closed.
	"$RT" status $B nfa --note "No offence (SYNTHETIC)" 2>/dev/null
	rt note $B "Partner agency informed (SYNTHETIC)"
	expect_status 0
	[ "$(state_of $B)" = nfa ]
	! listed $B
	# Repeating the status is refused and points to note.
	rt status $A in_progress
	expect_status 65
	expect_err1 "reftriage: $A: is already in_progress (to add a note without a change: 'reftriage note REF TEXT')"
}

@test "note: an unknown ref, an empty or binary note: an error, nothing recorded" {
	load_day
	rt note SYN-NOPE-1 "x"
	expect_status 65
	expect_err1 "reftriage: note: no package with ref 'SYN-NOPE-1' in $REFTRIAGE_DB"
	rt note $A ""
	expect_status 64
	rt note $A $'bad\x01text'
	expect_status 64
	rt note $A
	expect_status 64
	[ "$(sql 'SELECT count(*) FROM package_events')" = 0 ]
}

@test "duplicate --of OTHER: closed, show of either names the other, a new version reopens it" {
	load_day
	rt status $B duplicate --of $A
	expect_status 0
	expect_err1 "reftriage: status: $B: new -> duplicate"
	[ "$(state_of $B)" = duplicate ]
	! listed $B
	listed $A
	[ "$(last_audit)" = 'status|{"from":"new","to":"duplicate","of":"'$A'","version":1}' ]
	rt show $B
	expect_out_has "duplicate of $A"
	rt show $A
	expect_out_has "duplicates  $B"
	rt show $B --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["duplicate_of"]=="'$A'", d["duplicate_of"]; assert d["history"][0]["of"]=="'$A'"' "$output"
	rt show $A --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["duplicates"]==["'$B'"], d["duplicates"]' "$output"
	# Counted as duplicate, not as nfa.
	rt stats
	expect_out_has "  duplicate                    1"
	! grep -q "^  nfa " <<<"$output"
	# A new version reopens it like any closed package.
	python3 - "$SAMPLES/referrals-2026-11-02.csv" "$WORK/v2.csv" "$B" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
w = csv.DictWriter(open(sys.argv[2], "w", newline=""), fieldnames=list(rows[0]))
w.writeheader()
row = next(r for r in rows if r["package_ref"] == sys.argv[3])
row["summary"] = "SYNTHETIC TEST RECORD. A second version with new information."
w.writerow(row)
PY
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	[ "$(state_of $B)" = reopened ]
	listed $B
	rt show $A
	! grep -q "duplicates" <<<"$output"
}

@test "duplicate: without --of 64; --of an unknown package or itself 65; nothing changed" {
	load_day
	rt status $B duplicate
	expect_status 64
	expect_err1 "reftriage: status: duplicate needs --of OTHER, the package it duplicates (see 'reftriage status --help')"
	rt status $B duplicate --of SYN-NOPE-9
	expect_status 65
	expect_err1 "reftriage: status: no package with ref 'SYN-NOPE-9' in $REFTRIAGE_DB"
	rt status $B duplicate --of $B
	expect_status 65
	expect_err1 "reftriage: $B: cannot be a duplicate of itself"
	rt status $B in_progress --of $A
	expect_status 64
	[ "$(sql 'SELECT count(*) FROM package_events')" = 0 ]
}

@test "awaiting_info: open, stays listed with its due time, alerted; needs --note" {
	load_day
	due=$(due_of $A)
	rt status $A awaiting_info
	expect_status 65
	expect_err1 "reftriage: $A: awaiting_info needs --note: a decision to wait for a partner must be recorded with its reason"
	rt status $A awaiting_info --note "Waiting for social care's checks (SYNTHETIC)"
	expect_status 0
	[ "$(state_of $A)" = awaiting_info ]
	listed $A
	[ "$(due_of $A)" = "$due" ]
	"$RT" score --as-of 2026-11-03T09:00:00Z 2>/dev/null
	[ "$(due_of $A)" = "$due" ]
	rt alert --now 2026-11-05T00:00:00Z --format json
	expect_status 1
	grep -q "\"$A\"" <<<"$output"
	"$RT" worklist --format csv --status awaiting_info 2>/dev/null | grep -q "^[0-9]*,$A,"
}

@test "transfer: --to is pending (listed, due time stands) until --their-ref closes it" {
	load_day
	due=$(due_of $C)
	rt status $C transferred
	expect_status 64
	expect_err_has "transferred needs --to FORCE"
	rt status $C transferred --to "Northshire Police"
	expect_status 65
	expect_err1 "reftriage: $C: transferred needs --note: a decision to transfer must be recorded with its reason"
	rt status $C transferred --their-ref NS/2026/1
	expect_status 65
	expect_err1 "reftriage: $C: has no transfer pending (it is new): name the force with --to FORCE and say why with --note"
	[ "$(sql 'SELECT count(*) FROM package_events')" = 0 ]
	rt status $C transferred --to "Northshire Police" --note "Subject lives in Northshire (SYNTHETIC)"
	expect_status 0
	expect_err1 "reftriage: status: $C: new -> transfer_pending"
	[ "$(state_of $C)" = transfer_pending ]
	listed $C
	[ "$(due_of $C)" = "$due" ]
	rt show $C
	expect_out_has "transfer  to Northshire Police, pending their reference"
	rt status $C transferred --their-ref NS/2026/1
	expect_status 0
	expect_err1 "reftriage: status: $C: transfer_pending -> transferred"
	[ "$(state_of $C)" = transferred ]
	! listed $C
	[ "$(last_audit)" = 'status|{"from":"transfer_pending","to":"transferred","their_ref":"NS/2026/1","version":1}' ]
	rt show $C
	expect_out_has "transfer  to Northshire Police, their ref NS/2026/1"
}

@test "bulk: several refs change together; one bad ref changes none (65)" {
	load_day
	"$RT" status $C nfa --note "synthetic" 2>/dev/null
	before=$(sql 'SELECT count(*) FROM package_events')
	rt assign $A $B SYN-NOPE-1 $C --to dc.ahmed
	expect_status 65
	expect_err_has "no package with ref 'SYN-NOPE-1'"
	expect_err_has "$C: is nfa (closed)"
	expect_err_has "nothing changed"
	[ "$(sql 'SELECT count(*) FROM package_events')" = "$before" ]
	[ "$(sql "SELECT count(*) FROM packages WHERE assigned_to IS NOT NULL")" = 0 ]
	rt status $A $B $A in_progress
	expect_status 65
	expect_err_has "$A: is named twice"
	[ "$(sql 'SELECT count(*) FROM package_events')" = "$before" ]
	rt assign $A $B --to dc.ahmed
	expect_status 0
	[ "$(sql "SELECT count(*) FROM packages WHERE assigned_to = 'dc.ahmed'")" = 2 ]
	rt status $A $B in_progress
	expect_status 0
	[ "$(state_of $A)$(state_of $B)" = in_progressin_progress ]
	# One audit entry and one history row a package.
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'status' AND details LIKE '%\"to\":\"in_progress\"%'")" = 2 ]
}

@test "reassigning a package someone else holds says so on stderr; the history keeps both" {
	load_day
	"$RT" assign $A --to dc.jones 2>/dev/null
	rt --quiet assign $A --to ds.patel
	expect_status 0
	expect_err1 "reftriage: assign: $A: was dc.jones, now assigned to ds.patel"
	rt show $A
	expect_out_has "assigned to dc.jones (new -> assigned)"
	expect_out_has "assigned to ds.patel"
}

@test "team: a roster makes names one person in any case, with did-you-mean" {
	load_day
	# Without a roster names are free text.
	rt assign $A --to "Anyone At All"
	expect_status 0
	rt team add DS.Patel dc.jones
	expect_status 0
	expect_err_has "2 names added to the roster"
	[ "$(last_audit)" = 'team|{"added":"DS.Patel","added":"dc.jones","count":2}' ]
	rt team add ds.patel
	expect_status 0
	expect_err_has "ds.patel is on the roster already"
	rt team list
	expect_status 0
	[ "$(cut -f1 <<<"$output" | tr '\n' ' ')" = "dc.jones DS.Patel " ]
	rt assign $B --to ds.patel
	expect_status 0
	[ "$(sql "SELECT assigned_to FROM packages WHERE ref = '$B'")" = DS.Patel ]
	rt assign $C --to ds.patl
	expect_status 65
	expect_err1 "reftriage: $REFTRIAGE_DB: --to: 'ds.patl' is not on the team's roster ('reftriage team list'; 'reftriage team add NAME' adds one) (did you mean 'DS.Patel'?)"
	[ "$(sql "SELECT assigned_to IS NULL FROM packages WHERE ref = '$C'")" = 1 ]
	# A second person (an NFA's sign-off, an override's approval) is on the roster too.
	rt status $C nfa --note "No offence disclosed (SYNTHETIC)" --approved-by ds.patl
	expect_status 65
	expect_err_has "'ds.patl' is not on the team's roster"
	expect_err_has "did you mean 'DS.Patel'?"
	rt override $C P4 --code risk-overstated --note "Out of date (SYNTHETIC)" --approved-by ds.patl
	expect_status 65
	expect_err_has "'ds.patl' is not on the team's roster"
	[ "$(sql "SELECT status FROM packages WHERE ref = '$C'")" = new ]
	[ "$(sql "SELECT count(*) FROM overrides")" = 0 ]
	# --assigned-to matches the roster in any case, even before anyone is assigned.
	rt worklist --format csv --assigned-to ds.PATEL
	expect_status 0
	[ "$(tail -n +2 <<<"$output" | cut -d, -f2)" = "$B" ]
	rt worklist --format csv --assigned-to DC.JONES
	expect_status 0
	rt worklist --format csv --assigned-to dc.jnoes
	expect_status 65
	expect_err_has "did you mean 'dc.jones'?"
	rt team remove DC.jones
	expect_status 0
	expect_err_has "dc.jones removed from the roster"
	rt team remove nobody
	expect_status 65
	rt team frob
	expect_status 64
	rt team add ""
	expect_status 64
}
