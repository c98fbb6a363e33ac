-- reftriage store, schema version 11: the same status check, written so that
-- SQLite can test it without building a table for each row.
--
-- SQLite codes "status IN ('new', ..., 'transferred')" with seven values as a
-- temporary B-tree, opened, filled and closed again for every row it checks:
-- about half the cost of inserting a package (docs/PERFORMANCE.md). The same
-- condition written as comparisons joined by OR is tested in place. The set
-- of statuses does not change. SQLite cannot change a CHECK constraint, so
-- the table is built again with the same columns and rows, as schema 6 did;
-- store_open() runs migrations with foreign keys off and checks them before
-- committing.
CREATE TABLE packages_v11 (
	id             INTEGER PRIMARY KEY,
	ref            TEXT NOT NULL UNIQUE,
	latest_version INTEGER NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new'
	               CHECK (status = 'new' OR status = 'assigned' OR status = 'in_progress' OR
	                      status = 'reopened' OR status = 'actioned' OR status = 'nfa' OR
	                      status = 'transferred'),
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
	purged_at      INTEGER
);
INSERT INTO packages_v11 (id, ref, latest_version, status, assigned_to, updated, received_at,
	source, referral_type, force_area, first_seen_at, changed_at, purged_at)
	SELECT id, ref, latest_version, status, assigned_to, updated, received_at, source,
	referral_type, force_area, first_seen_at, changed_at, purged_at FROM packages;
DROP TABLE packages;
ALTER TABLE packages_v11 RENAME TO packages;
