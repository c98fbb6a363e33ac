-- reftriage store, schema version 17: nothing waits unseen in quarantine.
--
-- Every list says how many quarantined records are open, and names them
-- (cli.md "Nothing waits unseen"): an index of the open ones only, so that
-- `alert` counts them without reading the rest, and the received_at of a
-- rejected record where it was valid, to show when the referral came in.
--
-- A rejected record whose raw bytes equal a quarantined one's (open,
-- dismissed or resolved) is a known reject: it is not quarantined again.
-- raw_hash is BLAKE2b-256 of the record's bytes as read (all of them, before
-- the cut to 64 KiB that raw keeps; for CyberTipline XML, the text kept
-- instead of the XML), found together with raw_size. The rows stored before
-- get theirs from raw, where raw holds the whole record (rt_blake2b(),
-- registered on the connection for the migrations only); a record cut to
-- 64 KiB before this version keeps none, and is quarantined once more if
-- it comes again.
ALTER TABLE quarantine ADD COLUMN raw_hash BLOB;
ALTER TABLE quarantine ADD COLUMN received_at INTEGER;
UPDATE quarantine SET raw_hash = rt_blake2b(raw)
	WHERE length(raw) < 65536 OR length(raw) = raw_size;
CREATE INDEX quarantine_by_raw ON quarantine (raw_hash) WHERE raw_hash IS NOT NULL;
CREATE INDEX quarantine_open ON quarantine (id)
	WHERE dismissed_at IS NULL AND resolved_at IS NULL;
