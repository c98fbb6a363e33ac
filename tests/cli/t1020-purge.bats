#!/usr/bin/env bats
# Retention and erasure: purge takes the content of closed packages out of the
# store file, keeps refs, hashes and history, and leaves a verifiable trail.

load helper

# Three packages: OLD closed long ago, RECENT closed today, OPEN still open.
# OLD carries a marker in its summary, its identifiers and a quarantined record.
three() {
	init_store
	for r in OLD-1 RECENT-1 OPEN-1; do
		printf '{"package_ref":"%s","received_at":"2024-12-01","source":"CEOP","referral_type":"grooming","summary":"SYNTHETIC %s ZQXJMARKER","identifiers":[{"type":"username","token":"zqxj-%s"}]}\n' "$r" "$r" "$r"
	done >in.ndjson
	printf '{"package_ref":"OLD-1","received_at":"2024-12-01","source":"CEOP","referral_type":"nope","summary":"SYNTHETIC ZQXJQUARANTINED"}\n' >bad.ndjson
	"$RT" import in.ndjson bad.ndjson 2>/dev/null || true
	REFTRIAGE_NOW=2025-01-10T09:00:00Z "$RT_CLOCK" status OLD-1 nfa --note "no offence" 2>/dev/null
	"$RT" status RECENT-1 actioned 2>/dev/null
}

@test "purge erases a closed package's content, keeps its ref, hashes and history" {
	three
	hash=$(sql "SELECT hex(content_hash) FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.ref = 'OLD-1'")
	rt --reason "retention policy R-7" purge --closed-before 2025-06-01
	expect_status 0
	expect_err_has "erased the content of 1 package closed before 2025-06-01T00:00:00Z (1 version, 1 quarantined record, 1 score)"
	[ "$(sql "SELECT length(facts) FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.ref = 'OLD-1'")" = 0 ]
	[ "$(sql "SELECT hex(content_hash) FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.ref = 'OLD-1'")" = "$hash" ]
	[ "$(sql "SELECT count(*) FROM package_keys k JOIN packages p ON p.id = k.package_id WHERE p.ref = 'OLD-1'")" = 0 ]
	[ "$(sql "SELECT count(*) FROM quarantine WHERE package_ref = 'OLD-1'")" = 0 ]
	[ "$(sql "SELECT count(*) FROM package_events e JOIN packages p ON p.id = e.package_id WHERE p.ref = 'OLD-1'")" = 1 ]
	# The others are untouched.
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 2 ]
	# The erasure is in the trail, with its refs and reason, and the trail verifies.
	[ "$(sql "SELECT reason FROM audit WHERE action = 'purge'")" = "retention policy R-7" ]
	[ "$(sql "SELECT group_concat(ref) FROM audit_refs WHERE seq = (SELECT seq FROM audit WHERE action = 'purge')")" = OLD-1 ]
	rt audit verify
	expect_status 0
	rt purge --closed-before 2025-06-01
	expect_status 0
	expect_err_has "erased the content of 0 packages"
}

@test "the erased content is not left in the store file or its journal" {
	three
	grep -q ZQXJMARKER "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" 2>/dev/null
	"$RT" purge --closed-before 2025-06-01 2>/dev/null
	run grep -c "SYNTHETIC OLD-1" "$REFTRIAGE_DB"
	[ "$output" = 0 ]
	run grep -c "ZQXJQUARANTINED" "$REFTRIAGE_DB"
	[ "$output" = 0 ]
	run grep -c "zqxj-OLD-1" "$REFTRIAGE_DB"
	[ "$output" = 0 ]
	[ ! -s "$REFTRIAGE_DB-wal" ]
	# The packages that stay are still there.
	grep -q "SYNTHETIC OPEN-1" "$REFTRIAGE_DB"
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
}

@test "purge --dry-run lists what would go, changes nothing, and is recorded" {
	three
	rt purge --closed-before 2025-06-01 --dry-run
	expect_status 0
	[ "$output" = "$(printf 'OLD-1\t2025-01-10T09:00:00Z')" ]
	expect_err_has "1 package would be erased [dry run]"
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 3 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'purge dry-run'")" = 1 ]
	rt purge --closed-before "$(date -u -d tomorrow +%F)"
	expect_status 64
	rt purge
	expect_status 64
}

@test "a purged package shows as erased and cannot be reopened" {
	three
	"$RT" purge --closed-before 2025-06-01 2>/dev/null
	rt show OLD-1
	expect_status 0
	expect_out_has "content   erased by purge on"
	[[ "$output" != *ZQXJMARKER* ]]
	rt show OLD-1 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["erased_at"] and d["versions"][0]["package"] is None and len(d["versions"][0]["content_hash"]) == 64'
	rt status OLD-1 in_progress --note "new information"
	expect_status 65
	expect_err1 "reftriage: OLD-1: cannot be reopened: its content was erased by purge"
	rt audit verify
	expect_status 0
}

@test "purge keeps a floor: a DATE within retention_days is refused without --force, nothing erased" {
	three
	# A wrong year: every closure of the last year, RECENT-1 among them.
	rt purge --closed-before "$(date -u -d tomorrow +%F)" --force
	expect_status 64
	rt purge --closed-before "$(date -u +%F)"
	expect_status 65
	expect_err_has "is within the 365 days the store keeps (retention_days): the latest DATE allowed is"
	expect_err_has "nothing erased (give --force to erase all the same)"
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 3 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action LIKE 'purge%'")" = 0 ]
	# A dry run is held to the same floor: it shows what the purge would do.
	rt purge --closed-before "$(date -u +%F)" --dry-run
	expect_status 65
	# The floor moves with the setting.
	day40=$(date -u -d '40 days ago' +%F)
	rt purge --closed-before "$day40" --dry-run
	expect_status 65
	"$RT" settings retention_days 30 2>/dev/null
	rt purge --closed-before "$day40" --dry-run
	expect_status 0
	expect_out_has "OLD-1"
	# --force goes below the floor, says so, and the trail records it.
	rt purge --closed-before "$(date -u -d '1 hour ago' +%FT%TZ)" --force
	expect_status 0
	expect_err_has "warning: --force: --closed-before"
	expect_err_has "erased the content of 1 package"
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 2 ]
	[ "$(sql "SELECT json_extract(details, '\$.forced') || ',' || json_extract(details, '\$.retention_days') FROM audit WHERE action = 'purge'")" = "1,30" ]
	rt audit verify
	expect_status 0
}

@test "--dry-run has no short form: -n is --limit elsewhere" {
	three
	rt purge -n --closed-before 2025-06-01
	expect_status 64
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 3 ]
	rt import -n "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 64
}

@test "on a terminal purge prints the count and goes on only when the word purge is typed" {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	three
	out=$(printf 'yes\n' | script -qec "'$RT' purge --closed-before 2025-06-01" /dev/null 2>&1) && st=0 || st=$?
	[ "$st" = 1 ]
	[[ "$out" == *"1 package closed before 2025-06-01T00:00:00Z will have its content erased; this cannot be undone."* ]]
	[[ "$out" == *"Type purge to go on"* ]]
	[[ "$out" == *"not confirmed: nothing erased"* ]]
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 3 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'purge'")" = 0 ]
	out=$(printf 'purge\n' | script -qec "'$RT' purge --closed-before 2025-06-01" /dev/null 2>&1)
	[[ "$out" == *"erased the content of 1 package"* ]]
	[ "$(sql "SELECT count(*) FROM package_versions WHERE length(facts) > 0")" = 2 ]
	[ "$(sql "SELECT json_extract(details, '\$.confirmed') FROM audit WHERE action = 'purge'")" = 1 ]
}
