-- reftriage store, schema version 9: quarantine you can work.
--
-- A quarantined record is open until a person dismisses it (with a note, in
-- the audit trail) or a record with its package_ref is later imported
-- cleanly (resolved, by that import). `quarantine list` shows the open ones;
-- `--all` shows every one, marked. Rows are never deleted but by purge.
ALTER TABLE quarantine ADD COLUMN dismissed_at INTEGER;
ALTER TABLE quarantine ADD COLUMN dismissed_by TEXT;
ALTER TABLE quarantine ADD COLUMN dismiss_note TEXT;
ALTER TABLE quarantine ADD COLUMN resolved_at INTEGER;
ALTER TABLE quarantine ADD COLUMN resolved_by_import INTEGER REFERENCES imports (id);

