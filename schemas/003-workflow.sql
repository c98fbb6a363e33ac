-- reftriage store, schema version 3: the workflow history.

-- Every assignment and status change, with who made it, when, and the note
-- given (a decision not to act must say why: it may be disclosable).
CREATE TABLE package_events (
	id          INTEGER PRIMARY KEY,
	package_id  INTEGER NOT NULL REFERENCES packages (id),
	at          INTEGER NOT NULL,
	operator    TEXT NOT NULL,
	action      TEXT NOT NULL CHECK (action IN ('assign', 'status')),
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	assigned_to TEXT,
	note        TEXT
);
CREATE INDEX package_events_by_package ON package_events (package_id, id);
