#!/usr/bin/env bats
# The audit trail's index of refs (schema 22): what 'audit log --ref' reads.
# A consultation's refs wait outside the index until a writer (or 20,000
# waiting refs) brings it up to date; the log finds them either way, and
# 'audit verify' says when the index was made to hide an entry.

load helper

setup_store() {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	REF=$("$RT" worklist --format csv 2>/dev/null | sed -n 2p | cut -d, -f2)
}

# The samples, their top package shown and then assigned: the show indexed.
shown_then_assigned() {
	setup_store
	"$RT" show "$REF" >/dev/null 2>&1
	"$RT" assign "$REF" --to alice 2>/dev/null
}

indexed_upto() {
	sql "SELECT value FROM meta WHERE key = 'audit_refs_indexed'"
}

# Whether the index holds REF for entry SEQ: 1 or 0.
in_index() {
	sql "SELECT count(*) FROM audit_ref_index WHERE ref = '$1' AND seq = $2"
}

@test "a consultation's refs wait outside the index; audit log --ref finds them; a writer indexes them" {
	setup_store
	"$RT" --operator carol show "$REF" >/dev/null 2>&1
	s=$(sql "SELECT max(seq) FROM audit WHERE action = 'show'")
	[ "$(in_index "$REF" "$s")" = 0 ]
	[ "$(indexed_upto)" -lt "$s" ]
	rt audit log --ref "$REF" --action show --format ndjson
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 1 ]
	[[ "$output" == *"\"seq\":$s,"* ]]
	[[ "$output" == *"\"operator\":\"carol\""* ]]
	# Every import and the worklist that named it are found too, indexed.
	rt audit log --ref "$REF" --format ndjson
	echo "$output" | python3 -c '
import json, sys
acts = [json.loads(l)["action"] for l in sys.stdin]
assert {"import", "worklist", "show"} <= set(acts), acts'
	# A writer's entry brings the index up to itself, the waiting refs included.
	"$RT" assign "$REF" --to alice 2>/dev/null
	a=$(sql "SELECT max(seq) FROM audit WHERE action = 'assign'")
	[ "$(in_index "$REF" "$s")" = 1 ]
	[ "$(in_index "$REF" "$a")" = 1 ]
	[ "$(indexed_upto)" = "$a" ]
	# Found once, not twice, now that it is indexed.
	rt audit log --ref "$REF" --action show --format ndjson
	[ "$(echo "$output" | wc -l)" = 1 ]
	rt audit verify
	expect_status 0
}

@test "the index is append-only, and verify names an entry removed from it" {
	shown_then_assigned
	s=$(sql "SELECT max(seq) FROM audit WHERE action = 'show'")
	[ "$(in_index "$REF" "$s")" = 1 ]
	run sqlite3 "$REFTRIAGE_DB" "DELETE FROM audit_ref_index WHERE seq = $s"
	[ "$status" -ne 0 ]
	[[ "$output" == *"append-only"* ]]
	run sqlite3 "$REFTRIAGE_DB" "UPDATE audit_ref_index SET ref = 'X' WHERE seq = $s"
	[ "$status" -ne 0 ]
	# Past the triggers: the entry would vanish from 'audit log --ref'; verify says so.
	sqlite3 "$REFTRIAGE_DB" "DROP TRIGGER audit_ref_index_no_delete;
		DELETE FROM audit_ref_index WHERE ref = '$REF' AND seq = $s"
	rt audit log --ref "$REF" --action show --format ndjson
	[ -z "$output" ]
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry $s: its refs were removed from the index of refs, so 'audit log --ref' would not find it"
}

@test "a consultation indexes the waiting refs once 20,000 wait, and not before" {
	init_store
	python3 "$TOP/src/tools/gen-packages.py" bulk 20000 7 csv "$WORK/bulk.csv"
	"$RT" import "$WORK/bulk.csv" 2>/dev/null
	i=$(sql "SELECT seq FROM audit WHERE action = 'import'")
	[ "$(sql "SELECT n_refs FROM audit WHERE seq = $i")" = 20000 ]
	[ "$(indexed_upto)" -ge "$i" ]
	ref=$(sql "SELECT ref FROM audit_refs WHERE seq = $i AND pos = 1")
	# A few refs waiting: the consultation leaves the index as it was.
	before=$(indexed_upto)
	"$RT" show "$ref" >/dev/null 2>&1
	[ "$(indexed_upto)" = "$before" ]
	# The import's 20,000 refs counted as waiting (as if a long run of
	# consultations had named them): the next consultation indexes them all.
	sql "UPDATE meta SET value = $((i - 1)) WHERE key = 'audit_refs_indexed'"
	"$RT" show "$ref" >/dev/null 2>&1
	s=$(sql "SELECT max(seq) FROM audit WHERE action = 'show'")
	[ "$(indexed_upto)" = "$s" ]
	[ "$(in_index "$ref" "$s")" = 1 ]
	rt audit verify
	expect_status 0
}

@test "a store of schema 21 gets the index with every ref it had, and the wider index of the open" {
	shown_then_assigned
	n=$(sql "SELECT count(*) FROM (SELECT DISTINCT ref, seq FROM audit_refs)")
	# Schema 21 as it was: the index on audit_refs, the narrow index of the open.
	sql "DROP TABLE audit_ref_index; DELETE FROM meta WHERE key = 'audit_refs_indexed';
		CREATE INDEX audit_refs_by_ref ON audit_refs (ref, seq);
		DROP INDEX packages_open; CREATE INDEX packages_open ON packages (id) WHERE (status = 'new' OR status = 'assigned' OR status = 'in_progress' OR status = 'reopened' OR status = 'awaiting_info' OR status = 'transfer_pending');
		PRAGMA user_version = 21"
	rt audit log --ref "$REF" --format ndjson
	expect_status 0
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql "SELECT count(*) FROM sqlite_master WHERE name = 'audit_refs_by_ref'")" = 0 ]
	[ "$(sql "SELECT count(*) FROM audit_ref_index")" = "$n" ]
	[ "$(sql "SELECT count(*) FROM pragma_index_info('packages_open')")" = 5 ]
	echo "$output" | python3 -c '
import json, sys
acts = [json.loads(l)["action"] for l in sys.stdin]
assert {"import", "worklist", "show", "assign"} <= set(acts), acts'
	rt audit verify
	expect_status 0
	# alert reads the wider index and shows what it did before.
	rt alert --now 2026-11-02T12:00:00Z --within 720
	expect_status 1
	expect_out_has "$REF"
	expect_out_has "alice"
}
