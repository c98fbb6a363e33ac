# Shared set-up for the CLI tests: a fresh directory and store per test.
# RT is the binary under test (set by tests/run-suites.sh; defaults to build/).

TOP="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
RT="${RT:-$TOP/build/reftriage}"
# The test-only build of the same flavour (make unit-bins): the one binary in
# which REFTRIAGE_NOW sets the clock. The installed binary always records the
# system clock; a test that must record a time in the past runs this one
# (REFTRIAGE_NOW=... "$RT_CLOCK" ..., or pin_clock for a whole test).
RT_CLOCK="${RT_CLOCK:-$(dirname "$RT")/tests/reftriage-testclock}"
SAMPLES="$TOP/sample_packages"
# People read local times (TZ): tests see UTC unless a file sets its own zone.
export TZ=UTC
# What the migrations after schema 14 added, undone: for the tests that wind a
# new store back to an older schema by hand before migrating it forward.
UNDO_LATER_SCHEMAS="DROP TABLE IF EXISTS priority_history; ALTER TABLE packages DROP COLUMN reopened_at; DELETE FROM meta WHERE key = 'history_seeded_at';"
# The schema version this build writes: the number of the last migration.
SCHEMA=$(ls "$TOP"/schemas/[0-9]*.sql | sed 's|.*/0*\([0-9]*\)-.*|\1|' | sort -n | tail -1)

setup() {
	WORK="$(mktemp -d)"
	cd "$WORK" || return 1
	export REFTRIAGE_DB="$WORK/store.db"
	export REFTRIAGE_OPERATOR="tester"
	unset REFTRIAGE_NOW REFTRIAGE_FAIL_ALLOC
}

# From here on in this test, the clock reads $1 and every command ("$RT" and
# rt alike) runs the test-only binary.
pin_clock() {
	if [ ! -x "$RT_CLOCK" ] || [ "$RT" -nt "$RT_CLOCK" ]; then
		echo "no up-to-date test-only binary $RT_CLOCK: run make" >&2
		return 1
	fi
	export REFTRIAGE_NOW="$1"
	RT="$RT_CLOCK"
}

# rt, with the clock at $1 (the test-only binary).
rt_at() {
	local at="$1"
	shift
	REFTRIAGE_NOW="$at" RT="$RT_CLOCK" rt "$@"
}

teardown() {
	cd / && rm -rf "$WORK"
}

# Run reftriage with stdout and stderr kept apart: $status, $output (stdout),
# $err (all of stderr) and $err1 (its first line).
rt() {
	local out errf
	errf="$WORK/.stderr"
	set +e
	output="$("$RT" "$@" 2>"$errf")"
	status=$?
	set -e
	err="$(cat "$errf")"
	err1="$(head -n 1 "$errf")"
}

# The same, with standard input from a file.
rt_stdin() {
	local in="$1" errf="$WORK/.stderr"
	shift
	set +e
	output="$("$RT" "$@" <"$in" 2>"$errf")"
	status=$?
	set -e
	err="$(cat "$errf")"
	err1="$(head -n 1 "$errf")"
}

init_store() {
	"$RT" init 2>/dev/null
}

sql() {
	sqlite3 "$REFTRIAGE_DB" "$@"
}

# Take schema 17's quarantine columns and indexes away again, for a test that
# takes a store back to an earlier schema by hand (the migration adds them).
undo_schema_17() {
	# Schemas 18 to 23 first (overrides, deconfliction, the roster, the open
	# packages' index, the audit trail's index of refs), then 17's quarantine
	# columns: the migrations run again.
	sql "DROP TABLE IF EXISTS audit_ref_index; CREATE INDEX IF NOT EXISTS audit_refs_by_ref ON audit_refs (ref, seq); DELETE FROM meta WHERE key = 'audit_refs_indexed'"
	sql "DROP TABLE IF EXISTS overrides; DROP TABLE IF EXISTS deconf_acks; DROP TABLE IF EXISTS deconf_entries; DROP TABLE IF EXISTS deconf_list; DROP TABLE IF EXISTS team; DROP INDEX IF EXISTS packages_open; DELETE FROM meta WHERE key LIKE 'deconf%'"
	if [ "$(sql "SELECT count(*) FROM pragma_table_info('scores') WHERE name = 'rules_priority'")" = 1 ]; then
		sql "ALTER TABLE scores DROP COLUMN rules_priority"
	fi
	sql "DROP INDEX quarantine_by_raw; DROP INDEX quarantine_open; ALTER TABLE quarantine DROP COLUMN raw_hash; ALTER TABLE quarantine DROP COLUMN received_at"
}

expect_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit $1, got $status" >&2
		echo "stdout: $output" >&2
		echo "stderr: $err" >&2
		return 1
	fi
}

expect_err1() {
	if [ "$err1" != "$1" ]; then
		echo "first line of stderr:" >&2
		echo "  got:  $err1" >&2
		echo "  want: $1" >&2
		return 1
	fi
}

# The first line of stderr starts with $1 (a summary line that ends in the time scored).
expect_err1_starts() {
	case "$err1" in
	"$1"*) ;;
	*) echo "first line of stderr:" >&2; echo "  got:  $err1" >&2; echo "  want: $1..." >&2; return 1 ;;
	esac
}

expect_err_has() {
	case "$err" in
	*"$1"*) ;;
	*) echo "stderr lacks: $1" >&2; echo "stderr: $err" >&2; return 1 ;;
	esac
}

expect_out_has() {
	case "$output" in
	*"$1"*) ;;
	*) echo "stdout lacks: $1" >&2; echo "stdout: $output" >&2; return 1 ;;
	esac
}

# The backtest fixture's twelve packages (tests/data/backtest, worked out in
# t0660-backtest.bats), with "now" after every outcome date in it.
BT="$TOP/tests/data/backtest"
bt_packages() {
	pin_clock 2026-11-30T12:00:00Z
	init_store
	"$RT" import "$BT/packages.ndjson" 2>/dev/null
}
