-- reftriage store, schema version 2: rule sets and scores.

-- Each package's linking keys, found by package: to count its links while
-- rescoring (one small lookup, so memory stays flat however large the store
-- is) and to drop the keys of a version that is replaced.
CREATE INDEX package_keys_by_package ON package_keys (package_id, key);

-- Every rule set ever installed, under the BLAKE2b-256 hash of its bytes.
CREATE TABLE rule_sets (
	id            INTEGER PRIMARY KEY,
	hash          BLOB NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	version       TEXT NOT NULL,
	body          BLOB NOT NULL,   -- the file's bytes, exactly as installed
	first_seen_at INTEGER NOT NULL
);

-- Each installation; the most recent one is the active rule set.
CREATE TABLE rule_installs (
	id           INTEGER PRIMARY KEY,
	rule_set_id  INTEGER NOT NULL REFERENCES rule_sets (id),
	installed_at INTEGER NOT NULL,
	operator     TEXT NOT NULL,
	source_file  TEXT NOT NULL
);

-- The latest score of each package, with what it was computed from: the
-- version, the rule set and the as_of time. fired lists the ids of the rules
-- that fired, in file order, separated by ';'. priority and band are indexes
-- into the rule set's bands (0 is the most urgent). received_at and ref are
-- copied so that the ranking is one index walk.
CREATE TABLE scores (
	package_id  INTEGER PRIMARY KEY REFERENCES packages (id),
	version     INTEGER NOT NULL,
	rule_set_id INTEGER NOT NULL REFERENCES rule_sets (id),
	as_of       INTEGER NOT NULL,
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
CREATE INDEX scores_rank ON scores (priority, score DESC, received_at, ref);
