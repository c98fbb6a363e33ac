#!/usr/bin/env bats
# A really full disk: the store on a 1 MiB tmpfs. An import that cannot fit
# fails with exit 74 and a clear message; what was committed before stays, the
# store passes integrity_check, the audit chain verifies, and the store still
# answers. Mounting needs root (CI and make check run as root on Debian); the
# test says so and skips when it cannot mount. The LD_PRELOAD ENOSPC shim in
# t0130 covers the same path without privileges.

load helper

setup() {
	WORK="$(mktemp -d)"
	cd "$WORK" || return 1
	mkdir disk
	if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=2m,mode=0700 tmpfs disk 2>/dev/null; then
		MOUNTED=no
	else
		MOUNTED=yes
	fi
	export REFTRIAGE_DB="$WORK/disk/store.db"
	export REFTRIAGE_OPERATOR="tester"
	unset REFTRIAGE_NOW REFTRIAGE_FAIL_ALLOC
}

teardown() {
	cd /
	[ "$MOUNTED" = yes ] && umount "$WORK/disk"
	rm -rf "$WORK"
}

@test "an import onto a full disk: exit 74, nothing committed lost, the store whole" {
	[ "$MOUNTED" = yes ] || skip "cannot mount a tmpfs here (needs root)"
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	python3 "$TOP/src/tools/gen-packages.py" bulk 3000 5 csv "$WORK/bulk.csv"
	rt import "$WORK/bulk.csv"
	expect_status 74
	expect_err1 "reftriage: $REFTRIAGE_DB: writing to the store: database or disk is full"
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
	[ "$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'SYN-%'")" = 60 ]
	[ "$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'BULK-%'")" = 0 ]
	rt audit verify
	expect_status 0
	rt worklist --limit 3 --format csv
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 4 ]
}
