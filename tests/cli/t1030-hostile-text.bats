#!/usr/bin/env bats
# Every value reaches SQL through bound parameters: refs and text full of
# quotes, semicolons and SQL keywords go in and come back unchanged, and
# filters built from them match exactly.

load helper

@test "quotes, semicolons and SQL keywords come back unchanged everywhere" {
	init_store
	python3 - <<'EOF'
import json
evil = "Robert'); DROP TABLE packages;-- \" OR 1=1; SELECT * FROM audit WHERE ''=''"
recs = [
    {"package_ref": "DROP-TABLE-packages--", "received_at": "2026-11-02", "source": "CEOP",
     "referral_type": "grooming", "force_area": "x' OR '1'='1", "summary": evil,
     "subject_ref": "'; DELETE FROM audit; --",
     # The contract keeps spaces and ';' out of identifier tokens; quotes are allowed.
     "identifiers": [{"type": "email", "token": "a\"'OR'1'='1'--DROP"}]},
    {"package_ref": "SELECT.from_where/1", "received_at": "2026-11-02", "source": "CEOP",
     "referral_type": "grooming", "force_area": "Northshire", "summary": "SYNTHETIC plain"},
]
with open("evil.ndjson", "w") as f:
    for r in recs:
        f.write(json.dumps(r) + "\n")
with open("expect.json", "w") as f:
    json.dump(recs[0], f)
EOF
	rt import evil.ndjson
	expect_status 0
	[ "$(sql 'SELECT count(*) FROM packages')" = 2 ]
	rt show DROP-TABLE-packages-- --format json
	expect_status 0
	echo "$output" >show.json
	python3 - <<'EOF'
import json
want = json.load(open("expect.json"))
got = json.load(open("show.json"))["versions"][0]["package"]
for k in ("package_ref", "force_area", "summary", "subject_ref"):
    assert got[k] == want[k], (k, got[k])
assert got["identifiers"] == want["identifiers"], got["identifiers"]
EOF
	# A filter made of SQL matches only what equals it.
	rt worklist --force-area "x' OR '1'='1" --format csv
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 2 ]
	expect_out_has "DROP-TABLE-packages--"
	rt worklist --force-area "' OR ''='" --format csv
	expect_status 65 # no package has that area: said, not an empty list
	[ -z "$output" ]
	expect_err_has "no package in the store, open or closed, has the force area '' OR ''='"
	# Names, notes and reasons too.
	op="o'; DROP TABLE audit; --"
	rt --operator "$op" --reason "r'); DELETE FROM audit_refs; --" assign DROP-TABLE-packages-- --to "a\"; UPDATE packages SET ref=''"
	expect_status 0
	rt --operator "$op" status DROP-TABLE-packages-- nfa --note "n'; DROP TABLE package_events; --"
	expect_status 0
	rt audit log --operator "$op" --format ndjson
	expect_status 0
	echo "$output" >log.json
	python3 - "$op" <<'EOF'
import json, sys
es = [json.loads(l) for l in open("log.json")]
assert [e["action"] for e in es] == ["assign", "status"], es
assert all(e["operator"] == sys.argv[1] for e in es)
assert es[0]["reason"] == "r'); DELETE FROM audit_refs; --"
assert es[0]["details"]["assigned_to"] == "a\"; UPDATE packages SET ref=''"
assert es[1]["details"]["note"] == "n'; DROP TABLE package_events; --"
EOF
	rt audit log --operator "' OR 1=1 --" --format ndjson
	[ -z "$output" ]
	rt audit log --ref "DROP-TABLE-packages--' OR '1'='1" --format ndjson
	[ -z "$output" ]
	[ "$(sql 'SELECT count(*) FROM packages')" = 2 ]
	[ "$(sql "SELECT count(*) FROM packages WHERE status = 'nfa'")" = 1 ]
	rt audit verify
	expect_status 0
}
