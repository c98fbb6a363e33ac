-- reftriage store, schema version 5: scores that a rescore need not rewrite.
--
-- An open package's score row now leaves as_of and rule_set_id NULL, meaning
-- "the store's current scoring" (meta scored_as_of and scored_rule_set, which
-- every rescore sets). A rescore then writes only the rows whose result
-- changed: most scores do not change from one day to the next, and a row
-- that would differ only in its as_of is no longer rewritten. When a package
-- closes, its row is frozen: as_of and rule_set_id are filled in from meta,
-- so that 'show' still says when and with what it was last scored.
-- Rows copied from schema 4 keep their values; the next rescore replaces
-- those of open packages.

CREATE TABLE scores_v5 (
	package_id  INTEGER PRIMARY KEY REFERENCES packages (id),
	version     INTEGER NOT NULL,
	rule_set_id INTEGER REFERENCES rule_sets (id), -- NULL: meta scored_rule_set
	as_of       INTEGER,                           -- NULL: meta scored_as_of
	score       INTEGER NOT NULL,
	band        INTEGER NOT NULL,
	priority    INTEGER NOT NULL,
	due_at      INTEGER NOT NULL,
	overdue     INTEGER NOT NULL,
	linked      INTEGER NOT NULL,
	fired       TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	ref         TEXT NOT NULL
);
INSERT INTO scores_v5 SELECT package_id, version, rule_set_id, as_of, score, band, priority,
	due_at, overdue, linked, fired, received_at, ref FROM scores;
DROP TABLE scores;
ALTER TABLE scores_v5 RENAME TO scores;
-- The ranking in one index walk. A rescore that rewrites most rows drops it
-- and builds it again in one sort (src/store/scores.c keeps the same text).
CREATE INDEX scores_rank ON scores (priority, score DESC, received_at, ref);
