#!/usr/bin/env bats
# The audit trail (DPA 2018 s.62): every command leaves its entries, in the
# transaction of the change; 'audit verify' names each kind of tampering.

load helper

# A store with the samples imported, one package worked, a few consultations.
busy_store() {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	REF=$("$RT" worklist --format csv 2>/dev/null | sed -n 2p | cut -d, -f2)
	"$RT" show "$REF" >/dev/null 2>&1
	"$RT" --reason "daily triage" assign "$REF" --to alice 2>/dev/null
	"$RT" stats >/dev/null 2>&1
}

# Run SQL with the append-only triggers dropped: what an attacker with the file can do.
tamper() {
	sqlite3 "$REFTRIAGE_DB" "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;
		DROP TRIGGER audit_refs_no_update; DROP TRIGGER audit_refs_no_delete; $1"
}

@test "every command leaves the entries s.62 asks for, each of its kind" {
	init_store
	printf '%s\n' '{"package_ref":"BAD-1","received_at":"2026-11-02","source":"CEOP","referral_type":"nope"}' >bad.ndjson
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" bad.ndjson 2>/dev/null || true
	ref=$("$RT" worklist --format csv 2>/dev/null | sed -n 2p | cut -d, -f2)
	"$RT" worklist --limit 2 --format csv >/dev/null 2>&1
	"$RT" worklist --limit 2 --output list.csv --recipient "CPS reviewer" 2>/dev/null
	"$RT" show "$ref" >/dev/null 2>&1
	"$RT" stats --format json >/dev/null 2>&1
	"$RT" quarantine list >/dev/null 2>&1
	"$RT" quarantine show 1 >/dev/null 2>&1
	"$RT" assign "$ref" --to alice 2>/dev/null
	"$RT" status "$ref" nfa --note "no offence disclosed" 2>/dev/null
	"$RT" rules install "$TOP/rules/default.json" 2>/dev/null
	"$RT" score 2>/dev/null
	"$RT" purge --closed-before "$(date -u +%F)" --force --dry-run >/dev/null 2>&1
	rt audit log --format ndjson
	expect_status 0
	echo "$output" >log.json
	python3 - "$ref" <<'EOF'
import json, sys
ref = sys.argv[1]
entries = [json.loads(l) for l in open("log.json")]
seen = {(e["action"], e["category"]) for e in entries}
want = {("init", "administration"), ("rules install", "alteration"),
        ("import", "collection"), ("link", "combination"), ("score", "alteration"),
        ("worklist", "consultation"), ("export", "disclosure"), ("show", "consultation"),
        ("stats", "consultation"), ("quarantine list", "consultation"),
        ("quarantine show", "consultation"), ("assign", "alteration"),
        ("status", "alteration"), ("purge dry-run", "consultation")}
missing = want - seen
assert not missing, missing
assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
by = {}
for e in entries:
    by.setdefault(e["action"], []).append(e)
    assert e["operator"] == "tester", e
imp = by["import"][0]
assert imp["details"]["file"].endswith("referrals-2026-11-02.csv")
assert len(imp["details"]["file_hash"]) == 64 and imp["details"]["new"] == 60
assert len(imp["refs"]) == 60
bad = by["import"][1]
assert bad["details"]["rejected"] == 1 and bad["refs"] == ["BAD-1"], bad
assert [e["refs"] for e in by["show"]] == [[ref]]
assert by["status"][0]["details"] == {"from": "assigned", "to": "nfa", "note": "no offence disclosed", "version": 1}
exp = by["export"][0]["details"]
assert exp["output"] == "list.csv" and exp["recipient"] == "CPS reviewer" and exp["rows"] == 2
assert len(by["export"][0]["refs"]) == 2
assert by["quarantine show"][0]["refs"] == ["BAD-1"]
# The combination: exactly the imported packages that share a key with another.
import os, sqlite3
db = sqlite3.connect(os.environ["REFTRIAGE_DB"])
linked = [r for (r,) in db.execute(
    "SELECT p.ref FROM packages p WHERE EXISTS (SELECT 1 FROM package_keys a JOIN package_keys b "
    "ON b.key = a.key AND b.package_id <> a.package_id WHERE a.package_id = p.id) ORDER BY p.id")]
assert linked and by["link"][0]["refs"] == linked, (by["link"][0]["refs"], linked)
assert by["link"][0]["details"]["linked"] == len(linked)
EOF
}

@test "the reason comes from --reason or REFTRIAGE_REASON; the operator from --operator" {
	busy_store
	REFTRIAGE_REASON="weekly review" "$RT" --operator bob stats >/dev/null 2>&1
	[ "$(sql "SELECT reason FROM audit WHERE action = 'assign'")" = "daily triage" ]
	[ "$(sql "SELECT operator || '|' || reason FROM audit WHERE seq = (SELECT max(seq) FROM audit)")" = "bob|weekly review" ]
	[ "$(sql "SELECT count(*) FROM audit WHERE reason IS NULL AND action = 'show'")" = 1 ]
}

@test "an entry commits with its change or not at all" {
	busy_store
	n=$(sql 'SELECT count(*) FROM audit')
	# A refused change leaves no entry.
	rt status "$REF" nfa
	expect_status 65
	# A dry run changes nothing and records nothing.
	rt import --dry-run "$SAMPLES/referrals-2026-11-02.csv"
	[ "$(sql 'SELECT count(*) FROM audit')" = "$n" ]
	# When the entry cannot be written, the change is undone with it.
	sql "CREATE TRIGGER no_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'disk says no'); END;"
	rt status "$REF" in_progress
	[ "$status" -ne 0 ]
	expect_err_has "disk says no"
	[ "$(sql "SELECT status FROM packages WHERE ref = '$REF'")" = assigned ]
	rt worklist --output out.csv
	[ "$status" -ne 0 ]
	[ ! -e out.csv ] # nothing disclosed unrecorded
	sql "DROP TRIGGER no_audit"
	[ "$(sql 'SELECT count(*) FROM audit')" = "$n" ]
	rt audit verify
	expect_status 0
}

@test "the trail is append-only: reftriage's triggers stop a casual edit" {
	busy_store
	run sqlite3 "$REFTRIAGE_DB" "UPDATE audit SET operator = 'x' WHERE seq = 2"
	[ "$status" -ne 0 ]
	[[ "$output" == *"append-only"* ]]
	run sqlite3 "$REFTRIAGE_DB" "DELETE FROM audit_refs"
	[ "$status" -ne 0 ]
}

@test "verify: an intact trail exits 0 and says how long it is" {
	busy_store
	rt audit verify
	expect_status 0
	n=$(sql 'SELECT max(seq) FROM audit')
	expect_out_has "intact: $n entries"
}

@test "verify names an edited entry" {
	busy_store
	tamper "UPDATE audit SET operator = 'mallory' WHERE seq = 5"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry 5: its hash does not match its contents"
}

@test "verify names an entry whose details were edited" {
	busy_store
	s=$(sql "SELECT seq FROM audit WHERE action = 'assign'")
	tamper "UPDATE audit SET details = replace(details, 'alice', 'bob') WHERE seq = $s"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry $s: its details were changed"
}

@test "verify names the gap a deleted entry leaves" {
	busy_store
	tamper "DELETE FROM audit WHERE seq = 4"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry 4 is missing: the trail jumps from 3 to 5"
}

@test "verify names an inserted entry" {
	busy_store
	# Make room at 4 (as an attacker would), then copy entry 3 into it.
	tamper "UPDATE audit SET seq = -seq WHERE seq >= 4; UPDATE audit SET seq = 1 - seq WHERE seq < 0;
		UPDATE audit_refs SET seq = -seq WHERE seq >= 4; UPDATE audit_refs SET seq = 1 - seq WHERE seq < 0;
		INSERT INTO audit SELECT 4, at, operator, action, reason, details, details_hash, 0,
			hash, hash FROM audit WHERE seq = 3"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry 4: its hash does not match"
}

@test "verify names reordered entries" {
	busy_store
	tamper "UPDATE audit SET seq = 100 WHERE seq = 6; UPDATE audit SET seq = 6 WHERE seq = 7;
		UPDATE audit SET seq = 7 WHERE seq = 100"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry 6 does not follow entry 5"
}

@test "verify names an entry whose refs were removed, or refs left without an entry" {
	busy_store
	s=$(sql "SELECT seq FROM audit WHERE action = 'import'")
	cp "$REFTRIAGE_DB" copy.db
	tamper "DELETE FROM audit_refs WHERE seq = $s AND pos = 7"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry $s: it names 60 package refs but 59 are stored"
	cp copy.db "$REFTRIAGE_DB"
	rm -f "$REFTRIAGE_DB-wal" "$REFTRIAGE_DB-shm"
	tamper "INSERT INTO audit_refs VALUES (999, 1, 'SYN-X')"
	rt audit verify
	expect_status 65
	expect_err_has "BROKEN: entry 999: refs are stored for it but there is no such entry"
}

@test "audit log filters by action, operator, ref and time; json and table" {
	busy_store
	"$RT" --operator carol show "$REF" >/dev/null 2>&1
	rt audit log --action show --format ndjson
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 2 ]
	rt audit log --operator carol --format ndjson
	[ "$(echo "$output" | wc -l)" = 1 ]
	[[ "$output" == *"\"refs\":[\"$REF\"]"* ]]
	rt audit log --ref "$REF" --format ndjson
	echo "$output" | python3 -c '
import json, sys
acts = [json.loads(l)["action"] for l in sys.stdin]
assert {"import", "worklist", "show", "assign"} <= set(acts), acts'
	rt audit log --since 2099-01-01
	expect_status 0
	[ -z "$output" ]
	rt audit log
	expect_out_has "SEQ    TIME                 OPERATOR"
	# Local time (TZ; UTC in the tests) to the minute, the zone shown.
	[[ "$output" =~ $'\n'1\ +20[0-9][0-9]-[01][0-9]-[0-3][0-9]\ [0-2][0-9]:[0-5][0-9]\ UTC\ +[a-z] ]]
	expect_out_has "reason: daily triage"
	# Reading the log is itself a consultation, recorded.
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'audit log'")" = 5 ]
	rt audit log --format xml
	expect_status 64
}

@test "truncating the tail is caught against a signed checkpoint, not without one" {
	busy_store
	"$RT" keygen --output sup --unencrypted 2>/dev/null
	rt audit checkpoint --key sup.key --output cp1
	expect_status 0
	[ -z "$output" ]
	grep -q "reftriage audit checkpoint v1" cp1
	[ -f cp1.minisig ]
	minisign -Vm cp1 -p sup.pub >/dev/null
	rt audit verify --checkpoint cp1 --pubkey sup.pub
	expect_status 0
	expect_out_has "passes through the signed checkpoint"
	s=$(sed -n 's/^seq: //p' cp1)
	tamper "DELETE FROM audit_refs WHERE seq >= $((s - 2)); DELETE FROM audit WHERE seq >= $((s - 2))"
	rt audit verify
	expect_status 0 # the chain alone cannot see a cut tail
	rt audit verify --checkpoint cp1 --pubkey sup.pub
	expect_status 65
	expect_err_has "BROKEN: entry $((s - 2)) is missing: the trail ends at entry $((s - 3)), but the signed checkpoint"
}

@test "rewriting the whole chain consistently is caught against a checkpoint" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	cp "$REFTRIAGE_DB" before.db
	REF=$("$RT" worklist --format csv 2>/dev/null | sed -n 2p | cut -d, -f2)
	"$RT" status "$REF" nfa --note "decided" 2>/dev/null
	"$RT" keygen --output sup --unencrypted 2>/dev/null
	"$RT" audit checkpoint --key sup.key --output cp1 >/dev/null 2>&1
	# Someone restores an older copy and writes a different history onto it:
	# every link is recomputed, so the chain alone verifies.
	rm -f "$REFTRIAGE_DB"*
	cp before.db "$REFTRIAGE_DB"
	"$RT" assign "$REF" --to mallory 2>/dev/null
	for i in 1 2 3; do "$RT" stats >/dev/null 2>&1; done
	rt audit verify
	expect_status 0
	rt audit verify --checkpoint cp1 --pubkey sup.pub
	expect_status 65
	expect_err_has "differs from the signed checkpoint"
	expect_err_has "the trail was rewritten up to there"
}

@test "a checkpoint is refused when forged, of another store, or signed by another key" {
	busy_store
	"$RT" keygen --output sup --unencrypted 2>/dev/null
	"$RT" keygen --output other --unencrypted 2>/dev/null
	"$RT" audit checkpoint --key sup.key --output cp1 >/dev/null 2>&1
	rt audit verify --checkpoint cp1 --pubkey other.pub
	expect_status 65
	expect_err_has "not by the trusted key"
	sed 's/^seq: .*/seq: 1/' cp1 >cp2
	cp cp1.minisig cp2.minisig
	rt audit verify --checkpoint cp2 --pubkey sup.pub
	expect_status 65
	expect_err_has "the signature does not match the file"
	# A genuine checkpoint of a different store.
	"$RT" --db other.db init 2>/dev/null
	"$RT" --db other.db audit checkpoint --key sup.key --output cp3 >/dev/null 2>&1
	rt audit verify --checkpoint cp3 --pubkey sup.pub
	expect_status 65
	expect_err_has "the checkpoint is of another store"
	rt audit checkpoint --key sup.key --output cp1
	expect_status 73 # never over an older checkpoint
	rt audit verify --checkpoint cp1
	expect_status 64
}

@test "one clock: no environment variable backdates what the installed binary records" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	before=$(($(date +%s) * 1000000))
	REFTRIAGE_NOW=2020-01-01T09:00:00Z rt status SYN-20261102-0001 in_progress
	expect_status 0
	# The history and the audit entry carry the system clock, not 2020.
	[ "$(sql "SELECT at >= $before FROM package_events ORDER BY id DESC LIMIT 1")" = 1 ]
	[ "$(sql "SELECT action || ':' || (at >= $before) FROM audit ORDER BY seq DESC LIMIT 1")" = "status:1" ]
	[ "$(sql "SELECT count(*) FROM audit WHERE at < $before - 86400000000")" = 0 ]
	rt audit verify
	expect_status 0
	[ -z "$err" ]
}

@test "audit verify warns of an entry dated earlier than the one before it, and stays intact" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# Only the test-only binary lets a test set the clock back.
	REFTRIAGE_NOW=2020-01-01T09:00:00Z "$RT_CLOCK" status SYN-20261102-0001 in_progress 2>/dev/null
	seq=$(sql "SELECT max(seq) FROM audit")
	"$RT" assign SYN-20261102-0001 --to dc.lee 2>/dev/null
	rt audit verify
	expect_status 0
	expect_out_has "intact:"
	expect_err_has "warning: $REFTRIAGE_DB: entry $seq is dated 2020-01-01T09:00:00Z, earlier than entry $((seq - 1))"
	# One warning: the entry after it is later again.
	[ "$(printf '%s\n' "$err" | grep -c 'warning:')" = 1 ]
}
