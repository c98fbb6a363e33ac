#!/usr/bin/env bats
# reftriage score and worklist: ranking, formats, golden files, links.

load helper

TEST_POLICY="$TOP/tests/data/rules/test-policy.json"
GOLDEN="$TOP/tests/data/golden"
AS_OF=2026-11-10T09:00:00Z

load_day() {
	# The list's time is pinned: overdue and staleness are judged at it.
	pin_clock $AS_OF
	init_store
	"$RT" import --as-of "$AS_OF" "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" rules install --as-of "$AS_OF" "$TEST_POLICY" 2>/dev/null
}

@test "end to end: the samples under the test policy give the golden CSV worklist" {
	pin_clock $AS_OF
	load_day
	rt worklist --format csv
	expect_status 0
	expect_err1 "reftriage: worklist: 60 open packages"
	diff <(echo "$output") <(tr -d '\r' <"$GOLDEN/worklist-test-policy.csv" | sed '$a\') >/dev/null ||
		diff <(printf '%s\n' "$output") "$GOLDEN/worklist-test-policy.csv"
	"$RT" worklist --format csv 2>/dev/null | cmp - "$GOLDEN/worklist-test-policy.csv"
}

@test "json and ndjson carry the csv columns plus the outcomes and the explanation (golden files)" {
	pin_clock $AS_OF
	load_day
	"$RT" worklist --format json --limit 5 2>/dev/null | cmp - "$GOLDEN/worklist-test-policy-top5.json"
	"$RT" worklist --format ndjson --limit 3 2>/dev/null | cmp - "$GOLDEN/worklist-test-policy-top3.ndjson"
	"$RT" worklist --format json 2>/dev/null | python3 -c '
import json, sys
w = json.load(sys.stdin)
assert set(w) == {"as_of", "rules_hash", "generated_at", "stale", "unscored", "quarantine", "items"}, w.keys()
cols = "rank,package_ref,priority,score,received_at,due_at,overdue,status,assigned_to,force_area,referral_type,reasons,updated,computed_priority,override,deconfliction".split(",")
for i, it in enumerate(w["items"], 1):
    assert list(it) == cols + ["outcomes", "explanation", "source"], list(it)
    assert it["outcomes"] == [], it["outcomes"]
    assert it["source"] is None  # no contract v2 field in the sample day
    assert it["rank"] == i
    assert [e["rule"] for e in it["explanation"]] == (it["reasons"].split(";") if it["reasons"] else [])
    assert sum(e["points"] for e in it["explanation"]) == it["score"]
'
}

@test "the csv is RFC 4180: CRLF line ends, a header, quoting where needed" {
	load_day
	"$RT" worklist >"$WORK/w.csv" 2>/dev/null
	head -1 "$WORK/w.csv" | grep -q $'^rank,package_ref,priority,score,received_at,due_at,overdue,status,assigned_to,force_area,referral_type,reasons,updated,computed_priority,override,deconfliction\r$'
	python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) == 61 and all(len(r) == 16 for r in rows)
' "$WORK/w.csv"
}

@test "the default policy puts imminent meetings, children in the household and identified victims first" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	rt worklist --limit 4
	expect_status 0
	top=$(echo "$output" | tail -n +2 | cut -d, -f2,3 | tr '\n' ' ')
	# 0001: meeting in 1 day with an identified 12-year-old; 0003: new imagery, child at home;
	# 0004: identified child at risk of self-harm; 0002: meeting in 2 days (UCOL).
	[ "$top" = "SYN-20261102-0001,P1 SYN-20261102-0003,P1 SYN-20261102-0004,P1 SYN-20261102-0002,P1 " ]
}

@test "ties are broken by received_at, then by package_ref bytewise" {
	init_store
	cat >"$WORK/t.csv" <<-CSV
	package_ref,received_at,source,referral_type
	b-1,2026-11-02T10:00:00Z,CEOP,other
	B-2,2026-11-02T10:00:00Z,CEOP,other
	a-3,2026-11-02T10:00:00Z,CEOP,other
	Z-4,2026-11-02T09:00:00Z,CEOP,other
	CSV
	"$RT" import --as-of 2026-11-02T12:00:00Z "$WORK/t.csv" 2>/dev/null
	rt worklist
	[ "$(echo "$output" | tail -n +2 | cut -d, -f1,2 | tr '\n' ' ')" = "1,Z-4 2,B-2 3,a-3 4,b-1 " ]
}

@test "--limit, and --output writes the file atomically with mode 0600" {
	load_day
	rt worklist --limit 3
	[ "$(echo "$output" | wc -l)" = 4 ]
	rt worklist --format json --output "$WORK/list.json"
	expect_status 0
	expect_err1 "reftriage: worklist: 60 open packages written to $WORK/list.json"
	[ -z "$output" ]
	[ "$(stat -c %a "$WORK/list.json")" = 600 ]
	[ "$(ls "$WORK" | grep -c tmp)" = 0 ]
	python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))["items"]) == 60' "$WORK/list.json"
	rt worklist --output "$WORK/no/such/dir/list.csv"
	expect_status 73
	rt worklist --limit 0
	expect_status 64
	rt worklist --format pdf
	expect_status 64
	expect_err1 "reftriage: worklist: --format takes table, csv, json, ndjson or html, not 'pdf' (see 'reftriage worklist --help')"
}

@test "worklist to a full disk fails with 74" {
	load_day
	run bash -c "'$RT' worklist >/dev/full"
	[ "$status" -eq 74 ]
}

@test "score --as-of rescores every open package at that one time" {
	load_day
	rt score --as-of 2026-12-05T00:00:00Z
	expect_status 0
	expect_err1 "reftriage: score: scored 60 open packages as of 2026-12-05 00:00 UTC with Test policy (for the golden-file tests; not for use) test-1 ($(b2sum -l 256 "$TEST_POLICY" | cut -c1-12))"
	# One as_of for the store; every row is as of it (schema 5: as_of NULL).
	[ "$(sql "SELECT value FROM meta WHERE key = 'scored_as_of'")" = 1796428800000000 ]
	[ "$(sql 'SELECT count(*) FROM scores WHERE as_of IS NULL')" = 60 ]
	[ "$(sql "SELECT count(*) FROM scores WHERE overdue = 1")" = 60 ]
	"$RT" show SYN-20261102-0001 | grep -q "scored    as of 2026-12-05 00:00 UTC"
	rt score --as-of someday
	expect_status 64
	expect_err1 "reftriage: score: --as-of 'someday' is not a time: give RFC 3339 (2026-11-02T08:15:00Z), a date (2026-11-02), a local time (2026-11-02 08:15), now, today, yesterday, or a time ago (90min, 12h, 3d, 2w) (see 'reftriage score --help')"
}

@test "linking across versions: a new package changes its links' counts; a new version drops old links" {
	init_store
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-A,2026-11-02,CEOP,other,S1,email:e1\nSYN-B,2026-11-02,CEOP,other,S1,\n' >"$WORK/1.csv"
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-C,2026-11-02,CEOP,other,S9,email:e1\n' >"$WORK/2.csv"
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-B,2026-11-02,CEOP,other,S2,\n' >"$WORK/3.csv"
	linked() { sql "SELECT s.linked FROM scores s JOIN packages p ON p.id = s.package_id WHERE p.ref = '$1'"; }
	"$RT" import "$WORK/1.csv" 2>/dev/null
	[ "$(linked SYN-A)" = 1 ] && [ "$(linked SYN-B)" = 1 ]
	"$RT" import "$WORK/2.csv" 2>/dev/null # C shares A's email: A now links to B and C
	[ "$(linked SYN-A)" = 2 ] && [ "$(linked SYN-C)" = 1 ]
	"$RT" import "$WORK/3.csv" 2>/dev/null # B's new version has another subject
	[ "$(linked SYN-A)" = 1 ] && [ "$(linked SYN-B)" = 0 ]
	rt show SYN-A
	expect_out_has "  SYN-C                    shares email:e1"
}

@test "show explains a score: priority, each fired rule with points and description, ageing marked" {
	load_day
	rt show SYN-20261102-0001
	expect_status 0
	expect_out_has "priority  P1 (Immediate)   score 125"
	expect_out_has "due       2026-11-03 13:13 UTC   OVERDUE"
	# Wrapped at 80 columns, between words; "floor P1" kept together.
	expect_out_has $'     +80  MEET-U13               Meeting proposed with a child under 13;\n                                 floor P1\n'
	expect_out_has "      +5  OLD                    Waiting a week or more (ageing)"
}

@test "show says when a rule's floor, not the score, set the priority" {
	init_store
	printf 'package_ref,received_at,source,referral_type,child_in_household\nSYN-F1,2026-11-02T10:00:00Z,CEOP,possession,yes\n' >"$WORK/f.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/f.csv" 2>/dev/null
	rt show SYN-F1
	expect_status 0
	expect_out_has "priority  P2 (High: within a week)   score 40"
	expect_out_has "          the score without its ageing points reaches P3; a rule's floor raised it"
	expect_out_has "due       2026-11-09 10:00 UTC"
	expect_out_has "     +40  CHILD-IN-HOUSEHOLD     A child lives with the subject; floor P2"
}

@test "a worklist on a store with nothing imported is just the header" {
	init_store
	rt worklist
	expect_status 0
	[ "$output" = $'rank,package_ref,priority,score,received_at,due_at,overdue,status,assigned_to,force_area,referral_type,reasons,updated,computed_priority,override,deconfliction\r' ]
	rt worklist --format json
	echo "$output" | python3 -c 'import json,sys; w = json.load(sys.stdin); assert w["items"] == [] and w["as_of"] is None'
}

@test "running out of memory while writing any format: exit 70, never a misleading 73 or 74, no file left" {
	load_day
	for fmt in csv json html table; do
		for n in 0 100 600 900 910 915 920 930 950 980 1000 1200 2000; do
			REFTRIAGE_FAIL_ALLOC=$n run "$RT" worklist --format $fmt --output "$WORK/oom.out"
			if [ "$status" -ne 0 ]; then
				[ "$status" -eq 70 ] || { echo "$fmt n=$n: exit $status: $output"; false; }
				[[ "$output" == *"out of memory"* ]]
				[ ! -e "$WORK/oom.out" ] || { echo "$fmt n=$n left a file"; false; }
			fi
			[ -z "$(ls "$WORK" | grep 'tmp-')" ]
			rm -f "$WORK/oom.out"
		done
	done
}

@test "a rescore writes only the scores that changed, and ranks as a full rescore does" {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	# Count the rows written to scores from now on.
	sql "CREATE TABLE written (id); CREATE TRIGGER count_writes AFTER INSERT ON scores BEGIN INSERT INTO written VALUES (NEW.package_id); END;"
	rt score --as-of 2026-11-03T08:00:01Z
	expect_status 0
	expect_err1 "reftriage: score: scored 60 open packages as of 2026-11-03 08:00 UTC with reftriage default triage policy 2026.11-3 ($(b2sum -l 256 "$TOP/rules/default.json" | cut -c1-12))"
	[ "$(sql 'SELECT count(*) FROM written')" = 0 ]
	# Three days on, some packages are overdue: those rows, and only those, are written.
	before=$(sql 'SELECT package_id, score, priority, overdue FROM scores ORDER BY 1')
	"$RT" score --as-of 2026-11-06T08:00:00Z 2>/dev/null
	after=$(sql 'SELECT package_id, score, priority, overdue FROM scores ORDER BY 1')
	changed=$(diff <(echo "$before") <(echo "$after") | grep -c '^>' || true)
	[ "$changed" -gt 0 ] && [ "$changed" -lt 60 ]
	[ "$(sql 'SELECT count(*) FROM written')" = "$changed" ]
	"$RT" worklist --format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("generated_at"); print(json.dumps(d))' >"$WORK/incremental.json"
	# The same day imported straight at that as_of ranks and explains the same.
	export REFTRIAGE_DB="$WORK/fresh.db"
	init_store
	"$RT" import --as-of 2026-11-06T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" worklist --format json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d.pop("generated_at"); print(json.dumps(d))' >"$WORK/full.json"
	cmp "$WORK/incremental.json" "$WORK/full.json"
}

@test "a large first import builds the ranking index in one sort; same ranking as row by row" {
	python3 "$TOP/src/tools/gen-packages.py" bulk 12000 9 csv "$WORK/all.csv"
	python3 - "$WORK" <<'PY'
import csv, sys
w = sys.argv[1]
rows = list(csv.reader(open(w + "/all.csv", newline="")))
for name, part in (("a", rows[1:6001]), ("b", rows[6001:])):
    with open(w + "/" + name + ".csv", "w", newline="") as f:
        csv.writer(f).writerows([rows[0]] + part)
PY
	init_store
	rt import --as-of 2026-11-20T00:00:00Z "$WORK/all.csv"
	expect_status 0
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
	[ "$(sql "SELECT sql FROM sqlite_schema WHERE name = 'scores_rank'")" = "$(grep '^CREATE INDEX scores_rank' "$TOP/schemas/005-current-scores.sql" | tr -d ';')" ]
	"$RT" worklist --format csv 2>/dev/null >"$WORK/one.csv"
	# Two halves of 6000: below the bulk threshold, each row goes into the index.
	export REFTRIAGE_DB="$WORK/halves.db"
	init_store
	"$RT" import --as-of 2026-11-20T00:00:00Z "$WORK/a.csv" 2>/dev/null
	"$RT" import --as-of 2026-11-20T00:00:00Z "$WORK/b.csv" 2>/dev/null
	"$RT" worklist --format csv 2>/dev/null >"$WORK/two.csv"
	[ "$(wc -l <"$WORK/one.csv")" -gt 10000 ]
	cmp "$WORK/one.csv" "$WORK/two.csv"
	# A new rule set rewrites every row: the index is rebuilt again, and still used.
	rt rules install --as-of 2026-11-20T00:00:00Z "$TEST_POLICY"
	expect_status 0
	[ "$(sql 'PRAGMA integrity_check')" = ok ]
	sql "EXPLAIN QUERY PLAN SELECT package_id FROM scores ORDER BY priority, score DESC, received_at, ref" | grep -q "INDEX scores_rank"
}

@test "a package linked only by an IP address has linked_packages 0 and ip_linked_packages 1, and rules see both" {
	init_store
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
r["version"] = "test-ip"
r["rules"].append({"id": "SHARED-IP", "category": "other", "description": "Shares an IP address with another referral",
                   "when": "ip_linked_packages >= 1 and ip_linked_packages < 1000", "points": 1})
json.dump(r, open(sys.argv[2], "w"))
' "$TEST_POLICY" "$WORK/ip-policy.json"
	"$RT" rules check "$WORK/ip-policy.json" 2>/dev/null
	"$RT" rules install "$WORK/ip-policy.json" 2>/dev/null
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-A,2026-11-02,CEOP,other,S1,ip:203.0.113.9\nSYN-B,2026-11-02,CEOP,other,S2,ip:203.0.113.9;email:b@example.org\nSYN-C,2026-11-02,CEOP,other,S3,\n' >"$WORK/ip.csv"
	"$RT" import --as-of 2026-11-02T12:00:00Z "$WORK/ip.csv" 2>/dev/null
	[ "$(sql "SELECT group_concat(s.ref || ':' || s.linked || '/' || s.ip_linked || ':' || s.fired, ' ') FROM (SELECT * FROM scores ORDER BY ref) s")" = "SYN-A:0/1:SHARED-IP SYN-B:0/1:SHARED-IP SYN-C:0/0:" ]
	# A new version of B without the address: the IP link is gone from both.
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-B,2026-11-02,CEOP,other,S2,email:b@example.org\n' >"$WORK/ip2.csv"
	"$RT" import --as-of 2026-11-02T12:00:00Z "$WORK/ip2.csv" 2>/dev/null
	[ "$(sql "SELECT group_concat(s.ref || ':' || s.linked || '/' || s.ip_linked, ' ') FROM (SELECT * FROM scores ORDER BY ref) s")" = "SYN-A:0/0 SYN-B:0/0 SYN-C:0/0" ]
}

@test "the updated column: an open package's new version is marked, a person's change clears it" {
	pin_clock $AS_OF
	load_day
	R=SYN-20261102-0005
	upd() { "$RT" worklist --format json 2>/dev/null | python3 -c 'import json, sys; print(" ".join("%s=%s" % (i["package_ref"], str(i["updated"]).lower()) for i in json.load(sys.stdin)["items"] if i["updated"] or i["package_ref"] == sys.argv[1]))' "$R"; }
	[ "$(upd)" = "$R=false" ]
	"$RT" assign $R --to dc.lee 2>/dev/null
	sed 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import --as-of "$AS_OF" "$WORK/v2.csv" 2>/dev/null
	[ "$(upd)" = "$R=true" ]
	[ "$("$RT" worklist --format csv 2>/dev/null | grep "^[0-9]*,$R," | tr -d '\r' | awk -F, '{print $8, $9, $13}')" = "assigned dc.lee true" ]
	COLUMNS=200 "$RT" worklist --format table 2>/dev/null | grep -q "$R .*assigned\*"
	"$RT" status $R in_progress 2>/dev/null
	[ "$(upd)" = "$R=false" ]
}
