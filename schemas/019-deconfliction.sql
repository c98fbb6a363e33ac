-- reftriage store, schema version 19: deconfliction (casework.md section 3) and find (section 4).
--
-- deconf_list: the one active list, when it came and from what (at most one
-- row; none: no list). deconf_entries: its entries, each with the linking key
-- (links.h: kind and 56 bits of hash) that package_keys holds for the same
-- subject_ref or identifier, so that matching is an index join. value is the
-- token or subject_ref as stored: a raw identifier given with --token-key is
-- tokenised before it reaches the store and is never kept. added_at is when
-- this (type, value, owner) entered the list: re-importing the same entries
-- keeps it, so an acknowledgement made since still covers them.
CREATE TABLE deconf_list (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	imported_at INTEGER NOT NULL, -- microseconds since 1970, UTC
	imported_by TEXT NOT NULL,
	source      TEXT NOT NULL,    -- the file's name as given
	file_hash   BLOB NOT NULL,    -- BLAKE2b-256 of its bytes
	entries     INTEGER NOT NULL
);

CREATE TABLE deconf_entries (
	id        INTEGER PRIMARY KEY,
	key       INTEGER NOT NULL,
	type      TEXT NOT NULL,      -- subject or an identifier type
	value     TEXT NOT NULL,
	owner     TEXT NOT NULL,
	operation TEXT,
	contact   TEXT NOT NULL,
	until_day INTEGER,            -- the last local day it is active, days since 1970; NULL: no end
	added_at  INTEGER NOT NULL,
	list_gen  INTEGER NOT NULL,    -- the import that last listed it (meta deconf_generation)
	UNIQUE (type, value, owner)
);
CREATE INDEX deconf_entries_by_key ON deconf_entries (key);

-- One acknowledgement per package ("--deconflicted NOTE"): it covers the
-- entries added to the list before it; the history of them is the audit trail's.
CREATE TABLE deconf_acks (
	package_id INTEGER PRIMARY KEY REFERENCES packages (id),
	at         INTEGER NOT NULL,
	operator   TEXT NOT NULL,
	note       TEXT NOT NULL
);

-- find ref PREFIX in any case: a range of this index.
CREATE INDEX packages_by_ref_nocase ON packages (ref COLLATE NOCASE);
