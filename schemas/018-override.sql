-- reftriage store, schema version 18: overrides and NFA sign-off
-- (casework.md sections 1 and 2; docs/workflow.md).
--
-- package_events: the action 'override' (an override made, cleared, or
-- lapsed on new information), and four columns: approved_by, the second
-- person of a lowering override, a clear or an NFA under nfa_sign_off; for
-- an override event, priority (the band's name it set; NULL for a clear or
-- a lapse), direction ('up' or 'down': the one recorded when it was made)
-- and code. SQLite cannot change a CHECK constraint, so the table is built
-- again with the same rows; store_open() runs migrations with foreign keys
-- off and checks them before committing.
CREATE TABLE package_events_v18 (
	id          INTEGER PRIMARY KEY,
	package_id  INTEGER NOT NULL REFERENCES packages (id),
	at          INTEGER NOT NULL,
	operator    TEXT NOT NULL,
	action      TEXT NOT NULL CHECK (action = 'assign' OR action = 'status' OR
	                                 action = 'override'),
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	assigned_to TEXT,
	note        TEXT,
	approved_by TEXT,
	priority    TEXT,
	direction   TEXT CHECK (direction IS NULL OR direction = 'up' OR direction = 'down'),
	code        TEXT
);
INSERT INTO package_events_v18 (id, package_id, at, operator, action, from_status, to_status,
	assigned_to, note)
	SELECT id, package_id, at, operator, action, from_status, to_status, assigned_to, note
	FROM package_events;
DROP TABLE package_events;
ALTER TABLE package_events_v18 RENAME TO package_events;
CREATE INDEX package_events_by_package ON package_events (package_id, id);
-- The report counts overrides made in a period.
CREATE INDEX package_events_overrides ON package_events (at) WHERE action = 'override';

-- The override in force on a package, one at most: made by operator at
-- `at`, to the band named priority (band: its index then, used when a later
-- rule set no longer names it). Cleared by `override --clear` and, for a
-- lowering one, by a new version with changed content; rescoring and
-- `rules install` keep it. Its history is in package_events.
CREATE TABLE overrides (
	package_id  INTEGER PRIMARY KEY REFERENCES packages (id),
	priority    TEXT NOT NULL,
	band        INTEGER NOT NULL,
	direction   TEXT NOT NULL CHECK (direction = 'up' OR direction = 'down'),
	code        TEXT NOT NULL,
	operator    TEXT NOT NULL,
	approved_by TEXT,
	at          INTEGER NOT NULL,
	note        TEXT NOT NULL
);

-- scores.priority and due_at are now the effective ones (an override's
-- when one is in force); rules_priority is the band the rules gave (NULL:
-- the same as priority, as in every row from before).
ALTER TABLE scores ADD COLUMN rules_priority INTEGER;
