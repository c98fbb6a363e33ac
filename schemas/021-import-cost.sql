-- reftriage store, schema version 21: indexes for what is asked, not for
-- every row.
--
-- Migration 16 indexed packages (force_area COLLATE NOCASE) and
-- (assigned_to COLLATE NOCASE) so that a filter in any case, and the check
-- that its value names some package, need not read every package. Measured
-- on a 40,000-package CSV import (instructions, callgrind), the two indexes
-- cost 8 % of the import: one more b-tree insert per package each.
--
-- assigned_to is empty when a package arrives, and most open packages are
-- unassigned: a partial index of the assigned ones costs the import nothing
-- and still answers `--assigned-to` (an equality implies IS NOT NULL).
--
-- A force area is on every package and a store holds a handful of them: the
-- index was one insert per package to answer a query that is asked only
-- when someone filters by force. Without it a filter that matches nothing
-- reads the packages once (see PERFORMANCE.md); a filter that matches stops
-- at the first package it finds.
--
-- The same holds for schema 19's index of refs in any case, for `find ref`
-- (a prefix): 6 % of the import for a search that reads the packages' refs
-- once without it.
DROP INDEX IF EXISTS packages_by_ref_nocase;
DROP INDEX IF EXISTS packages_by_force_area;
DROP INDEX IF EXISTS packages_by_assignee;
CREATE INDEX IF NOT EXISTS packages_by_assignee ON packages (assigned_to COLLATE NOCASE)
	WHERE assigned_to IS NOT NULL;

-- Open packages are a small part of a store that has served for years (a
-- force closes nearly all it receives), yet every list reads them: the
-- worklist, `alert`, `stats`. Without an index the worklist walked the
-- ranking of every score, closed or open, until it had its top 50: 12 s on
-- a million packages with 500 open. This index holds the open ones alone.
-- Its WHERE is STORE_IS_OPEN (src/store/store-internal.h) word for word, so
-- that the planner knows that a query on open packages may read it, and the
-- store keeps its statistics current (store_refresh_stats in
-- src/store/scores.c, which also checks that the two agree) so that the
-- planner reads it when the open are few and the ranking when they are many.
CREATE INDEX IF NOT EXISTS packages_open ON packages (id)
	WHERE (status = 'new' OR status = 'assigned' OR status = 'in_progress' OR status = 'reopened'
	OR status = 'awaiting_info' OR status = 'transfer_pending');
