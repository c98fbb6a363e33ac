-- reftriage store, schema version 14: a package's linking keys are found
-- from its facts, and package_keys is kept in key order only; package_keys
-- and scores, both derived, without foreign keys.
--
-- The index of package_keys by package (schema 2) cost every import a
-- second B-tree insert per key, about a tenth of a million-row import
-- (docs/PERFORMANCE.md). It served the four places that read one package's
-- keys; they now take the keys from the package's latest version instead
-- (src/store/keys.c). That needs the table to hold exactly the keys of each
-- package's latest version, so it is built again from the facts here, with
-- link_keys_of() as an import makes them now (rt_facts_keys(), registered on
-- the connection for the migrations only); an erased package has none.
-- Where a version's facts cannot be read (a store altered by hand), its
-- keys stored before are kept, and are found by a scan of the table.
-- The foreign key to packages goes too: the rows are derived from the facts
-- and packages are never deleted, and without it an INSERT of many keys
-- needs no statement journal, so an import writes them 64 to a statement.
CREATE TABLE package_keys_v14 (
	key        INTEGER NOT NULL,
	package_id INTEGER NOT NULL,
	PRIMARY KEY (key, package_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO package_keys_v14 (key, package_id)
	SELECT j.value, p.id FROM packages p
	JOIN package_versions v ON v.package_id = p.id AND v.version = p.latest_version
	JOIN json_each(rt_facts_keys(v.facts)) j
	WHERE p.purged_at IS NULL
	ORDER BY 1, 2;
INSERT OR IGNORE INTO package_keys_v14 (key, package_id)
	SELECT k.key, k.package_id FROM package_keys k WHERE k.package_id IN (
		SELECT p.id FROM packages p
		JOIN package_versions v ON v.package_id = p.id AND v.version = p.latest_version
		WHERE p.purged_at IS NULL AND rt_facts_keys(v.facts) IS NULL);
DROP TABLE package_keys;
ALTER TABLE package_keys_v14 RENAME TO package_keys;

-- scores: without its foreign keys (to packages and rule_sets), for the same
-- reason: its rows are derived, written by every rescore, 64 to a bulk
-- rescore's INSERT, which with foreign keys keeps a statement journal.
CREATE TABLE scores_v14 (
	package_id  INTEGER PRIMARY KEY,
	version     INTEGER NOT NULL,
	rule_set_id INTEGER,          -- NULL: meta scored_rule_set
	as_of       INTEGER,          -- NULL: meta scored_as_of
	score       INTEGER NOT NULL,
	band        INTEGER NOT NULL,
	priority    INTEGER NOT NULL,
	due_at      INTEGER NOT NULL,
	overdue     INTEGER NOT NULL,
	linked      INTEGER NOT NULL,
	fired       TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	ref         TEXT NOT NULL,
	ip_linked   INTEGER NOT NULL DEFAULT 0,
	valid_until INTEGER
);
INSERT INTO scores_v14 (package_id, version, rule_set_id, as_of, score, band, priority, due_at,
	overdue, linked, fired, received_at, ref, ip_linked, valid_until)
	SELECT package_id, version, rule_set_id, as_of, score, band, priority, due_at, overdue,
	linked, fired, received_at, ref, ip_linked, valid_until FROM scores ORDER BY package_id;
DROP TABLE scores;
ALTER TABLE scores_v14 RENAME TO scores;
CREATE INDEX scores_rank ON scores (priority, score DESC, received_at, ref);
