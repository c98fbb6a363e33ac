-- reftriage store, schema version 22: the audit trail's index of refs is
-- kept up to date by the writers, not by every consultation.
--
-- `audit log --ref R` finds the entries that name a package through an
-- index of (ref, seq). Until now that index was on audit_refs itself, so a
-- consultation that listed 500 packages inserted 500 refs at 500 scattered
-- places of an index holding every ref the store had ever named: on a
-- million-package store, 500 pages of 16 KiB read, written to the WAL and
-- written again at the checkpoint, for one `alert` (PERFORMANCE.md). A
-- consultation's refs now go to audit_refs alone, at its end; the index
-- is a table of its own, audit_ref_index, brought up to date (every entry
-- after the seq in meta's 'audit_refs_indexed') by each entry that is not a
-- consultation, and by a consultation once 20,000 refs wait
-- (src/store/audit.c). `audit log --ref` reads the index up to that seq and
-- the few entries after it directly, so it finds every entry; `audit
-- verify` checks that the index holds every ref up to that seq.
--
-- Like audit_refs, it is only ever appended to.
DROP INDEX IF EXISTS audit_refs_by_ref;
CREATE TABLE IF NOT EXISTS audit_ref_index (
	ref TEXT NOT NULL,
	seq INTEGER NOT NULL,
	PRIMARY KEY (ref, seq)
) WITHOUT ROWID;
INSERT OR IGNORE INTO audit_ref_index (ref, seq)
	SELECT ref, seq FROM audit_refs ORDER BY ref, seq;
INSERT OR REPLACE INTO meta (key, value)
	VALUES ('audit_refs_indexed', (SELECT coalesce(max(seq), 0) FROM audit_refs));
CREATE TRIGGER IF NOT EXISTS audit_ref_index_no_update BEFORE UPDATE ON audit_ref_index
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER IF NOT EXISTS audit_ref_index_no_delete BEFORE DELETE ON audit_ref_index
BEGIN
	SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
