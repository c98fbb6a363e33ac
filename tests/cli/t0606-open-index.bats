#!/usr/bin/env bats
# The open packages' index (schemas 21 and 23): a rescore reads the open
# packages through it when they are few, through the table when most are;
# both give the same scores. alert reads what it shows from the index.

load helper

# The scores and history a rescore at $1 writes, on a copy of the store.
rescored() {
	cp "$REFTRIAGE_DB" "$WORK/copy.db"
	REFTRIAGE_DB="$WORK/copy.db" "$RT" score --as-of "$1" >/dev/null 2>&1
	sqlite3 "$WORK/copy.db" "SELECT package_id, version, score, band, priority, due_at, fired, valid_until, rules_priority FROM scores ORDER BY package_id;
		SELECT package_id, priority, due_at FROM priority_history ORDER BY 1, 2, 3"
	rm -f "$WORK/copy.db" "$WORK/copy.db-wal" "$WORK/copy.db-shm"
}

@test "a rescore through the open packages' index and through the table gives the same scores" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" override SYN-20261102-0005 P1 --code known-subject --note "Known on PND (SYNTHETIC)" 2>/dev/null
	"$RT" status SYN-20261102-0007 in_progress 2>/dev/null
	"$RT" score --as-of 2026-11-03T09:00:00Z >/dev/null 2>&1
	# The planner's statistics say most packages are open: the table is read.
	[ "$(sql "SELECT CAST(stat AS INTEGER) * 2 > (SELECT max(id) FROM packages) FROM sqlite_stat1 WHERE idx = 'packages_open'")" = 1 ]
	table=$(rescored 2026-11-05T09:00:00Z)
	# Statistics that say one is open: the index is read instead.
	sql "UPDATE sqlite_stat1 SET stat = '1 1 1 1 1 1' WHERE idx = 'packages_open'"
	index=$(rescored 2026-11-05T09:00:00Z)
	# No statistics at all: the open are counted.
	sql "DROP TABLE sqlite_stat1"
	counted=$(rescored 2026-11-05T09:00:00Z)
	[ -n "$table" ]
	[ "$(echo "$table" | wc -l)" -gt 62 ]
	[ "$table" = "$index" ]
	[ "$table" = "$counted" ]
}

@test "alert shows each package's status and assignee, read from the index" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	ref=$("$RT" alert --now 2026-11-02T12:00:00Z --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["package_ref"])')
	"$RT" assign "$ref" --to "DS Example" 2>/dev/null
	"$RT" status "$ref" in_progress 2>/dev/null
	rt alert --now 2026-11-02T12:00:00Z --format json
	expect_status 1
	echo "$output" | python3 -c '
import json, sys
ref = sys.argv[1]
doc = json.load(sys.stdin)
item = [i for i in doc["items"] if i["package_ref"] == ref][0]
assert item["status"] == "in_progress", item
assert item["assigned_to"] == "DS Example", item
assert item["priority"] == "P1" and item["due_at"] and item["score"] > 0, item' "$ref"
}
