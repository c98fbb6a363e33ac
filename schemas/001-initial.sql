-- reftriage store, schema version 1: packages, their versions, linking keys,
-- import runs and quarantine. Applied in one transaction by store_open().
-- Times are UTC microseconds since 1970-01-01.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- One row per input file read by `import` (also for --dry-run: no row).
CREATE TABLE imports (
	id          INTEGER PRIMARY KEY,
	file        TEXT NOT NULL,
	file_hash   BLOB,              -- BLAKE2b-256 of the bytes read
	format      TEXT NOT NULL,
	bytes       INTEGER NOT NULL DEFAULT 0,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	operator    TEXT NOT NULL,
	strict      INTEGER NOT NULL DEFAULT 0,
	n_new       INTEGER NOT NULL DEFAULT 0,
	n_updated   INTEGER NOT NULL DEFAULT 0,
	n_unchanged INTEGER NOT NULL DEFAULT 0,
	n_rejected  INTEGER NOT NULL DEFAULT 0,
	n_withheld  INTEGER NOT NULL DEFAULT 0, -- valid records not stored under --strict
	stopped     INTEGER NOT NULL DEFAULT 0  -- reading stopped at a file-level error
);

-- One row per package_ref. The columns after latest_version copy the latest
-- version's values that the worklist filters and sorts on.
CREATE TABLE packages (
	id             INTEGER PRIMARY KEY,
	ref            TEXT NOT NULL UNIQUE,
	latest_version INTEGER NOT NULL,
	status         TEXT NOT NULL DEFAULT 'new'
	               CHECK (status IN ('new', 'assigned', 'in_progress', 'actioned', 'nfa',
	                                 'transferred')),
	assigned_to    TEXT,
	updated        INTEGER NOT NULL DEFAULT 0, -- a newer version arrived after the first
	received_at    INTEGER NOT NULL,
	source         TEXT NOT NULL,
	referral_type  TEXT NOT NULL,
	force_area     TEXT,
	first_seen_at  INTEGER NOT NULL,
	changed_at     INTEGER NOT NULL
);

-- Every version ever imported. facts is the validated package in a compact,
-- versioned binary form (src/model/package.c); the canonical JSON form is
-- rebuilt from it on demand, and its BLAKE2b-256 must equal content_hash.
CREATE TABLE package_versions (
	id           INTEGER PRIMARY KEY,
	package_id   INTEGER NOT NULL REFERENCES packages (id),
	version      INTEGER NOT NULL,
	content_hash BLOB NOT NULL,
	import_id    INTEGER NOT NULL REFERENCES imports (id),
	source_line  INTEGER,
	source_index INTEGER,
	imported_at  INTEGER NOT NULL,
	facts        BLOB NOT NULL,
	UNIQUE (package_id, version)
);

-- Linking keys of each package's latest version: 'subject:<subject_ref>' and
-- '<type>:<token>' for each identifier.
CREATE TABLE package_keys (
	key        TEXT NOT NULL,
	package_id INTEGER NOT NULL REFERENCES packages (id),
	PRIMARY KEY (key, package_id)
) WITHOUT ROWID;

-- Records refused by validation, with their raw bytes and every reason.
CREATE TABLE quarantine (
	id          INTEGER PRIMARY KEY,
	import_id   INTEGER NOT NULL REFERENCES imports (id),
	file        TEXT NOT NULL,
	line        INTEGER NOT NULL,
	array_index INTEGER,
	package_ref TEXT,              -- when the record had a valid one
	raw         BLOB NOT NULL,     -- at most 64 KiB of the record's bytes
	raw_size    INTEGER NOT NULL,  -- the record's full size
	reasons     TEXT NOT NULL,     -- one line per reason: FIELD, a tab, the message
	created_at  INTEGER NOT NULL
);
CREATE INDEX quarantine_ref ON quarantine (package_ref) WHERE package_ref IS NOT NULL;
