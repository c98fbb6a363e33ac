-- reftriage store, schema version 13: linking keys as 64-bit integers.
--
-- package_keys held each key as text ("email:TOKEN"), so its B-tree compared
-- strings and grew with them: at a million packages, inserting the keys was
-- the largest part of an import (docs/PERFORMANCE.md). A key is now the
-- integer src/model/links.c link_key() makes: its kind (subject, or the
-- identifier's type) in the top byte and 56 bits of a hash of the ref or
-- token; reftriage/links.h says what a collision would do (link two
-- packages: it can raise a priority, never lower one). The store keeps no
-- token here any more; `show` names a shared key from the package's own
-- facts. rt_link_key(text) is the same function, registered on the
-- connection for this migration only; it fails the migration on a key of no
-- known kind. OR IGNORE is for two keys of one package that hash alike,
-- which are then one link, as they would be for a package imported now.
CREATE TABLE package_keys_v13 (
	key        INTEGER NOT NULL,
	package_id INTEGER NOT NULL REFERENCES packages (id),
	PRIMARY KEY (key, package_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO package_keys_v13 (key, package_id)
	SELECT rt_link_key(key), package_id FROM package_keys ORDER BY 1, 2;
DROP TABLE package_keys;
ALTER TABLE package_keys_v13 RENAME TO package_keys;
CREATE INDEX package_keys_by_package ON package_keys (package_id, key);
