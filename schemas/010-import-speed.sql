-- reftriage store, schema version 10: one index fewer for each stored version.
--
-- package_versions_by_hash (package_id, content_hash) served one question:
-- does any version of this package have this content hash (an import's
-- "unchanged" test). The unique index on (package_id, version) finds a
-- package's versions as well, and a package has few, so the hash is read
-- from their rows instead; every stored version then costs one index insert
-- fewer (about 5% of a bulk import's time, docs/PERFORMANCE.md).
DROP INDEX IF EXISTS package_versions_by_hash;
