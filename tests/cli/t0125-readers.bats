#!/usr/bin/env bats
# Readers are never refused because a writer is busy; their s.62 entries are
# still recorded, in order, with nothing lost (issue 14, items 2 and 3;
# docs/security.md "Consultations while a writer works").

load helper

# Take the store's write lock in a sqlite3 process until told to let go.
hold_lock() {
	mkfifo "$WORK/hold" "$WORK/ready"
	(sqlite3 "$REFTRIAGE_DB" "BEGIN IMMEDIATE; INSERT INTO meta VALUES ('lock', 'held');" ".shell echo ready >'$WORK/ready'" ".shell cat '$WORK/hold' >/dev/null" "ROLLBACK;") &
	holder=$!
	read -r _ <"$WORK/ready"
}
release_lock() {
	echo go >"$WORK/hold"
	wait "$holder"
	rm -f "$WORK/hold" "$WORK/ready"
}
entries() { sql "SELECT count(*) FROM audit WHERE action = '$1'"; }

@test "a writer holding the store past --wait: the reader reads, its entry is spooled, the next writer folds it" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	hold_lock
	rt worklist --format csv --wait 1 --limit 3
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 4 ]
	expect_err_has "this consultation's audit entry is spooled beside it and enters the trail with the next write"
	rt show SYN-20261102-0001 --wait 0
	expect_status 0
	release_lock
	[ "$(entries worklist)" = 0 ] && [ "$(entries show)" = 0 ]
	rt audit verify
	expect_status 0
	expect_out_has "spooled: 2 consultation entries in $REFTRIAGE_DB-spool wait for the next write to enter the chain"
	# The next writer folds them, in order, with their refs; the spool is emptied.
	"$RT" status SYN-20261102-0001 in_progress 2>/dev/null
	[ "$(entries worklist)" = 1 ] && [ "$(entries show)" = 1 ]
	[ "$(sql "SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE seq > (SELECT max(seq) FROM audit WHERE action = 'import') - 0 AND action IN ('worklist','show','status') ORDER BY seq)")" = "worklist,show,status" ]
	[ "$(sql "SELECT group_concat(ref, ',') FROM (SELECT r.ref FROM audit_refs r JOIN audit a ON a.seq = r.seq WHERE a.action = 'worklist' ORDER BY r.pos)")" = "SYN-20261102-0001,SYN-20261102-0003,SYN-20261102-0004" ]
	[ ! -s "$REFTRIAGE_DB-spool" ]
	rt audit verify
	expect_status 0
	[[ "$output" != *spooled* ]]
	# A second writer finds nothing more to fold: no entry twice.
	"$RT" score 2>/dev/null
	[ "$(entries worklist)" = 1 ]
}

@test "a long import and eight concurrent worklists: eight successes, eight audit entries" {
	init_store
	python3 "$TOP/src/tools/gen-packages.py" bulk 60000 11 csv "$WORK/bulk.csv"
	"$RT" import --quiet "$WORK/bulk.csv" 2>/dev/null &
	importer=$!
	pids=()
	for i in 1 2 3 4 5 6 7 8; do
		"$RT" worklist --format csv --limit 2 --wait 1 >"$WORK/out$i" 2>"$WORK/err$i" &
		pids+=($!)
	done
	ok=0
	for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
	wait "$importer"
	[ "$ok" = 8 ] || { cat "$WORK"/err*; false; }
	# Whatever was spooled enters the chain with the next write.
	"$RT" score 2>/dev/null
	[ "$(entries worklist)" = 8 ]
	"$RT" audit verify >/dev/null
}

@test "a torn or damaged spool line is recorded as damaged, never dropped silently, never spoils the next" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# A reader killed mid-write left a fragment without its line end.
	printf '{"at":1,"operator":"x","act' >"$REFTRIAGE_DB-spool"
	hold_lock
	rt stats --wait 0
	expect_status 0
	release_lock
	rt audit verify
	expect_out_has "spooled: 2 consultation entries"
	expect_out_has "spooled: 1 line of the spool is not an entry; the next write records it as damaged"
	"$RT" status SYN-20261102-0001 in_progress 2>/dev/null
	[ "$(entries 'audit spool damaged')" = 1 ] && [ "$(entries stats)" = 1 ]
	"$RT" audit verify >/dev/null
}

@test "exit 75 only when nothing of the run was written: once a file is in, the rest of the run waits" {
	init_store
	mkfifo "$WORK/second.csv"
	# File one goes in; file two is a pipe the test fills once another writer holds the store.
	"$RT" import --wait 0 --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" "$WORK/second.csv" 2>"$WORK/err" &
	importer=$!
	# File one is committed (the import now waits to open the pipe): then a writer holds the store.
	for i in $(seq 3000); do [ "$(sql 'SELECT count(*) FROM packages')" = 60 ] && break; done
	[ "$(sql 'SELECT count(*) FROM packages')" = 60 ]
	hold_lock
	head -1 "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/second.csv"
	# Give the import time to reach the busy store (with --wait 0 it used to give up at once).
	sleep 1
	release_lock
	wait "$importer" && st=0 || st=$?
	[ "$st" != 75 ] || { cat "$WORK/err"; false; }
	[ "$(sql 'SELECT count(*) FROM packages')" = 60 ]
	[ "$(sql 'SELECT count(*) FROM scores')" = 60 ]
}
