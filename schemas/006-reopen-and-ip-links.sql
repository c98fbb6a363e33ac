-- reftriage store, schema version 6: reopened packages, IP links counted
-- apart, and a rejected record quarantined once.
--
-- packages: the status 'reopened' (an open status: a closed package that
-- received a new version). SQLite cannot change a CHECK constraint, so the
-- table is built again with the same columns and rows; store_open() runs
-- migrations with foreign keys off and checks them before committing.
CREATE TABLE packages_v6 (
	id             INTEGER PRIMARY KEY,
	ref            TEXT NOT NULL UNIQUE,
	latest_version INTEGER NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new'
	               CHECK (status IN ('new', 'assigned', 'in_progress', 'reopened',
	                                 'actioned', 'nfa', 'transferred')),
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
INSERT INTO packages_v6 (id, ref, latest_version, status, assigned_to, updated, received_at,
	source, referral_type, force_area, first_seen_at, changed_at, purged_at)
	SELECT id, ref, latest_version, status, assigned_to, updated, received_at, source,
	referral_type, force_area, first_seen_at, changed_at, purged_at FROM packages;
DROP TABLE packages;
ALTER TABLE packages_v6 RENAME TO packages;

-- A record whose content equals any stored version of its ref is unchanged:
-- found by hash within the package's versions.
CREATE INDEX IF NOT EXISTS package_versions_by_hash ON package_versions (package_id, content_hash);

-- linked_packages and ip_linked_packages are counted apart (data-contract.md):
-- the score row keeps both. Rows scored before keep 0 until the next rescore.
ALTER TABLE scores ADD COLUMN ip_linked INTEGER NOT NULL DEFAULT 0;

-- The same raw record from the same file content is quarantined once: an
-- import finds the earlier imports of a file by its hash, and their rows by
-- position.
CREATE INDEX IF NOT EXISTS imports_by_hash ON imports (file_hash) WHERE file_hash IS NOT NULL;
CREATE INDEX IF NOT EXISTS quarantine_by_import ON quarantine (import_id, line);

