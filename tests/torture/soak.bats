#!/usr/bin/env bats
# Two importers and three readers at once for SOAK_SECONDS (default 30): every
# command ends with the documented outcome (0, or 75 when the store stayed
# busy past --wait), nothing is lost and the store stays whole. make torture.

load ../cli/helper

@test "two importers and three readers for ${SOAK_SECONDS:-30} s: no corruption, nothing lost" {
	init_store
	for i in 1 2; do
		python3 "$TOP/src/tools/gen-packages.py" bulk 4000 $((20 + i)) ndjson "$WORK/in$i.ndjson"
		sed "s/BULK-/IMP$i-/" "$WORK/in$i.ndjson" >"$WORK/imp$i.ndjson"
	done
	end=$(($(date +%s) + ${SOAK_SECONDS:-30}))
	importer() {
		while [ "$(date +%s)" -lt "$end" ]; do
			"$RT" import --quiet --wait 60 "$WORK/imp$1.ndjson" >/dev/null 2>&1
			echo $? >>"$WORK/rc-import$1"
		done
	}
	reader() {
		while [ "$(date +%s)" -lt "$end" ]; do
			case $1 in
			1) "$RT" worklist --limit 20 --format csv >/dev/null 2>&1 ;;
			2) "$RT" show IMP1-00000007 >/dev/null 2>&1 || [ $? -eq 65 ] ;; # 65 until imported
			3) "$RT" stats --format json >/dev/null 2>&1 ;;
			esac
			echo $? >>"$WORK/rc-read$1"
		done
	}
	importer 1 & importer 2 & reader 1 & reader 2 & reader 3 &
	wait
	cat "$WORK"/rc-* | sort | uniq -c
	# Every run ended 0 or 75 (busy past --wait: safe to retry); nothing else.
	! cat "$WORK"/rc-* | grep -vxE '0|75'
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
	"$RT" audit verify
	[ "$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'IMP1-%'")" = 4000 ]
	[ "$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'IMP2-%'")" = 4000 ]
	[ "$(sql 'SELECT count(*) FROM package_versions')" = 8000 ]
}
