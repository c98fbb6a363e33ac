#!/usr/bin/env bats
# Bad input as data: each directory under tests/data/invalid/ holds an input
# (a link into sample_packages/invalid/), the expected first line of stderr,
# the exit code, and "PACKAGES QUARANTINED" counts after the import. A new
# case needs a directory, not code.

load helper

CASES="$TOP/tests/data/invalid"

@test "there are bad-input cases to run (at least 20)" {
	n=$(find "$CASES" -mindepth 1 -maxdepth 1 -type d | wc -l)
	[ "$n" -ge 20 ]
}

@test "every bad-input case: its message, its exit code, and nothing good lost" {
	failed=0
	for dir in "$CASES"/*/; do
		name=$(basename "$(readlink -f "$dir/input")")
		rm -rf "$WORK/case" && mkdir "$WORK/case" && cd "$WORK/case"
		cp "$dir/input" "$name"
		export REFTRIAGE_DB="$WORK/case/store.db"
		"$RT" init 2>/dev/null
		args=""
		[ -f "$dir/args" ] && args=$(cat "$dir/args")
		rt import $args "$name"
		got_counts="$(sql 'SELECT count(*) FROM packages') $(sql 'SELECT count(*) FROM quarantine')"
		# The summary line's scoring time and rules change: expected files end at 'as of'.
		err1=$(printf '%s\n' "$err1" | sed 's/ as of .*$/ as of .../')
		if [ "$status" -ne "$(cat "$dir/exit")" ] || [ "$err1" != "$(cat "$dir/expected")" ] ||
			[ "$got_counts" != "$(cat "$dir/stored")" ]; then
			echo "case $(basename "$dir"):" >&2
			echo "  exit $status (want $(cat "$dir/exit"))" >&2
			echo "  stderr: $err1" >&2
			echo "  want:   $(cat "$dir/expected")" >&2
			echo "  stored/quarantined: $got_counts (want $(cat "$dir/stored"))" >&2
			failed=$((failed + 1))
		fi
		# Nothing crashed: a crash or sanitizer report would say so on stderr.
		case "$err" in *Sanitizer*|*"runtime error"*|*Segmentation*) echo "case $dir crashed" >&2; failed=$((failed + 1)) ;; esac
		if [ "$(sql 'PRAGMA integrity_check')" != ok ]; then
			echo "case $dir: store fails integrity_check" >&2
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "a rejected record is quarantined with raw text, position and every reason" {
	init_store
	rt import "$SAMPLES/invalid/wrong-types.json"
	expect_status 65
	[ "$(sql 'SELECT line || "|" || array_index || "|" || package_ref FROM quarantine')" = "3|1|SYN-INV-0002" ]
	[ "$(sql "SELECT count(*) FROM quarantine, json_each('[1]') WHERE reasons LIKE '%subject_age%' AND reasons LIKE '%child_in_household%' AND reasons LIKE '%force_area%' AND reasons LIKE '%identifiers%'")" = 1 ]
	raw=$(sql 'SELECT raw FROM quarantine')
	[ "$raw" = "$(sed -n 3p "$SAMPLES/invalid/wrong-types.json" | sed 's/^  //; s/,$//')" ]
}

@test "the raw bytes of a rejected record are kept exactly, even when not UTF-8" {
	init_store
	rt import "$SAMPLES/invalid/invalid-utf8.csv"
	expect_status 65
	[ "$(sql 'SELECT hex(raw) FROM quarantine')" = "$(sed -n 3p "$SAMPLES/invalid/invalid-utf8.csv" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" ]
}

@test "a file of only white space, blank lines or a BOM is an empty delivery, and the good file beside it is kept" {
	init_store
	printf ' \n\n' >"$WORK/blank.json"
	rt import "$SAMPLES/referrals-2026-11-02.csv" "$WORK/blank.json"
	expect_status 65
	expect_err_has "reftriage: $WORK/blank.json: the file is empty: its 3 bytes are only white space, blank lines or a byte order mark; no header or records"
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 0 ]
	[ "$(sql 'SELECT count(*) FROM packages')" = "$(($(wc -l <"$SAMPLES/referrals-2026-11-02.csv") - 1))" ]
	# Standard input too, whatever --format says.
	rt_stdin "$WORK/blank.json" import --format ndjson -
	expect_status 65
	expect_err1 "reftriage: (stdin): the file is empty: its 3 bytes are only white space, blank lines or a byte order mark; no header or records"
}

@test "invalid UTF-8 in a JSON record keeps its valid package_ref in quarantine, as CSV does" {
	init_store
	rt import "$SAMPLES/invalid/invalid-utf8.ndjson" "$SAMPLES/invalid/invalid-utf8.csv"
	expect_status 65
	expect_err1 "$SAMPLES/invalid/invalid-utf8.ndjson:2: summary: is not valid UTF-8 (byte 150 of the record is 0xfe); the record is refused"
	[ "$(sql "SELECT group_concat(q, ' ') FROM (SELECT file || ':' || line || ':' || package_ref AS q FROM quarantine ORDER BY id)")" = \
		"$SAMPLES/invalid/invalid-utf8.ndjson:2:SYN-INV-0002 $SAMPLES/invalid/invalid-utf8.csv:3:SYN-INV-0002" ]
	# The good records on either side are stored (the same two packages in both files).
	[ "$(sql "SELECT group_concat(ref, ' ') FROM (SELECT ref FROM packages ORDER BY ref)")" = "SYN-INV-0001 SYN-INV-0003" ]
}

@test "a column named as the contract's apart from case or spaces is refused even with --ignore-unknown-fields" {
	init_store
	rt import --ignore-unknown-fields "$SAMPLES/invalid/header-one-loose-name.csv"
	expect_status 65
	expect_err1 "$SAMPLES/invalid/header-one-loose-name.csv:1: Received At: column 2 is not a field of the contract: name it received_at (the contract names columns exactly: lower case, with underscores)"
	[ "$(sql 'SELECT count(*) FROM packages')" = 0 ]
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 1 ]
}

@test "a spreadsheet is named as one whatever its name, and nothing of it is stored" {
	init_store
	cp "$SAMPLES/invalid/spreadsheet-saved-as.csv" "$WORK/day.xlsx"
	rt import "$WORK/day.xlsx" "$SAMPLES/invalid/spreadsheet-saved-as.csv"
	expect_status 65
	expect_err1 "reftriage: $WORK/day.xlsx: a spreadsheet (xlsx, ods or xls), not CSV or JSON: open it and save it as CSV (UTF-8), then import that file; nothing imported"
	[ "$(echo "$err" | wc -l)" = 2 ]
	rt_stdin "$SAMPLES/invalid/spreadsheet-saved-as.csv" import -
	expect_status 65
	expect_err1 "reftriage: (stdin): a spreadsheet (xlsx, ods or xls), not CSV or JSON: open it and save it as CSV (UTF-8), then import that file; nothing imported"
	[ "$(sql 'SELECT count(*) FROM packages') $(sql 'SELECT count(*) FROM quarantine') $(sql 'SELECT count(*) FROM imports')" = "0 0 0" ]
}
