-- reftriage store, schema version 4: the audit trail (DPA 2018 s.62) and erasure.

-- One entry per operation, in order. Each entry's hash is BLAKE2b-256 over a
-- domain tag, the previous entry's hash and the entry's canonical bytes
-- (src/audit/chain.c; docs/security.md), so an entry cannot be changed,
-- removed, inserted or moved without 'audit verify' naming it.
CREATE TABLE audit (
	seq          INTEGER PRIMARY KEY,  -- 1, 2, 3, ... without gaps
	at           INTEGER NOT NULL,     -- microseconds since 1970, UTC
	operator     TEXT NOT NULL,
	action       TEXT NOT NULL,        -- import, link, status, worklist, purge, ...
	reason       TEXT,                 -- the justification given, if any
	details      TEXT NOT NULL,        -- a JSON object; never package content
	details_hash BLOB NOT NULL,        -- BLAKE2b-256 of details
	n_refs       INTEGER NOT NULL,     -- how many rows audit_refs holds for it
	prev_hash    BLOB NOT NULL,        -- the previous entry's hash (zeros for the first)
	hash         BLOB NOT NULL
);

-- The package refs an entry concerns, in order (never their content).
CREATE TABLE audit_refs (
	seq INTEGER NOT NULL,
	pos INTEGER NOT NULL,
	ref TEXT NOT NULL,
	PRIMARY KEY (seq, pos)
) WITHOUT ROWID;
CREATE INDEX audit_refs_by_ref ON audit_refs (ref, seq);

-- Append-only: reftriage never changes or removes an entry. These triggers
-- stop mistakes; deliberate tampering (dropping them) is what the hash chain
-- and signed checkpoints catch.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_refs_no_update BEFORE UPDATE ON audit_refs
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_refs_no_delete BEFORE DELETE ON audit_refs
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- The store's identity, named in signed checkpoints so that a checkpoint of
-- one store cannot vouch for another.
INSERT OR IGNORE INTO meta (key, value) VALUES ('store_id', lower(hex(randomblob(16))));

-- Erasure (purge): a package's content is gone; its ref, versions' content
-- hashes and workflow history stay.
ALTER TABLE packages ADD COLUMN purged_at INTEGER;
