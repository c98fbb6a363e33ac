-- reftriage store, schema version 20: the work around the list (casework.md
-- section 5 and "States").
--
-- Two open states join the four: awaiting_info (waiting for a partner; the
-- due time stands) and transfer_pending (passed to another force that has not
-- yet returned its reference; the sending team keeps the duty). Two closed
-- states join the three: duplicate (of another package) and, as before,
-- transferred, now reached when the receiving force's reference is recorded.
-- The check is written as comparisons joined by OR, as schema 11 explains.
-- SQLite cannot change a CHECK constraint, so the table is built again with
-- the same columns and rows; store_open() runs migrations with foreign keys
-- off and checks them before committing. The trigger of schema 15 that reads
-- packages goes while the table is rebuilt (SQLite checks triggers when a
-- table is renamed) and comes back as it was.
DROP TRIGGER priority_history_no_delete;
CREATE TABLE packages_v20 (
	id             INTEGER PRIMARY KEY,
	ref            TEXT NOT NULL UNIQUE,
	latest_version INTEGER NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new'
	               CHECK (status = 'new' OR status = 'assigned' OR status = 'in_progress' OR
	                      status = 'reopened' OR status = 'awaiting_info' OR
	                      status = 'transfer_pending' OR status = 'actioned' OR
	                      status = 'nfa' OR status = 'transferred' OR status = 'duplicate'),
	assigned_to    TEXT,
	-- A version arrived after the last status change or assignment made by a
	-- person (an automatic reopen does not clear it).
	updated        INTEGER NOT NULL DEFAULT 0,
	received_at    INTEGER NOT NULL,
	source         TEXT NOT NULL,
	referral_type  TEXT NOT NULL,
	force_area     TEXT,
	first_seen_at  INTEGER NOT NULL,
	changed_at     INTEGER NOT NULL,
	purged_at      INTEGER,
	reopened_at    INTEGER
);
INSERT INTO packages_v20 (id, ref, latest_version, status, assigned_to, updated, received_at,
	source, referral_type, force_area, first_seen_at, changed_at, purged_at, reopened_at)
	SELECT id, ref, latest_version, status, assigned_to, updated, received_at, source,
	referral_type, force_area, first_seen_at, changed_at, purged_at, reopened_at FROM packages;
DROP TABLE packages;
ALTER TABLE packages_v20 RENAME TO packages;
CREATE INDEX packages_by_force_area ON packages (force_area COLLATE NOCASE);
CREATE INDEX packages_by_assignee ON packages (assigned_to COLLATE NOCASE);
CREATE TRIGGER priority_history_no_delete BEFORE DELETE ON priority_history
	WHEN (SELECT purged_at FROM packages WHERE id = OLD.package_id) IS NULL
BEGIN
	SELECT RAISE(ABORT, 'the priority history is append-only');
END;

-- The history gains notes (action 'note': from_status = to_status, nothing
-- else changes) and what a closing names: of_package_id, the package a
-- duplicate duplicates; transfer_to, the force a package is passed to; their_ref,
-- the receiving force's reference that closes a transfer.
CREATE TABLE package_events_v20 (
	id            INTEGER PRIMARY KEY,
	package_id    INTEGER NOT NULL REFERENCES packages (id),
	at            INTEGER NOT NULL,
	operator      TEXT NOT NULL,
	action        TEXT NOT NULL CHECK (action = 'assign' OR action = 'status' OR
	                                   action = 'override' OR action = 'note'),
	from_status   TEXT NOT NULL,
	to_status     TEXT NOT NULL,
	assigned_to   TEXT,
	note          TEXT,
	-- schema 18: the second person, and an override's band, direction and code
	approved_by   TEXT,
	priority      TEXT,
	direction     TEXT CHECK (direction IS NULL OR direction = 'up' OR direction = 'down'),
	code          TEXT,
	of_package_id INTEGER REFERENCES packages (id),
	transfer_to   TEXT,
	their_ref     TEXT
);
INSERT INTO package_events_v20 (id, package_id, at, operator, action, from_status, to_status,
	assigned_to, note, approved_by, priority, direction, code)
	SELECT id, package_id, at, operator, action, from_status, to_status, assigned_to, note,
	approved_by, priority, direction, code
	FROM package_events;
DROP TABLE package_events;
ALTER TABLE package_events_v20 RENAME TO package_events;
CREATE INDEX package_events_by_package ON package_events (package_id, id);
CREATE INDEX package_events_overrides ON package_events (at) WHERE action = 'override';
-- show of a package names the packages closed as its duplicates.
CREATE INDEX package_events_by_original ON package_events (of_package_id)
	WHERE of_package_id IS NOT NULL;

-- The team's roster (optional): when it has a name, assign --to and
-- --approved-by take only its names, in any case. Removing a name keeps the
-- history that names it; each change is audited.
CREATE TABLE IF NOT EXISTS team (
	name     TEXT PRIMARY KEY COLLATE NOCASE,
	added_at INTEGER NOT NULL, -- microseconds since 1970, UTC
	added_by TEXT NOT NULL     -- the operator
) WITHOUT ROWID;
