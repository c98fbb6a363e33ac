#!/usr/bin/env bats
# find TYPE VALUE (shared/spec/casework.md section 4): subject, ref prefix and
# identifiers, open or --all, with the deconfliction entries that name them;
# exit 0 or 1 like grep; audited as a consultation with the token only.

load helper

setup_find() {
	cat >"$WORK/p.csv" <<'EOF2'
package_ref,received_at,source,referral_type,subject_ref,identifiers
FIND-001,2026-11-02T08:00:00Z,CEOP,grooming,SUBJ-aaa,email:aa11
FIND-002,2026-11-02T09:00:00Z,CEOP,grooming,SUBJ-aaa,email:bb22
Other-003,2026-11-02T10:00:00Z,CEOP,grooming,SUBJ-ccc,email:aa11
EOF2
	init_store
	"$RT" import "$WORK/p.csv" 2>/dev/null
	printf 'type,value,owner,operation,contact\nemail,aa11,Op North,Op KESTREL,DS Smith\n' >"$WORK/l.csv"
	"$RT" deconflict import "$WORK/l.csv" 2>/dev/null
}

@test "find subject and identifier: the packages with priority, status, assignee, and the entries naming it" {
	setup_find
	"$RT" assign FIND-002 --to dc.lee 2>/dev/null
	rt find subject SUBJ-aaa
	expect_status 0
	expect_out_has "FIND-001"
	[[ "$output" == *"FIND-002"*"assigned"*"dc.lee"* ]]
	[[ "$output" != *"Other-003"* ]]
	rt find email aa11 --format json
	expect_status 0
	python3 -c '
import json, sys
f = json.loads(sys.argv[1])
assert sorted(p["ref"] for p in f["packages"]) == ["FIND-001", "Other-003"], f
assert all(p["priority"] and p["status"] == "new" and p["deconfliction"]["state"] == "hit" for p in f["packages"]), f
assert f["entries"] == [{"owner": "Op North", "operation": "Op KESTREL", "contact": "DS Smith", "type": "email"}], f
' "$output"
	# Named only by the list: still found (exit 0).
	printf 'type,value,owner,contact\nemail,ee55,Op East,DC East\n' >"$WORK/l2.csv"
	"$RT" deconflict import "$WORK/l2.csv" 2>/dev/null
	rt find email ee55
	expect_status 0
	expect_out_has "Op East"
	# Nothing: exit 1, as grep.
	rt find email ffff
	expect_status 1
	rt find subject SUBJ-zzz
	expect_status 1
}

@test "find ref: a prefix in any case; --all adds closed packages" {
	setup_find
	printf 'package_ref,received_at,source,referral_type\nAbcdefGhij-01,2026-11-02T08:00:00Z,CEOP,grooming\n' >"$WORK/long.csv"
	rt find ref find-00
	expect_status 0
	expect_out_has "FIND-001"
	expect_out_has "FIND-002"
	[[ "$output" != *"Other-003"* ]]
	"$RT" status FIND-001 nfa --note "nothing in it" 2>/dev/null
	rt find ref FIND-00
	[[ "$output" != *"FIND-001"* ]]
	rt find ref FIND-00 --all
	expect_out_has "FIND-001"
	expect_out_has "nfa"
	rt find ref 'FIND%'
	expect_status 65
	# Mixed case in the store and in the prefix: every spelling is tried
	# (oTHER- has five letters: 32 ranges of the refs' own index), and a
	# prefix of more than eight letters reads every ref instead.
	rt find ref oTHER-0
	expect_status 0
	expect_out_has "Other-003"
	[[ "$output" != *"FIND-"* ]]
	rt find ref otherx
	expect_status 1
	"$RT" import "$WORK/long.csv" 2>/dev/null
	rt find ref abcdefghij-0
	expect_status 0
	expect_out_has "AbcdefGhij-01"
}

@test "find with --token-key: the raw value is tokenised, never printed nor audited; the environment's key does not apply" {
	init_store
	python3 -c 'print(bytes(range(32)).hex())' >"$WORK/key"
	chmod 600 "$WORK/key"
	cat >"$WORK/r.xml" <<'EOF2'
<cybertip reportId="900000601" receivedAt="2026-11-02T08:15:00Z">
 <report><incidentSummary><incidentType>Child Sex Tourism</incidentType>
  <incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary>
  <reporter><reportingPerson/></reporter>
  <personOrUserReported><personOrUserReportedPerson><email>Jo.Bloggs@Example.ORG</email></personOrUserReportedPerson>
   <screenName>NightOwl</screenName><espService>ExampleChat</espService></personOrUserReported></report>
</cybertip>
EOF2
	"$RT" import --token-key "$WORK/key" "$WORK/r.xml" 2>/dev/null
	export REFTRIAGE_TOKEN_KEY="$WORK/key"
	rt find email jo.bloggs@example.org
	expect_status 65
	expect_err_has "<redacted, 21 bytes> is not a token (hex digits); a raw identifier needs --token-key FILE"
	unset REFTRIAGE_TOKEN_KEY
	rt find email ' JO.BLOGGS@example.org' --token-key "$WORK/key"
	expect_status 0
	expect_out_has "NCMEC-900000601"
	out1="$output"
	rt find username nightowl --token-key "$WORK/key" --scope ExampleChat
	expect_status 0
	rt find username nightowl --token-key "$WORK/key"
	expect_status 1
	rt find email 'no-at-sign' --token-key "$WORK/key"
	expect_status 65
	expect_err_has "<redacted, 10 bytes> is not an email address"
	rt find subject SUBJ-aaa --token-key "$WORK/key"
	expect_status 64
	rt find email aa11 --scope x
	expect_status 64
	chmod 640 "$WORK/key"
	rt find email jo.bloggs@example.org --token-key "$WORK/key"
	expect_status 78
	"$RT" audit log --format json >"$WORK/audit.json" 2>/dev/null
	grep -q '"action":"find"' "$WORK/audit.json"
	grep -q '"token":"[0-9a-f]\{32\}"' "$WORK/audit.json"
	for f in "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" "$WORK/audit.json"; do
		[ -e "$f" ] || continue
		if grep -a -q -i -e 'bloggs' -e 'nightowl' -e 'no-at-sign' "$f"; then
			echo "raw value in $f" >&2
			return 1
		fi
	done
	[[ "$out1$err" != *bloggs* ]]
}

@test "find looks a subject or identifier up through an index, not by reading every package" {
	setup_find
	plan() { sql "EXPLAIN QUERY PLAN $1"; }
	plan "SELECT p.id FROM package_keys k JOIN packages p ON p.id = k.package_id WHERE k.key = 5" | grep -q "SEARCH k USING PRIMARY KEY\|SEARCH k USING COVERING INDEX"
	plan "SELECT e.id FROM deconf_entries e WHERE e.key = 5" | grep -q "deconf_entries_by_key"
}
