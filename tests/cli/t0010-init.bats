#!/usr/bin/env bats
# reftriage init, opening stores, and the global options.

load helper

@test "init creates a store, mode 0600, in WAL mode, with the default rules active" {
	rt init
	expect_status 0
	hash=$(b2sum -l 256 "$TOP/rules/default.json" | cut -c1-12)
	expect_err1 "reftriage: init: created store $REFTRIAGE_DB (schema $SCHEMA) with rules reftriage default triage policy 2026.11-3 ($hash)"
	[ "$(stat -c %a "$REFTRIAGE_DB")" = 600 ]
	[ "$(sql 'PRAGMA journal_mode')" = wal ]
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql 'SELECT lower(hex(hash)) FROM rule_sets')" = "$(b2sum -l 256 "$TOP/rules/default.json" | cut -d' ' -f1)" ]
}

@test "a store at schema 1 is migrated when opened, and keeps its packages" {
	# Build a schema-1 store by hand from the first migration.
	sqlite3 "$REFTRIAGE_DB" "PRAGMA application_id = 1380340818; PRAGMA journal_mode = WAL;" >/dev/null
	sqlite3 "$REFTRIAGE_DB" <"$TOP/schemas/001-initial.sql"
	sql "PRAGMA user_version = 1; INSERT INTO imports (id, file, format, operator, started_at) VALUES (1, 'old.csv', 'csv', 'x', 0)"
	rt rules show
	expect_status 78 # migrated, but no rules were ever installed in it
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql 'SELECT file FROM imports')" = old.csv ]
}

@test "a store at schema 4 keeps its scores through the migration, then rescores them as current" {
	sqlite3 "$REFTRIAGE_DB" "PRAGMA application_id = 1380340818; PRAGMA journal_mode = WAL;" >/dev/null
	cat "$TOP"/schemas/00[1-4]-*.sql | sqlite3 "$REFTRIAGE_DB"
	sql "PRAGMA user_version = 4"
	"$RT" rules install "$TOP/rules/default.json" 2>/dev/null
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql 'SELECT count(*) FROM scores WHERE as_of IS NULL')" = 60 ]
	# Back to schema 4's shape by hand: rows with their own as_of, as 4 wrote them.
	sql "UPDATE scores SET as_of = 1762156800000000, rule_set_id = 1; PRAGMA user_version = 4; DROP INDEX scores_rank; CREATE TABLE s4 AS SELECT package_id, version, rule_set_id, as_of, score, band, priority, due_at, overdue, linked, fired, received_at, ref FROM scores; DROP TABLE scores; CREATE TABLE scores (package_id INTEGER PRIMARY KEY REFERENCES packages (id), version INTEGER NOT NULL, rule_set_id INTEGER NOT NULL REFERENCES rule_sets (id), as_of INTEGER NOT NULL, score INTEGER NOT NULL, band INTEGER NOT NULL, priority INTEGER NOT NULL, due_at INTEGER NOT NULL, overdue INTEGER NOT NULL, linked INTEGER NOT NULL, fired TEXT NOT NULL, received_at INTEGER NOT NULL, ref TEXT NOT NULL); INSERT INTO scores SELECT * FROM s4; DROP TABLE s4; CREATE INDEX scores_rank ON scores (priority, score DESC, received_at, ref);"
	# and schema 9's quarantine columns and schema 15's history gone, as 4 had it.
	undo_schema_17
	sql "DROP TABLE priority_history; ALTER TABLE packages DROP COLUMN reopened_at; DELETE FROM meta WHERE key = 'history_seeded_at'; ALTER TABLE quarantine DROP COLUMN dismissed_at; ALTER TABLE quarantine DROP COLUMN dismissed_by; ALTER TABLE quarantine DROP COLUMN dismiss_note; ALTER TABLE quarantine DROP COLUMN resolved_at; ALTER TABLE quarantine DROP COLUMN resolved_by_import;"
	before=$(sql 'SELECT package_id, version, score, priority, fired FROM scores ORDER BY 1')
	rt show SYN-20261102-0001
	expect_status 0
	expect_out_has "scored    as of 2025-11-03 08:00 UTC"
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql 'SELECT package_id, version, score, priority, fired FROM scores ORDER BY 1')" = "$before" ]
	[ "$(sql 'SELECT count(*) FROM scores WHERE as_of IS NOT NULL')" = 60 ]
	"$RT" score --as-of 2026-11-03T08:00:00Z 2>/dev/null
	[ "$(sql 'SELECT count(*) FROM scores WHERE as_of IS NOT NULL')" = 0 ]
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
}

@test "a store at schema 6 is migrated to 7 (contract v2) and on: nothing rewritten, one audit entry" {
	"$RT" init 2>/dev/null
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# Back to schema 6 as it was: without schema 8's outcomes, schema 9's quarantine columns,
	# schema 12's valid_until and schema 15's priority history.
	undo_schema_17
	sql "DROP TABLE priority_history; ALTER TABLE packages DROP COLUMN reopened_at; DELETE FROM meta WHERE key = 'history_seeded_at'; DROP TABLE outcomes; ALTER TABLE quarantine DROP COLUMN dismissed_at; ALTER TABLE quarantine DROP COLUMN dismissed_by; ALTER TABLE quarantine DROP COLUMN dismiss_note; ALTER TABLE quarantine DROP COLUMN resolved_at; ALTER TABLE quarantine DROP COLUMN resolved_by_import; ALTER TABLE scores DROP COLUMN valid_until; PRAGMA user_version = 6"
	facts=$(sql "SELECT hex(facts) FROM package_versions ORDER BY id")
	rt audit verify
	expect_status 0
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ "$(sql "SELECT hex(facts) FROM package_versions ORDER BY id")" = "$facts" ]
	[ "$(sql "SELECT action || ' ' || details FROM audit ORDER BY seq DESC LIMIT 1")" = "migrate {\"from\":6,\"to\":$SCHEMA}" ]
	# Opened again: nothing more to migrate, nothing more recorded.
	n=$(sql 'SELECT count(*) FROM audit')
	rt audit verify
	[ "$(sql 'SELECT count(*) FROM audit')" = "$n" ]
	# A package with a v2 field is stored and read back; the store still verifies.
	printf '{"package_ref":"V2-1","received_at":"2026-11-02T08:15:00Z","source":"NCMEC","referral_type":"other","source_priority":"E","esp_infant":true}\n' >"$WORK/v2.ndjson"
	rt import --as-of 2026-11-03T08:00:00Z "$WORK/v2.ndjson"
	expect_status 0
	rt show V2-1 --format json
	[[ "$output" == *'"source_priority": "E"'* || "$output" == *'"source_priority":"E"'* ]]
}

@test "init refuses to overwrite an existing store, and leaves it as it was" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	rt init
	expect_status 73
	expect_err1 "reftriage: $REFTRIAGE_DB: a file already exists there; init never overwrites a store (use --db to name a new one)"
	[ "$(sql 'SELECT count(*) FROM packages')" = 60 ]
}

@test "init refuses to overwrite any file, not only stores" {
	echo "not a store" >"$WORK/notes.txt"
	rt --db "$WORK/notes.txt" init
	expect_status 73
	[ "$(cat "$WORK/notes.txt")" = "not a store" ]
}

@test "init in a directory that does not exist: exit 73" {
	rt --db "$WORK/no/such/dir/s.db" init
	expect_status 73
	expect_err_has "cannot create the store"
}

@test "a missing store is a configuration error (78) that says what to do" {
	rt import "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $REFTRIAGE_DB: no store here; create one with 'reftriage init' (or name it with --db or REFTRIAGE_DB)"
}

@test "a store from a newer reftriage is refused, not damaged" {
	init_store
	sql 'PRAGMA user_version = 99'
	rt show SYN-20261102-0001
	expect_status 78
	expect_err1 "reftriage: $REFTRIAGE_DB: the store has schema version 99, newer than this reftriage knows ($SCHEMA); use a newer reftriage"
	[ "$(sql 'PRAGMA user_version')" = 99 ]
}

@test "a file that is not a store is refused (78)" {
	echo "plain text" >"$WORK/text.db"
	rt --db "$WORK/text.db" show X123
	expect_status 78
	expect_err1 "reftriage: $WORK/text.db: not a reftriage store (not an SQLite database)"
	sqlite3 "$WORK/other.db" 'CREATE TABLE t (x)'
	rt --db "$WORK/other.db" show X123
	expect_status 78
	expect_err1 "reftriage: $WORK/other.db: not a reftriage store (an SQLite database of another kind)"
}

@test "--db beats REFTRIAGE_DB; --db=PATH works too" {
	rt --db "$WORK/a.db" init
	expect_status 0
	rt --db="$WORK/b.db" init
	expect_status 0
	[ -f "$WORK/a.db" ] && [ -f "$WORK/b.db" ] && [ ! -f "$REFTRIAGE_DB" ]
}

@test "--version, --help, and a command's --help go to stdout with exit 0" {
	rt --version
	expect_status 0
	expect_out_has "reftriage 0.1.0 (store schema $SCHEMA)"
	rt --help
	expect_status 0
	expect_out_has "usage: reftriage [GLOBAL OPTIONS] COMMAND [ARGS]"
	for c in init import show quarantine score worklist rules assign status audit purge; do
		rt "$c" --help
		expect_status 0
		[[ "$output" == "usage: reftriage $c"* ]] || { echo "$output"; false; }
	done
	rt keygen --help
	expect_status 0
	[[ "$output" == "usage: reftriage keygen [--output PREFIX]"* ]] || { echo "$output"; false; }
}

@test "usage errors exit 64 with a message" {
	rt
	expect_status 64
	rt frobnicate
	expect_status 64
	expect_err1 "reftriage: 'frobnicate' is not a command (see 'reftriage --help')"
	rt --colour init
	expect_status 64
	expect_err1 "reftriage: unknown option '--colour' (see 'reftriage --help')"
	rt --db
	expect_status 64
	rt init extra
	expect_status 64
	expect_err1 "reftriage: init: unexpected argument 'extra' (see 'reftriage init --help')"
	rt import --bogus x.csv
	expect_status 64
	expect_err1 "reftriage: import: unknown option '--bogus' (see 'reftriage import --help')"
	rt import --format
	expect_status 64
	expect_err1 "reftriage: import: option '--format' needs a value (see 'reftriage import --help')"
}

@test "a write error on stdout is an I/O error (74), not success" {
	rt --help
	run bash -c "'$RT' --help >/dev/full"
	[ "$status" -eq 74 ]
	[[ "$output" == *"standard output: write error"* ]]
}

@test "a store at schema 5 is migrated keeping every row of every table" {
	# A store with packages, versions, keys, scores, history, quarantine and audit...
	"$RT" init 2>/dev/null
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" "$SAMPLES/invalid/wrong-types.csv" 2>/dev/null || true
	"$RT" assign SYN-20261102-0003 --to dc.ahmed 2>/dev/null
	"$RT" status SYN-20261102-0004 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	sed 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	# ...copied into schema 5's tables, as schema 5 had them.
	sqlite3 "$WORK/old.db" "PRAGMA application_id = 1380340818; PRAGMA journal_mode = WAL;" >/dev/null
	cat "$TOP"/schemas/00[1-5]-*.sql | sqlite3 "$WORK/old.db"
	python3 - "$REFTRIAGE_DB" "$WORK/old.db" "$SAMPLES/referrals-2026-11-02.csv" "$SAMPLES/invalid/wrong-types.csv" <<'PY'
import csv, sqlite3, sys
new, old = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
old.execute("DELETE FROM meta")
ids = dict(new.execute("SELECT ref, id FROM packages"))
for (t,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
    cols = ", ".join(r[1] for r in old.execute("PRAGMA table_info(%s)" % t))
    if t == "package_keys":
        # Schema 5 kept keys as text ("subject:REF", "TYPE:TOKEN"); schema 13 hashes them.
        keys = set()
        for f in sys.argv[3:]:
            for r in csv.DictReader(open(f, newline="")):
                if r["package_ref"] not in ids:
                    continue
                if r.get("subject_ref"):
                    keys.add(("subject:" + r["subject_ref"], ids[r["package_ref"]]))
                for item in filter(None, (r.get("identifiers") or "").split(";")):
                    keys.add((item, ids[r["package_ref"]]))
        rows = sorted(keys)
    else:
        rows = new.execute("SELECT %s FROM %s" % (cols, t)).fetchall()
    if rows:
        old.executemany("INSERT INTO %s (%s) VALUES (%s)" % (t, cols, ", ".join("?" * len(rows[0]))), rows)
old.execute("PRAGMA user_version = 5")
old.commit()
PY
	[ "$(sqlite3 "$WORK/old.db" 'SELECT count(*) FROM packages')" = 62 ]
	[ "$(sqlite3 "$WORK/old.db" 'SELECT count(*) FROM quarantine')" = 2 ]
	[ "$(sqlite3 "$WORK/old.db" 'SELECT count(*) FROM package_events')" = 2 ]
	[ "$(sqlite3 "$WORK/old.db" 'SELECT count(*) FROM audit')" -gt 4 ]
	cp "$WORK/old.db" "$WORK/before.db"
	REFTRIAGE_DB="$WORK/old.db" rt audit verify
	expect_status 0
	[ "$(sqlite3 "$WORK/old.db" 'PRAGMA user_version')" = "$SCHEMA" ]
	# Every row of every schema-5 table is there, unchanged in schema 5's columns; the
	# linking keys, hashed by schema 13, are the ones an import makes now.
	python3 - "$WORK/before.db" "$WORK/old.db" "$REFTRIAGE_DB" <<'PY'
import sqlite3, sys
before, after = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
fresh = sqlite3.connect(sys.argv[3])
q = "SELECT key, package_id FROM package_keys ORDER BY 1, 2"
assert after.execute(q).fetchall() == fresh.execute(q).fetchall()
assert len(before.execute(q).fetchall()) > 60
for (t,) in before.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'package_keys'").fetchall():
    cols = ", ".join(r[1] for r in before.execute("PRAGMA table_info(%s)" % t))
    # meta's audit_refs_indexed follows the entries (schema 22): not compared.
    skip = " WHERE key <> 'audit_refs_indexed'" if t == "meta" else ""
    b = sorted(map(repr, before.execute("SELECT %s FROM %s%s" % (cols, t, skip))))
    # The audit trail gains the migration's own entry, after the others.
    last = " WHERE seq < (SELECT max(seq) FROM audit)" if t == "audit" else ""
    # and meta the time schema 15 seeded the priority history.
    last = " WHERE key NOT IN ('history_seeded_at', 'audit_refs_indexed')" if t == "meta" else last
    a = sorted(map(repr, after.execute("SELECT %s FROM %s%s" % (cols, t, last))))
    assert a == b, (t, len(b), len(a))
assert [r[0] for r in after.execute("SELECT action FROM audit ORDER BY seq DESC LIMIT 1")] == ["migrate"]
print("ok")
PY
	[ "$(sqlite3 "$WORK/old.db" 'PRAGMA integrity_check')" = ok ]
	[ -z "$(sqlite3 "$WORK/old.db" 'PRAGMA foreign_key_check')" ]
	# The migrated store works on: a new version of a closed package reopens it.
	sed 's/^\(SYN-20261102-0004,.*\)self-harm\./\1self-harm (v3)./' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v3.csv"
	REFTRIAGE_DB="$WORK/old.db" "$RT" import "$WORK/v3.csv" 2>/dev/null
	[ "$(sqlite3 "$WORK/old.db" "SELECT status FROM packages WHERE ref = 'SYN-20261102-0004'")" = reopened ]
}

# A directory for a team's store: the group's only, setgid (docs/security.md).
team_dir() {
	mkdir "$WORK/team"
	chgrp "$(id -gn)" "$WORK/team"
	chmod 2770 "$WORK/team"
	export REFTRIAGE_DB="$WORK/team/store.db"
}

@test "init --shared: the store, its -wal and -shm, and the files written beside it are 0660 for the group" {
	team_dir
	umask 077 # the umask does not take the group's bits
	rt init --shared
	expect_status 0
	expect_err1_starts "reftriage: init: created shared (group read/write) store $REFTRIAGE_DB (schema $SCHEMA) with rules "
	[ "$(stat -c %a "$REFTRIAGE_DB")" = 660 ]
	[ "$(sql "SELECT value FROM meta WHERE key = 'shared'")" = group ]
	# Another process holds the store open, so that its -wal and -shm stay to be seen.
	{ echo "SELECT count(*) FROM meta;"; sleep 3; } | sqlite3 "$REFTRIAGE_DB" >/dev/null &
	sleep 0.5
	rt import "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 0
	[ "$(echo "$err" | grep -c warning)" = 0 ] # shared on purpose: no "readable store" warning
	[ "$(stat -c %a "$REFTRIAGE_DB-wal")" = 660 ]
	[ "$(stat -c %a "$REFTRIAGE_DB-shm")" = 660 ]
	rt worklist --format csv --output "$WORK/team/today.csv"
	expect_status 0
	[ "$(stat -c %a "$WORK/team/today.csv")" = 660 ]
	wait
	# A store not shared keeps its exports private.
	export REFTRIAGE_DB="$WORK/private.db"
	"$RT" init 2>/dev/null
	rt worklist --format csv --output "$WORK/mine.csv"
	[ "$(stat -c %a "$WORK/mine.csv")" = 600 ]
}

@test "init --shared is refused in a directory everyone can read or write, and says why" {
	mkdir -m 0755 "$WORK/open" "$WORK/open2"
	chmod 0755 "$WORK/open"
	rt --db "$WORK/open/store.db" init --shared
	expect_status 73
	expect_err1 "reftriage: $WORK/open/store.db: refused: --shared, but the directory $WORK/open is readable by everyone (mode 0755): others could list it and see when its files change; share a store in a directory of its own that only its group can reach, e.g. 'install -d -m 2770 -g GROUP $WORK/open' (docs/security.md)"
	[ ! -e "$WORK/open/store.db" ]
	chmod 0773 "$WORK/open2"
	rt --db "$WORK/open2/store.db" init --shared
	expect_status 73
	expect_err_has "the directory $WORK/open2 is writable by everyone (mode 0773): others could replace or delete the store's files"
	[ ! -e "$WORK/open2/store.db" ]
}

@test "a shared store anyone can read still gets the warning" {
	team_dir
	"$RT" init --shared 2>/dev/null
	chmod 664 "$REFTRIAGE_DB"
	rt stats
	expect_status 0
	expect_err1 "reftriage: warning: $REFTRIAGE_DB: the store may be read by anyone (mode 0664): it holds OFFICIAL-SENSITIVE referrals; make it its group's only with 'chmod 660 $REFTRIAGE_DB'"
	# And a private store its group can read, made so by hand, too.
	export REFTRIAGE_DB="$WORK/private.db"
	"$RT" init 2>/dev/null
	chmod 640 "$REFTRIAGE_DB"
	rt stats
	expect_err1 "reftriage: warning: $REFTRIAGE_DB: the store may be read by its group (mode 0640): it holds OFFICIAL-SENSITIVE referrals; make it private with 'chmod 600 $REFTRIAGE_DB'"
}

@test "a permission error names the file, its mode, its owner and group, and the user" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user (setpriv)"
	command -v setpriv >/dev/null || skip "no setpriv"
	team_dir
	chmod 711 "$WORK"
	"$RT" init --shared 2>/dev/null
	g=$(id -gn)
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RT" stats
	[ "$status" = 78 ]
	[ "$output" = "reftriage: $WORK/team: permission denied: you cannot write to or reach files in the store's directory (reftriage needs write access to the directory to make SQLite's journal, the store's -wal and -shm files, beside the store); it is mode 2770, owner root (uid 0), group $g (gid $(id -g)); you are $(id -nu 65534) (uid 65534), not in group $g (a shared store: ask to be added to the group, then log in again; docs/security.md)" ]
	chmod 2771 "$WORK/team" # the directory may be passed through; the store still refuses
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RT" stats
	[ "$status" = 78 ]
	[ "$output" = "reftriage: $REFTRIAGE_DB: permission denied: you cannot read or write it (reftriage reads and writes the store even to list it); it is mode 0660, owner root (uid 0), group $g (gid $(id -g)); you are $(id -nu 65534) (uid 65534), not in group $g (a shared store: ask to be added to the group, then log in again; docs/security.md)" ]
	# In the group, the same user reads it.
	run setpriv --reuid=65534 --regid="$(id -g)" --clear-groups "$RT" stats
	[ "$status" = 0 ]
}

@test "schema 13: a linking key of no known kind fails the migration whole, and says so" {
	"$RT" init 2>/dev/null
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# Back to text keys, as schema 12 kept them, with one of a kind reftriage never wrote.
	sql "DROP TABLE package_keys; CREATE TABLE package_keys (key TEXT NOT NULL, package_id INTEGER NOT NULL REFERENCES packages (id), PRIMARY KEY (key, package_id)) WITHOUT ROWID; CREATE INDEX package_keys_by_package ON package_keys (package_id, key); INSERT INTO package_keys VALUES ('subject:S1', 1), ('fax:0123', 2); PRAGMA user_version = 12"
	rt stats
	expect_status 70
	[[ "$err" == *'a linking key of no known kind ("fax"); the store was not changed'* ]]
	[[ "$err" != *0123* ]]
	[ "$(sql 'PRAGMA user_version')" = 12 ]
	[ "$(sql "SELECT group_concat(key) FROM (SELECT key FROM package_keys ORDER BY key)")" = "fax:0123,subject:S1" ]
}

@test "schema 14: the linking keys are built again from each package's latest facts" {
	"$RT" init 2>/dev/null
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	q="SELECT key, package_id FROM package_keys ORDER BY 1, 2"
	sql "$q" >"$WORK/keys.txt"
	[ "$(wc -l <"$WORK/keys.txt")" -gt 60 ]
	# Back to schema 13: the index by package, a key no version of package 1 has,
	# package 2's keys lost, and package 3's facts unreadable with a key of its own.
	sql "CREATE INDEX package_keys_by_package ON package_keys (package_id, key);
	     INSERT INTO package_keys VALUES (4242, 1);
	     DELETE FROM package_keys WHERE package_id = 2;
	     UPDATE package_versions SET facts = x'00ff' WHERE package_id = 3;
	     INSERT INTO package_keys VALUES (4343, 3);
	     DROP TABLE priority_history; ALTER TABLE packages DROP COLUMN reopened_at; DELETE FROM meta WHERE key = 'history_seeded_at';
	     PRAGMA user_version = 13"
	undo_schema_17
	rt stats
	expect_status 0
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	[ -z "$(sql "SELECT name FROM sqlite_master WHERE name = 'package_keys_by_package'")" ]
	# Package 1's stray key gone, package 2's keys back, package 3's stored keys kept.
	[ "$(sql "$q" | grep -v '^4343|3$')" = "$(cat "$WORK/keys.txt")" ]
	[ "$(sql "SELECT count(*) FROM package_keys WHERE key = 4343 AND package_id = 3")" = 1 ]
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
	[ "$(sql "SELECT details FROM audit WHERE action = 'migrate'")" = "{\"from\":13,\"to\":$SCHEMA}" ]
}

@test "schema 15: a store from before the priority history seeds it from the current scores, and the report says so" {
	"$RT" init 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# SYN-20261102-0005 closed, then reopened by a new version stored 4 Nov 02:00.
	R=SYN-20261102-0005
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" status $R nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	{ head -1 "$SAMPLES/referrals-2026-11-02.csv"; grep "^$R," "$SAMPLES/referrals-2026-11-02.csv" | sed "s/,52,/,53,/"; } >"$WORK/v2.csv"
	REFTRIAGE_NOW=2026-11-04T02:00:00Z "$RT_CLOCK" import "$WORK/v2.csv" 2>/dev/null
	[ "$(sql "SELECT reopened_at FROM packages WHERE ref = '$R'")" = 1793757600000000 ]
	scores=$(sql "SELECT p.ref || ' ' || s.priority || ' ' || s.due_at FROM scores s JOIN packages p ON p.id = s.package_id ORDER BY p.ref")
	# Back to schema 14: no history, no reopened_at, no schema 17 columns.
	undo_schema_17
	sql "DROP TABLE priority_history; ALTER TABLE packages DROP COLUMN reopened_at; DELETE FROM meta WHERE key = 'history_seeded_at'; PRAGMA user_version = 14"
	rt stats
	expect_status 0
	[ "$(sql 'PRAGMA user_version')" = "$SCHEMA" ]
	# The reopen is found again from the import's reopen event and its version's time.
	[ "$(sql "SELECT reopened_at FROM packages WHERE ref = '$R'")" = 1793757600000000 ]
	[ "$(sql "SELECT count(*) FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = '$R' AND s.valid_until IS NULL")" = 1 ]
	# One row a scored package, its current priority (by name) and due time, in force since
	# its clock start (received_at; for the reopened one, the reopen).
	[ "$(sql 'SELECT count(*) FROM priority_history')" = 60 ]
	[ "$(sql "SELECT count(*) FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE h.at <> max(p.received_at, coalesce(p.reopened_at, 0))")" = 0 ]
	[ "$(sql "SELECT p.ref || ' ' || (CAST(substr(h.priority, 2) AS INTEGER) - 1) || ' ' || h.due_at FROM priority_history h JOIN packages p ON p.id = h.package_id ORDER BY p.ref")" = "$scores" ]
	[ -n "$(sql "SELECT value FROM meta WHERE key = 'history_seeded_at'")" ]
	# The report's note says the figures before the migration rest on the seeded rows.
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert "priority history starts when this store was migrated" in r["note"], r["note"]
'
	# A store made at schema 15 has nothing seeded and no note.
	rm -f "$REFTRIAGE_DB"*
	"$RT" init 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	[ -z "$(sql "SELECT value FROM meta WHERE key = 'history_seeded_at'")" ]
	rt_at 2026-11-30T12:00:00Z report --from 2026-11-01 --to 2026-12-01 --format json
	[[ "$output" == *'"note":null'* ]]
}

@test "schema 15: the priority history is append-only; purge alone erases an erased package's rows" {
	"$RT" init 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT_CLOCK" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	run sqlite3 "$REFTRIAGE_DB" "UPDATE priority_history SET priority = 'P4'"
	[ "$status" -ne 0 ] && [[ "$output" == *"append-only"* ]]
	run sqlite3 "$REFTRIAGE_DB" "DELETE FROM priority_history"
	[ "$status" -ne 0 ] && [[ "$output" == *"append-only"* ]]
	[ "$(sql 'SELECT count(*) FROM priority_history')" = 60 ]
	REFTRIAGE_NOW=2026-11-03T09:00:00Z "$RT_CLOCK" status SYN-20261102-0005 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	REFTRIAGE_NOW=2027-12-01T09:00:00Z "$RT_CLOCK" purge --closed-before 2026-11-30 </dev/null 2>/dev/null
	[ -n "$(sql "SELECT purged_at FROM packages WHERE ref = 'SYN-20261102-0005'")" ]
	[ "$(sql "SELECT count(*) FROM priority_history h JOIN packages p ON p.id = h.package_id WHERE p.ref = 'SYN-20261102-0005'")" = 0 ]
	[ "$(sql 'SELECT count(*) FROM priority_history')" = 59 ]
}
