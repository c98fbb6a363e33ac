-- reftriage store, schema version 8: what became of each referral
-- (docs/outcomes.md), so that a force can measure its rules against its own
-- cases with 'rules backtest'.
--
-- One row per outcome: a package may have several. The same outcome
-- (package, code, date, count) is recorded once, so importing the same
-- lines again changes nothing. The note is the only free text: purge erases
-- it with the package's content and keeps the code, date and count. (IF NOT
-- EXISTS: a test winds a store's user_version back and migrates it again.)
CREATE TABLE IF NOT EXISTS outcomes (
	id           INTEGER PRIMARY KEY,
	package_id   INTEGER NOT NULL REFERENCES packages (id),
	code         TEXT NOT NULL,
	outcome_date TEXT NOT NULL,          -- YYYY-MM-DD
	count        INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
	note         TEXT,
	recorded_at  INTEGER NOT NULL,
	operator     TEXT NOT NULL,
	UNIQUE (package_id, code, outcome_date, count)
);
CREATE INDEX IF NOT EXISTS outcomes_by_date ON outcomes (outcome_date);
