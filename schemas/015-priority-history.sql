-- reftriage store, schema version 15: the clock of a reopened package, and
-- the priority history that the report judges response by (outcomes.md,
-- "Response is judged by what was in force at the time"; docs/report.md).
--
-- packages.reopened_at: when the version that last reopened the package (a
-- new version of a closed package) was stored. Its clock start is the later
-- of received_at and this (rules.md, scoring step 4): a reopened package is a
-- new referral for the team, not one born overdue. NULL: never reopened by a
-- version. Found here from the reopen events that imports wrote ("reopened:
-- new version N", at the time that version was stored).
ALTER TABLE packages ADD COLUMN reopened_at INTEGER;
UPDATE packages SET reopened_at = (
	SELECT max(e.at) FROM package_events e JOIN package_versions v
	ON v.package_id = e.package_id AND e.note = 'reopened: new version ' || v.version
	AND v.imported_at = e.at
	WHERE e.package_id = packages.id AND e.to_status = 'reopened')
	WHERE EXISTS (SELECT 1 FROM package_events e WHERE e.package_id = packages.id AND
	e.to_status = 'reopened');
-- Their scores were computed from received_at: the next rescore scores them again.
UPDATE scores SET valid_until = NULL WHERE package_id IN
	(SELECT id FROM packages WHERE reopened_at IS NOT NULL);

-- One row each time a package's effective priority or due_at changes
-- (import, rescore, rules install, reopen; an override when there is one):
-- at is the system clock's time of the write, priority the band's name in
-- the rule set rule_set_id (whose hash names it), due_at in force from then
-- on. Rows are never rewritten; purge alone removes the rows of a package it
-- erases. Without foreign keys, as scores: rows are written 64 to an INSERT.
CREATE TABLE priority_history (
	id          INTEGER PRIMARY KEY,
	package_id  INTEGER NOT NULL,
	at          INTEGER NOT NULL,
	priority    TEXT NOT NULL,
	due_at      INTEGER NOT NULL,
	rule_set_id INTEGER NOT NULL
);
CREATE INDEX priority_history_by_package ON priority_history (package_id, id);
CREATE TRIGGER priority_history_no_update BEFORE UPDATE ON priority_history
BEGIN
	SELECT RAISE(ABORT, 'the priority history is append-only');
END;
CREATE TRIGGER priority_history_no_delete BEFORE DELETE ON priority_history
	WHEN (SELECT purged_at FROM packages WHERE id = OLD.package_id) IS NULL
BEGIN
	SELECT RAISE(ABORT, 'the priority history is append-only');
END;

-- A store from before the history: one row a scored package, from its
-- current score, as in force since its clock start. The report says so
-- (meta history_seeded_at: when, by the system clock).
INSERT INTO priority_history (package_id, at, priority, due_at, rule_set_id)
	SELECT s.package_id, max(p.received_at, coalesce(p.reopened_at, p.received_at)),
	coalesce(json_extract(CAST(r.body AS TEXT), '$.bands[' || s.priority || '].priority'),
	         'P' || (s.priority + 1)),
	s.due_at, r.id
	FROM scores s JOIN packages p ON p.id = s.package_id
	JOIN rule_sets r ON r.id = coalesce(s.rule_set_id,
		(SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'scored_rule_set'))
	WHERE p.purged_at IS NULL
	ORDER BY s.package_id;
INSERT OR REPLACE INTO meta (key, value)
	SELECT 'history_seeded_at', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
	WHERE EXISTS (SELECT 1 FROM priority_history);
