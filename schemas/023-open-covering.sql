-- reftriage store, schema version 23: the index of the open packages holds
-- what `alert` shows of them.
--
-- `alert` is run by cron every few minutes and must answer within 0.1 s on a
-- store that has served for years (issue 25). Schema 21's index of the open
-- packages found them without reading the closed; `alert` then read each
-- open package's row (one scattered page each), its score, and its facts.
-- It needs none of the facts and, of the package, only the columns below:
-- with them in the index, it reads the index and the scores alone
-- (store_worklist_query.lean; PERFORMANCE.md). The index is written when a
-- package arrives, changes status or assignee, or gets a new version, as
-- before; the wider entry costs the import little (PERFORMANCE.md).
--
-- Its WHERE stays STORE_IS_OPEN (src/store/store-internal.h) word for word.
DROP INDEX IF EXISTS packages_open;
CREATE INDEX packages_open ON packages (id, latest_version, status, ref, assigned_to)
	WHERE (status = 'new' OR status = 'assigned' OR status = 'in_progress' OR status = 'reopened'
	OR status = 'awaiting_info' OR status = 'transfer_pending');
