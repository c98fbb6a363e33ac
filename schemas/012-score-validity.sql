-- reftriage store, schema version 12: how long each score stays what it is.
--
-- valid_until: scoring the package again at any time from the store's as_of
-- up to this one (microseconds) gives this row again (src/score/score.c,
-- score_valid_until), as long as its version, its links and the rules are
-- the same. A rescore then reads the facts and runs the rules only for the
-- packages that need it: a nightly rescore a day later touches the few whose
-- waiting time crossed a rule's threshold, not all of them. NULL (the rows
-- from before): not known, so the next rescore scores the package.
ALTER TABLE scores ADD COLUMN valid_until INTEGER;
