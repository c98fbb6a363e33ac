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
# The team triages the morning after the referrals arrived. The demo replays
# that morning: scores are computed --as-of then and the lists are judged
# --now then, so overdue and stale are as they were, not weeks later. What the
# store records (import, audit) is dated by the real clock, as always.
as_of=2026-11-03T08:00:00Z
now=2026-11-03T08:30:00Z
echo "== reftriage import sample_packages/referrals-2026-11-02.csv --as-of $as_of"
echo "   (a synthetic day of 60 referrals; the import scores every open package)"
"$rt" --db "$db" import --as-of $as_of sample_packages/referrals-2026-11-02.csv || exit $?
echo
echo "== the same packages as JSON: nothing changes (same content hashes)"
"$rt" --db "$db" import --as-of $as_of sample_packages/referrals-2026-11-02.json || exit $?
echo
echo "== a new version arrives: SYN-20261102-0001 updated ('show --diff' shows what changed)"
"$rt" --db "$db" import --as-of $as_of sample_packages/referrals-2026-11-03-update.csv || exit $?
echo
echo "== CyberTipline reports (XML, synthetic): identifiers become tokens under the unit's key"
key=build/demo-unit.key
rm -f "$key"
"$rt" keygen --token-key "$key" || exit $?
"$rt" --db "$db" import --as-of $as_of --token-key "$key" sample_packages/cybertip-2026-11-02.xml ||
	exit $?
# The decision, then the source system's fields (NCMEC's annotations) that drove it.
"$rt" --db "$db" show NCMEC-900000102 >build/demo-show.txt || exit $?
sed -n '1,/^rules /p' build/demo-show.txt
sed -n '/^  source$/,/fields unknown/p' build/demo-show.txt
echo
echo "== a file with bad records: the good ones are kept, the bad ones quarantined (exit 65)"
"$rt" --db "$db" import --as-of $as_of sample_packages/invalid/wrong-types.csv
echo "exit code: $?"
echo
echo "== reftriage quarantine list"
"$rt" --db "$db" quarantine list || exit $?
echo
echo "== reftriage show SYN-20261102-0001 (why it ranks first: the decision comes first)"
"$rt" --db "$db" show SYN-20261102-0001 | sed -n '1,/^fields/p' || exit $?
echo
echo "== reftriage worklist: the ranked list (the table a terminal shows; also csv, json, ndjson, html)"
# At the terminal's real width (make does not pass $COLUMNS on), else 80; the
# table fits 80 columns.
cols=${COLUMNS:-$(stty size 2>/dev/null </dev/tty | cut -d' ' -f2)}
COLUMNS=${cols:-80} "$rt" --db "$db" worklist --now $now --format table || exit $?
echo
echo "== reftriage worklist --format html --output build/daily.html (the printable daily list)"
"$rt" --db "$db" worklist --now $now --format html --output build/daily.html || exit $?
echo
echo "Now the README's morning, with this binary and this store:"
echo "  export PATH=\"\$PWD/$(dirname "$rt"):\$PATH\" REFTRIAGE_DB=\"\$PWD/$db\""
echo "  reftriage worklist --priority P1,P2"
echo "  reftriage show SYN-20261102-0001"
