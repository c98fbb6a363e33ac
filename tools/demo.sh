#!/bin/sh
# make demo: create a store in build/demo.db from sample_packages/ and show
# what an analyst sees after the morning's import.
set -u
rt=$1
db=build/demo.db
rm -f "$db" "$db-wal" "$db-shm"
echo "== reftriage init (store: $db)"
"$rt" --db "$db" init || exit $?
echo
echo "== reftriage import sample_packages/referrals-2026-11-02.csv (a synthetic day of 60 referrals)"
"$rt" --db "$db" import sample_packages/referrals-2026-11-02.csv || exit $?
echo
echo "== the same packages as JSON: nothing changes (same content hashes)"
"$rt" --db "$db" import sample_packages/referrals-2026-11-02.json || exit $?
echo
echo "== a file with bad records: the good ones are kept, the bad ones quarantined (exit 65)"
"$rt" --db "$db" import sample_packages/invalid/wrong-types.csv
echo "exit code: $?"
echo
echo "== reftriage quarantine list"
"$rt" --db "$db" quarantine list || exit $?
echo
echo "== reftriage show SYN-20261102-0001"
"$rt" --db "$db" show SYN-20261102-0001 || exit $?
echo
echo "Try: $rt --db $db show SYN-20261102-0003 --format json"
