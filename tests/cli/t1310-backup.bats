#!/usr/bin/env bats
# backup DEST|- and restore SRC|- --db NEW (docs/operations.md): a verified
# copy while others work; every bad input and fault a clear message, the
# right exit code, and no half-written store left behind.

load helper

SHIM="$(dirname "$RT")/tests/libiofail.so"

entries() { sqlite3 "${2:-$REFTRIAGE_DB}" "SELECT count(*) FROM audit WHERE action = '$1'"; }

# Only the files named remain in the directory: nothing half-written beside them.
only_files() {
	local got want
	got=$(cd "$1" && ls -A | grep -v '^store\.db-\(wal\|shm\)$' | sort | tr '\n' ' ')
	want=$([ $# -lt 2 ] || printf '%s\n' "${@:2}" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || { echo "in $1: [$got], want [$want]" >&2; return 1; }
}

stored() {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

@test "backup to a file: 0600, checked, recorded with its SHA-256; restore makes the same store" {
	stored
	rt backup "$WORK/b.db"
	expect_status 0
	expect_err_has "b.db: copied and checked:"
	[ "$(stat -c %a "$WORK/b.db")" = 600 ]
	sha=$(sha256sum "$WORK/b.db" | cut -d' ' -f1)
	[ "$(entries backup)" = 1 ]
	[ "$(sql "SELECT json_extract(details, '\$.sha256') FROM audit WHERE action = 'backup'")" = "$sha" ]
	[ "$(sql "SELECT json_extract(details, '\$.head_seq') FROM audit WHERE action = 'backup'")" = \
		"$(sql "SELECT max(seq) - 1 FROM audit")" ]
	rt audit log --action backup
	expect_out_has "disclosure"
	rt restore "$WORK/b.db" --db "$WORK/new.db"
	expect_status 0
	expect_err_has "new.db: restored from $WORK/b.db (sha256 $sha)"
	[ "$(stat -c %a "$WORK/new.db")" = 600 ]
	[ "$(sqlite3 "$WORK/new.db" 'SELECT count(*) FROM packages')" = 60 ]
	[ "$(sqlite3 "$WORK/new.db" "SELECT json_extract(details, '\$.sha256') FROM audit WHERE action = 'restore'")" = "$sha" ]
	[ "$(sqlite3 "$WORK/new.db" 'PRAGMA journal_mode')" = wal ]
	# The copy's chain is the store's up to the backup, entry for entry.
	n=$(sqlite3 "$WORK/new.db" "SELECT max(seq) - 1 FROM audit")
	[ "$(sql "SELECT group_concat(hex(hash)) FROM (SELECT hash FROM audit WHERE seq <= $n ORDER BY seq)")" = \
		"$(sqlite3 "$WORK/new.db" "SELECT group_concat(hex(hash)) FROM (SELECT hash FROM audit WHERE seq <= $n ORDER BY seq)")" ]
	REFTRIAGE_DB="$WORK/new.db" rt audit verify
	expect_status 0
	REFTRIAGE_DB="$WORK/new.db" rt worklist --limit 2 --format csv
	expect_status 0
	only_files "$WORK" .stderr store.db b.db new.db
}

@test "backup - streams the verified copy; restore - reads it back" {
	stored
	"$RT" backup - 2>/dev/null >"$WORK/b.db"
	sha=$(sha256sum "$WORK/b.db" | cut -d' ' -f1)
	[ "$(sql "SELECT json_extract(details, '\$.sha256') || ' ' || json_extract(details, '\$.to') FROM audit WHERE action = 'backup'")" = "$sha standard output" ]
	rt_stdin "$WORK/b.db" restore - --db "$WORK/new.db"
	expect_status 0
	expect_err_has "restored from standard input (sha256 $sha)"
	[ "$(sqlite3 "$WORK/new.db" 'SELECT count(*) FROM packages')" = 60 ]
	# Nothing of the copy stays beside the store.
	only_files "$WORK" .stderr store.db b.db new.db
}

@test "backup to an existing file: 73, the file untouched" {
	stored
	echo keep >"$WORK/b.db"
	rt backup "$WORK/b.db"
	expect_status 73
	expect_err1 "reftriage: $WORK/b.db: already exists; reftriage does not overwrite it"
	[ "$(cat "$WORK/b.db")" = keep ]
	[ "$(entries backup)" = 0 ]
}

@test "backup into a directory that is missing or refuses the user: 73, nothing recorded" {
	stored
	rt backup "$WORK/no/such/dir/b.db"
	expect_status 73
	expect_err_has "cannot create"
	[ "$(entries backup)" = 0 ]
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv to act as nobody"
	mkdir "$WORK/ro"
	chmod 755 "$WORK" "$WORK/ro"
	chown nobody "$WORK"/store.db* "$WORK"
	set +e
	out=$(cd "$WORK" && setpriv --reuid=nobody --regid=nogroup --clear-groups "$RT" backup "$WORK/ro/b.db" 2>&1)
	st=$?
	set -e
	[ "$st" = 73 ] || { echo "exit $st: $out"; false; }
	[[ "$out" == *"ro/b.db: cannot create"*"ermission denied"* ]] || { echo "$out"; false; }
	only_files "$WORK/ro"
}

@test "a write that fails while copying: 74, the copy removed, nothing recorded" {
	[ -f "$SHIM" ] || skip "the I/O shim is built by make unit-bins"
	stored
	export ASAN_OPTIONS=verify_asan_link_order=0
	for n in 1 3 10 30; do
		IOFAIL_AFTER=$n IOFAIL_ERRNO=ENOSPC LD_PRELOAD="$SHIM" run "$RT" backup "$WORK/b.db"
		[ "$status" -eq 74 ] || { echo "n=$n: exit $status: $output"; false; }
		[[ "$output" == *"full"* || "$output" == *"disk I/O error"* ]] || { echo "n=$n: $output"; false; }
		[ ! -e "$WORK/b.db" ]
		only_files "$WORK" store.db
	done
	[ "$(entries backup)" = 0 ]
	"$RT" audit verify >/dev/null
}

@test "backup onto a really full disk: 74, nothing left on it" {
	mkdir "$WORK/disk"
	{ [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=256k,mode=0700 tmpfs "$WORK/disk" 2>/dev/null; } ||
		skip "cannot mount a tmpfs here (needs root)"
	stored
	rt backup "$WORK/disk/b.db"
	umount_rc=0
	ls -A "$WORK/disk" >"$WORK/left"
	umount "$WORK/disk" || umount_rc=$?
	expect_status 74
	expect_err_has "disk/b.db: writing the copy: the disk is full"
	[ ! -s "$WORK/left" ] || { cat "$WORK/left"; false; }
	[ "$(entries backup)" = 0 ]
	[ "$umount_rc" = 0 ]
}

@test "restore of a truncated file, of a file that is not SQLite, of a stream cut short: 65, no store" {
	stored
	"$RT" backup "$WORK/b.db" 2>/dev/null
	head -c 100000 "$WORK/b.db" >"$WORK/cut.db"
	rt restore "$WORK/cut.db" --db "$WORK/new.db"
	expect_status 65
	expect_err_has "$WORK/cut.db: "
	[ ! -e "$WORK/new.db" ]
	rt restore "$SAMPLES/referrals-2026-11-02.csv" --db "$WORK/new.db"
	expect_status 65
	expect_err1 "reftriage: $SAMPLES/referrals-2026-11-02.csv: not a reftriage store (not an SQLite database)"
	[ ! -e "$WORK/new.db" ]
	set +e
	head -c 50000 "$WORK/b.db" | "$RT" restore - --db "$WORK/new.db" 2>"$WORK/err"
	st=$?
	set -e
	[ "$st" = 65 ] || { cat "$WORK/err"; false; }
	grep -q "^reftriage: standard input: " "$WORK/err"
	rt restore /dev/null --db "$WORK/new.db"
	expect_status 65
	expect_err1 "reftriage: restore: /dev/null: empty: not a backup"
	rt restore "$WORK/missing.db" --db "$WORK/new.db"
	expect_status 66
	only_files "$WORK" .stderr err store.db b.db cut.db
}

@test "restore of a backup whose audit trail was edited: 65, no store" {
	stored
	"$RT" backup "$WORK/b.db" 2>/dev/null
	sqlite3 "$WORK/b.db" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
		UPDATE audit SET operator = 'mallory' WHERE seq = 2"
	rt restore "$WORK/b.db" --db "$WORK/new.db"
	expect_status 65
	expect_err1 "reftriage: restore: $WORK/b.db: the copy's audit trail is BROKEN: entry 2: its hash does not match its contents (the entry, or the refs it names, were changed)"
	[ ! -e "$WORK/new.db" ]
	only_files "$WORK" .stderr store.db b.db
}

@test "restore of a backup made before schema 22 (no index of refs): checked, restored, migrated" {
	stored
	"$RT" show SYN-20261102-0001 >/dev/null 2>&1
	"$RT" backup "$WORK/b.db" 2>/dev/null
	# The copy as a schema-21 reftriage made it: the refs indexed on audit_refs.
	sqlite3 "$WORK/b.db" "DROP TABLE audit_ref_index; DELETE FROM meta WHERE key = 'audit_refs_indexed';
		CREATE INDEX audit_refs_by_ref ON audit_refs (ref, seq); PRAGMA user_version = 21"
	rt restore "$WORK/b.db" --db "$WORK/new.db"
	expect_status 0
	expect_err_has "new.db: restored from $WORK/b.db"
	[ "$(sqlite3 "$WORK/new.db" 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sqlite3 "$WORK/new.db" "SELECT count(*) FROM audit_ref_index WHERE ref = 'SYN-20261102-0001'")" -ge 2 ]
	REFTRIAGE_DB="$WORK/new.db" rt audit verify
	expect_status 0
	REFTRIAGE_DB="$WORK/new.db" rt audit log --ref SYN-20261102-0001 --action show --format ndjson
	[ "$(echo "$output" | wc -l)" = 1 ]
}

@test "restore over an existing store: 73, the store untouched" {
	stored
	"$RT" backup "$WORK/b.db" 2>/dev/null
	before=$(sha256sum "$REFTRIAGE_DB")
	rt restore "$WORK/b.db"
	expect_status 73
	expect_err1 "reftriage: restore: $REFTRIAGE_DB: already exists; restore makes a new store and never writes over one (name another with --db)"
	[ "$(sha256sum "$REFTRIAGE_DB")" = "$before" ]
}

# Take the store's write lock in a sqlite3 process until told to let go (as t0125).
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

@test "a spool with entries: folded first when the lock is free, else carried and folded by the restored store" {
	stored
	hold_lock
	"$RT" show SYN-20261102-0001 --wait 0 >/dev/null 2>&1
	"$RT" stats --wait 0 >/dev/null 2>&1
	# The lock is held: the spool goes inside the copy, and backup's own entry is spooled.
	rt backup "$WORK/b.db" --wait 0
	expect_status 0
	expect_err_has "the audit spool is carried inside the copy"
	release_lock
	rt restore "$WORK/b.db" --db "$WORK/new.db"
	expect_status 0
	[ "$(entries show "$WORK/new.db")" = 1 ] && [ "$(entries stats "$WORK/new.db")" = 1 ]
	[ "$(entries 'audit spool folded' "$WORK/new.db")" = 1 ]
	[ "$(entries 'audit spool damaged' "$WORK/new.db")" = 0 ]
	[ "$(sqlite3 "$WORK/new.db" "SELECT group_concat(action, ',') FROM (SELECT action FROM audit WHERE seq > 5 ORDER BY seq)")" = \
		"show,stats,audit spool folded,restore" ]
	[ ! -e "$WORK/new.db-spool" ]
	[ "$(sqlite3 "$WORK/new.db" "SELECT count(*) FROM sqlite_master WHERE name = 'carried_spool'")" = 0 ]
	REFTRIAGE_DB="$WORK/new.db" rt audit verify
	expect_status 0
	# The store's own spool (two reads and the backup) is folded by its next writer, once.
	"$RT" score 2>/dev/null
	[ "$(entries show)" = 1 ] && [ "$(entries stats)" = 1 ] && [ "$(entries backup)" = 1 ]
	# With the lock free, a new spool is folded before the copy: the copy holds it.
	hold_lock
	"$RT" show SYN-20261102-0002 --wait 0 >/dev/null 2>&1
	release_lock
	rt backup "$WORK/b2.db"
	expect_status 0
	expect_err_has "the audit spool was folded first"
	[ "$(sqlite3 "$WORK/b2.db" "SELECT count(*) FROM audit WHERE action = 'show'")" = 2 ]
	[ "$(sqlite3 "$WORK/b2.db" "SELECT count(*) FROM sqlite_master WHERE name = 'carried_spool'")" = 0 ]
}

@test "the round trip through age: backup - | age -r, then age -d | restore -" {
	command -v age >/dev/null && command -v age-keygen >/dev/null || skip "age is not installed"
	stored
	age-keygen -o "$WORK/key.txt" 2>/dev/null
	recipient=$(age-keygen -y "$WORK/key.txt")
	"$RT" backup - 2>/dev/null | age -r "$recipient" >"$WORK/store.db.age"
	! grep -q "SQLite format" "$WORK/store.db.age"
	age -d -i "$WORK/key.txt" "$WORK/store.db.age" | "$RT" restore - --db "$WORK/new.db" 2>/dev/null
	[ "$(sqlite3 "$WORK/new.db" 'SELECT count(*) FROM packages')" = 60 ]
	REFTRIAGE_DB="$WORK/new.db" rt audit verify
	expect_status 0
}

@test "a backup while an import and eight readers run: restored, it holds every committed package and entry" {
	stored
	python3 "$TOP/src/tools/gen-packages.py" bulk 60000 7 csv "$WORK/bulk.csv"
	"$RT" import --quiet "$WORK/bulk.csv" 2>/dev/null &
	importer=$!
	pids=()
	for i in 1 2 3 4 5 6 7 8; do
		(for _ in 1 2 3; do "$RT" worklist --format csv --limit 2 --wait 1 >/dev/null || exit 1; done) 2>"$WORK/err$i" &
		pids+=($!)
	done
	sleep 1
	rt backup "$WORK/b.db" --wait 0
	expect_status 0
	ok=0
	for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
	wait "$importer"
	[ "$ok" = 8 ] || { cat "$WORK"/err*; false; }
	rt restore "$WORK/b.db" --db "$WORK/new.db"
	expect_status 0
	new() { sqlite3 "$WORK/new.db" "$@"; }
	[ "$(new 'PRAGMA integrity_check')" = ok ]
	REFTRIAGE_DB="$WORK/new.db" rt audit verify
	expect_status 0
	# Every package committed before the backup began, and the file wholly in or out.
	[ "$(new "SELECT count(*) FROM packages WHERE ref LIKE 'SYN-%'")" = 60 ]
	bulk=$(new "SELECT count(*) FROM packages WHERE ref LIKE 'BULK-%'")
	imports=$(new "SELECT count(*) FROM audit WHERE action = 'import' AND details LIKE '%bulk.csv%'")
	{ [ "$imports" = 1 ] && [ "$bulk" = 60000 ]; } || { [ "$imports" = 0 ] && [ "$bulk" = 0 ]; } ||
		{ echo "imports $imports, bulk $bulk"; false; }
	# Every entry the copy holds is the store's, entry for entry; none is missing.
	head=$(sql "SELECT json_extract(details, '\$.head_seq') FROM audit WHERE action = 'backup'")
	[ "$(sql "SELECT group_concat(hex(hash)) FROM (SELECT hash FROM audit WHERE seq <= $head ORDER BY seq)")" = \
		"$(new "SELECT group_concat(hex(hash)) FROM (SELECT hash FROM audit WHERE seq <= $head ORDER BY seq)")" ]
	# Readers whose entries waited in the spool then are carried and folded: none lost.
	src_worklists=$(sql "SELECT count(*) FROM audit WHERE action = 'worklist' AND seq <= $head")
	carried=$(sql "SELECT json_extract(details, '\$.spool_carried') FROM audit WHERE action = 'backup'")
	[ "$(new "SELECT count(*) FROM audit WHERE action = 'worklist'")" -ge "$src_worklists" ]
	[ "$(new "SELECT count(*) FROM audit WHERE action = 'audit spool damaged'")" = 0 ]
	echo "carried $carried, bulk $bulk" >&3
}
