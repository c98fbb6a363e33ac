-- reftriage store, schema version 16: store settings, and filters in any case.
--
-- settings: what a supervisor sets for the whole store (cli.md `settings`,
-- casework.md section 2): retention_days, the floor under `purge`, and
-- nfa_sign_off. A setting without a row has its default; a change replaces
-- the row and is audited ("settings", an alteration), so the row only says
-- what holds now and who set it last.
CREATE TABLE IF NOT EXISTS settings (
	name       TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	changed_at INTEGER NOT NULL, -- microseconds since 1970, UTC
	changed_by TEXT NOT NULL     -- the operator
) WITHOUT ROWID;

-- `worklist --force-area` and `--assigned-to` match in any case, and a value
-- that matches no package is an error: both are COLLATE NOCASE comparisons
-- that these indexes answer without reading every package.
CREATE INDEX IF NOT EXISTS packages_by_force_area ON packages (force_area COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS packages_by_assignee ON packages (assigned_to COLLATE NOCASE);
