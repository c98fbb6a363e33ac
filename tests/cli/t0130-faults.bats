#!/usr/bin/env bats
# I/O faults: a write or sync that fails with EIO or ENOSPC at any point of an
# import gives exit 74 and a clear message, and the store keeps everything
# committed before, passes integrity_check, and holds the file wholly or not.

load helper

SHIM="$(dirname "$RT")/tests/libiofail.so"

@test "the Nth write or sync fails with EIO or ENOSPC: exit 74, nothing committed lost, the file wholly in or out" {
	[ -f "$SHIM" ] || skip "the I/O shim is built by make unit-bins"
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	python3 "$TOP/src/tools/gen-packages.py" bulk 3000 5 csv "$WORK/bulk.csv"
	cp "$REFTRIAGE_DB" "$WORK/base.db"
	# An ASan build wants its runtime first; the shim does not need to come after it.
	export ASAN_OPTIONS=verify_asan_link_order=0
	IOFAIL_COUNT="$WORK/count" LD_PRELOAD="$SHIM" "$RT" import "$WORK/bulk.csv" 2>/dev/null
	total=$(cat "$WORK/count")
	[ "$total" -gt 50 ]
	for errno in EIO ENOSPC; do
		for n in 1 2 3 4 6 9 14 22 35 55 90 150 250 400 650 $((total / 2)) $((total - 1)); do
			rm -f "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" "$REFTRIAGE_DB-shm"
			cp "$WORK/base.db" "$REFTRIAGE_DB"
			IOFAIL_AFTER=$n IOFAIL_ERRNO=$errno LD_PRELOAD="$SHIM" run "$RT" import "$WORK/bulk.csv"
			ic=$(sql 'PRAGMA integrity_check')
			syn=$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'SYN-%'")
			bulk=$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'BULK-%'")
			[ "$ic" = ok ] || { echo "$errno n=$n: integrity $ic"; false; }
			[ "$syn" = 60 ] || { echo "$errno n=$n: lost committed packages ($syn)"; false; }
			[ "$bulk" = 0 ] || [ "$bulk" = 3000 ] || { echo "$errno n=$n: $bulk of the file"; false; }
			"$RT" audit verify >/dev/null || { echo "$errno n=$n: audit chain broken"; false; }
			if [ "$status" -ne 0 ]; then
				[ "$status" -eq 74 ] || { echo "$errno n=$n: exit $status: $output"; false; }
				[[ "$output" == *"disk I/O error"* || "$output" == *"disk is full"* ]] ||
					{ echo "$errno n=$n: $output"; false; }
			else
				[ "$bulk" = 3000 ]
			fi
		done
	done
}

@test "the Nth write or sync fails during the rescore after an import: exit 74, the scores whole, the trail whole" {
	[ -f "$SHIM" ] || skip "the I/O shim is built by make unit-bins"
	init_store
	python3 "$TOP/src/tools/gen-packages.py" bulk 3000 5 csv "$WORK/bulk.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" "$WORK/bulk.csv" 2>/dev/null
	cp "$REFTRIAGE_DB" "$WORK/base.db"
	export ASAN_OPTIONS=verify_asan_link_order=0
	# A month later every waiting rule fires: the rescore rewrites many scores.
	IOFAIL_COUNT="$WORK/count" LD_PRELOAD="$SHIM" "$RT" score --as-of 2026-12-20T08:00:00Z 2>/dev/null
	total=$(cat "$WORK/count")
	[ "$total" -gt 5 ]
	for errno in EIO ENOSPC; do
		for n in 1 2 3 5 8 13 $((total / 2)) $((total - 1)); do
			rm -f "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" "$REFTRIAGE_DB-shm"
			cp "$WORK/base.db" "$REFTRIAGE_DB"
			IOFAIL_AFTER=$n IOFAIL_ERRNO=$errno LD_PRELOAD="$SHIM" run "$RT" score --as-of 2026-12-20T08:00:00Z
			[ "$(sql 'PRAGMA integrity_check')" = ok ] || { echo "$errno n=$n: integrity"; false; }
			"$RT" audit verify >/dev/null || { echo "$errno n=$n: audit chain broken"; false; }
			# One as_of for every score: the old one after a failure, the new one after success.
			as_of=$("$RT" worklist --format json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["as_of"])')
			if [ "$status" -ne 0 ]; then
				[ "$status" -eq 74 ] || { echo "$errno n=$n: exit $status: $output"; false; }
				[ "$as_of" = 2026-11-03T08:00:00Z ] || { echo "$errno n=$n: as_of $as_of"; false; }
			else
				[ "$as_of" = 2026-12-20T08:00:00Z ]
			fi
			[ "$(sql 'SELECT count(*) FROM scores')" = 3060 ]
		done
	done
}
