-- reftriage store, schema version 14: a package's linking keys are found
-- from its facts, and package_keys is kept in key order only.
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
