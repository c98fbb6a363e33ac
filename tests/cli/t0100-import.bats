#!/usr/bin/env bats
# reftriage import: formats, versions, idempotence, options, summaries, exit codes.

load helper

CSV="$SAMPLES/referrals-2026-11-02.csv"
JSON="$SAMPLES/referrals-2026-11-02.json"

count() { sql "SELECT count(*) FROM $1"; }

@test "import the sample day from CSV: 60 new packages, exit 0" {
	init_store
	rt import "$CSV"
	expect_status 0
	expect_err1_starts "reftriage: import: $CSV: 60 imported (60 new, 0 updated, 0 reopened), 0 unchanged, 0 rejected; scored "
	[ "$(count packages)" = 60 ]
	[ "$(count package_versions)" = 60 ]
	[ "$(count quarantine)" = 0 ]
}

@test "the same packages as JSON are unchanged: CSV and JSON hash alike" {
	init_store
	rt import "$CSV"
	rt import "$JSON"
	expect_status 0
	expect_err1_starts "reftriage: import: $JSON: 0 imported (0 new, 0 updated, 0 reopened), 60 unchanged, 0 rejected; scored "
	[ "$(count package_versions)" = 60 ]
}

@test "JSON first, then CSV: the same hashes either way" {
	"$RT" --db "$WORK/a.db" init 2>/dev/null
	"$RT" --db "$WORK/b.db" init 2>/dev/null
	"$RT" --db "$WORK/a.db" import "$CSV" 2>/dev/null
	"$RT" --db "$WORK/b.db" import "$JSON" 2>/dev/null
	a=$(sqlite3 "$WORK/a.db" "SELECT group_concat(p.ref || hex(v.content_hash)) FROM packages p JOIN package_versions v ON v.package_id = p.id ORDER BY p.ref")
	b=$(sqlite3 "$WORK/b.db" "SELECT group_concat(p.ref || hex(v.content_hash)) FROM packages p JOIN package_versions v ON v.package_id = p.id ORDER BY p.ref")
	[ -n "$a" ] && [ "$a" = "$b" ]
}

@test "NDJSON, and NDJSON on standard input with --format" {
	init_store
	python3 -c "import json,sys; [print(json.dumps(p)) for p in json.load(open('$JSON'))]" >"$WORK/day.ndjson"
	rt import "$WORK/day.ndjson"
	expect_status 0
	expect_err1_starts "reftriage: import: $WORK/day.ndjson: 60 imported (60 new, 0 updated, 0 reopened), 0 unchanged, 0 rejected; scored "
	rt_stdin "$CSV" import --format csv -
	expect_status 0
	expect_err1_starts "reftriage: import: (stdin): 0 imported (0 new, 0 updated, 0 reopened), 60 unchanged, 0 rejected; scored "
}

@test "standard input is sniffed like a file of unknown name, and may be named once only" {
	init_store
	rt_stdin "$CSV" import --format csv - -
	expect_status 64
	[ "$(count packages)" = 0 ]
	rt_stdin "$JSON" import -
	expect_status 0
	expect_err1_starts "reftriage: import: (stdin): 60 imported (60 new, 0 updated, 0 reopened), 0 unchanged, 0 rejected; scored "
	[ "$(sql 'SELECT format FROM imports')" = json ]
	rt_stdin "$CSV" import -
	expect_status 0
	expect_err1_starts "reftriage: import: (stdin): 0 imported (0 new, 0 updated, 0 reopened), 60 unchanged, 0 rejected; scored "
	[ "$(sql 'SELECT group_concat(format) FROM (SELECT format FROM imports ORDER BY id)')" = json,csv ]
}

@test "--delimiter reads a CSV saved with ';' or tabs, as the same packages" {
	init_store
	resep() { python3 -c 'import csv,sys; w=csv.writer(sys.stdout, delimiter=sys.argv[1], lineterminator="\n"); [w.writerow(r) for r in csv.reader(open(sys.argv[2], newline=""))]' "$1" "$CSV"; }
	resep ';' >"$WORK/semi.csv"
	rt import --delimiter ';' "$WORK/semi.csv"
	expect_status 0
	expect_err1_starts "reftriage: import: $WORK/semi.csv: 60 imported (60 new, 0 updated, 0 reopened), 0 unchanged, 0 rejected; scored "
	resep "$(printf '\t')" >"$WORK/tab.csv"
	rt import --delimiter "$(printf '\t')" "$WORK/tab.csv"
	expect_status 0
	expect_err1_starts "reftriage: import: $WORK/tab.csv: 0 imported (0 new, 0 updated, 0 reopened), 60 unchanged, 0 rejected; scored "
	# The option is for every file named: a ',' file with it is named, with the fix.
	rt import --delimiter "$(printf '\t')" "$CSV"
	expect_status 65
	expect_err1 "$CSV:1: header: the header splits into field names on ',', not on tabs: import it with --delimiter ','"
}

@test "--delimiter is one character, not a quote or a line end (64, nothing read)" {
	init_store
	for bad in ';;' '' '"'; do
		rt import --delimiter "$bad" "$CSV"
		expect_status 64
		expect_err1 "reftriage: import: --delimiter is one character (e.g. ';', or \$'\\t' for a tab), not a quote or a line end; got '$bad' (see 'reftriage import --help')"
	done
	rt import --delimiter "$(printf '\r')" "$CSV"
	expect_status 64
	expect_err_has "got '\x0d'"
	[ "$(count packages)" = 0 ]
	[ "$(count imports)" = 0 ]
}

@test "import DIR --recursive: subdirectories in path order, no dot-files, no linked directories; names what it read" {
	init_store
	mkdir -p "$WORK/drop/2026/11" "$WORK/drop/.cache" "$WORK/elsewhere"
	H=$(head -1 "$CSV")
	{ echo "$H"; sed -n 2,3p "$CSV"; } >"$WORK/drop/z-top.csv"
	{ echo "$H"; sed -n 4p "$CSV"; } >"$WORK/drop/2026/a.csv"
	{ echo "$H"; sed -n 5p "$CSV"; } >"$WORK/drop/2026/11/b.csv"
	{ echo "$H"; sed -n 6p "$CSV"; } >"$WORK/drop/2026/11/.partial.csv"
	{ echo "$H"; sed -n 7p "$CSV"; } >"$WORK/drop/.cache/c.csv"
	{ echo "$H"; sed -n 8p "$CSV"; } >"$WORK/elsewhere/d.csv"
	ln -s "$WORK/elsewhere" "$WORK/drop/linked"
	ln -s "$WORK/drop" "$WORK/drop/2026/loop"
	rt import "$WORK/drop"
	expect_status 0
	[ "$(sql 'SELECT group_concat(file, " ") FROM imports')" = "$WORK/drop/z-top.csv" ]
	rt import --recursive "$WORK/drop"
	expect_status 0
	expect_err1_starts "reftriage: import: 3 files ($WORK/drop/2026/11/b.csv, $WORK/drop/2026/a.csv, $WORK/drop/z-top.csv): 2 imported (2 new, 0 updated, 0 reopened), 2 unchanged, 0 rejected; scored 4 open packages"
	[ "$(sql 'SELECT group_concat(file, " ") FROM (SELECT file FROM imports ORDER BY id)')" = "$WORK/drop/z-top.csv $WORK/drop/2026/11/b.csv $WORK/drop/2026/a.csv $WORK/drop/z-top.csv" ]
	[ "$(count packages)" = 4 ]
	mkdir "$WORK/none" "$WORK/none/sub"
	rt import -r "$WORK/none"
	expect_status 0
	expect_err1 "reftriage: $WORK/none: no .csv, .json, .ndjson, .jsonl or .xml files to import (nor in its subdirectories)"
}

@test "the format comes from the content when the name says nothing" {
	init_store
	cp "$JSON" "$WORK/day.txt"
	rt import "$WORK/day.txt"
	expect_status 0
	expect_err1_starts "reftriage: import: $WORK/day.txt: 60 imported (60 new, 0 updated, 0 reopened), 0 unchanged, 0 rejected; scored "
	[ "$(sql 'SELECT format FROM imports')" = json ]
}

@test "--format overrides the name; a wrong --format value is a usage error" {
	init_store
	cp "$CSV" "$WORK/day.json"
	rt import --format csv "$WORK/day.json"
	expect_status 0
	rt import --format parquet "$WORK/day.json"
	expect_status 64
	expect_err1 "reftriage: import: --format takes csv, json, ndjson or xml, not 'parquet' (see 'reftriage import --help')"
}

@test "re-importing is idempotent: nothing changes, exit 0" {
	init_store
	"$RT" import "$CSV" 2>/dev/null
	before=$(sql 'SELECT group_concat(id || ref || latest_version) FROM packages')
	rt import "$CSV"
	expect_status 0
	expect_err1_starts "reftriage: import: $CSV: 0 imported (0 new, 0 updated, 0 reopened), 60 unchanged, 0 rejected; scored "
	[ "$(sql 'SELECT group_concat(id || ref || latest_version) FROM packages')" = "$before" ]
	[ "$(count package_versions)" = 60 ]
}

@test "a changed package becomes a new version; the earlier one is kept" {
	init_store
	"$RT" import "$CSV" 2>/dev/null
	sed 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' "$CSV" >"$WORK/v2.csv"
	! cmp -s "$CSV" "$WORK/v2.csv"
	rt import "$WORK/v2.csv"
	expect_status 0
	expect_err1_starts "reftriage: import: $WORK/v2.csv: 1 imported (0 new, 1 updated, 0 reopened), 59 unchanged, 0 rejected; scored "
	[ "$(sql "SELECT latest_version || updated FROM packages WHERE ref = 'SYN-20261102-0005'")" = 21 ]
	[ "$(sql "SELECT count(*) FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.ref = 'SYN-20261102-0005'")" = 2 ]
	# Sending the first version again changes nothing: it is stored already.
	rt import "$CSV"
	expect_err1_starts "reftriage: import: $CSV: 0 imported (0 new, 0 updated, 0 reopened), 60 unchanged, 0 rejected; scored "
	[ "$(sql "SELECT latest_version FROM packages WHERE ref = 'SYN-20261102-0005'")" = 2 ]
}

@test "linking keys follow the latest version only" {
	init_store
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-L1,2026-11-02,CEOP,grooming,S1,email:aa;ip:bb\n' >"$WORK/l1.csv"
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-L1,2026-11-02,CEOP,grooming,S2,email:aa\n' >"$WORK/l2.csv"
	printf 'package_ref,received_at,source,referral_type,subject_ref,identifiers\nSYN-L9,2026-11-02,CEOP,grooming,S1,ip:bb;email:aa\n' >"$WORK/l9.csv"
	"$RT" import "$WORK/l1.csv" "$WORK/l9.csv" 2>/dev/null
	# Keys are numbers with their kind in the top byte (links.h): subject 1, email 2, ip 4.
	[ "$(sql "SELECT group_concat(k) FROM (SELECT key >> 56 AS k FROM package_keys WHERE package_id = (SELECT id FROM packages WHERE ref = 'SYN-L1') ORDER BY 1)")" = "1,2,4" ]
	rt show SYN-L9
	expect_out_has "SYN-L1                   shares subject:S1"
	expect_out_has "SYN-L1                   shares email:aa"
	"$RT" import "$WORK/l2.csv" 2>/dev/null
	[ "$(sql "SELECT group_concat(k) FROM (SELECT key >> 56 AS k FROM package_keys WHERE package_id = (SELECT id FROM packages WHERE ref = 'SYN-L1') ORDER BY 1)")" = "1,2" ]
	rt show SYN-L9
	expect_out_has "SYN-L1                   shares email:aa"
	[[ "$output" != *"shares subject:S1"* ]]
	[[ "$output" != *"possible links (shared IP)"*"SYN-L1"* ]]
}

@test "a file named twice is read once" {
	init_store
	rt import "$CSV" "$CSV"
	expect_status 0
	expect_err_has "reftriage: $CSV: named more than once; read once only"
	[ "$(count imports)" = 1 ]
}

@test "an unreadable file is 66, and the other files are still imported" {
	init_store
	rt import "$WORK/missing.csv" "$CSV"
	expect_status 66
	expect_err1 "reftriage: $WORK/missing.csv: cannot open: No such file or directory"
	[ "$(count packages)" = 60 ]
}

@test "import DIR reads its csv, json, ndjson and jsonl files in name order, and nothing else" {
	init_store
	mkdir "$WORK/drop"
	cp "$SAMPLES/invalid/unknown-key.json" "$WORK/drop/b-day.json"
	cp "$SAMPLES/referrals-2026-11-02.csv" "$WORK/drop/a-day.csv"
	cp "$SAMPLES/invalid/malformed-line.ndjson" "$WORK/drop/c-day.ndjson"
	echo "notes" >"$WORK/drop/README.txt"
	cp "$SAMPLES/referrals-2026-11-02.csv" "$WORK/drop/.hidden.csv"
	rt import "$WORK/drop"
	expect_status 65
	[ "$(sql 'SELECT group_concat(file, " ") FROM (SELECT file FROM imports ORDER BY id)')" = "$WORK/drop/a-day.csv $WORK/drop/b-day.json $WORK/drop/c-day.ndjson" ]
	[ "$(sql 'SELECT count(*) FROM packages')" = 62 ] # c-day's two good records repeat b-day's: unchanged
}

@test "an empty directory is a note, not an error (a night with no referrals)" {
	init_store
	mkdir "$WORK/empty"
	rt import "$WORK/empty"
	expect_status 0
	expect_err1 "reftriage: $WORK/empty: no .csv, .json, .ndjson, .jsonl or .xml files to import"
}

@test "a progress line only when stderr is a terminal, never with --quiet" {
	init_store
	python3 "$TOP/src/tools/gen-packages.py" bulk 50000 3 csv "$WORK/bulk.csv" # lasts well past 250 ms
	out=$(script -qec "'$RT' import '$WORK/bulk.csv'" /dev/null 2>&1)
	[[ "$out" == *"$WORK/bulk.csv: "*" records, "*" records/s, "*"%"* ]] || { echo "$out" | head -3; false; }
	[[ "$out" == *$'\r\e[K'* ]] # cleared at the end
	"$RT" --db "$WORK/q.db" init 2>/dev/null
	out=$(script -qec "'$RT' --db '$WORK/q.db' import --quiet '$WORK/bulk.csv'" /dev/null 2>&1)
	[[ "$out" != *"records/s"* ]]
	"$RT" --db "$WORK/p.db" init 2>/dev/null
	run "$RT" --db "$WORK/p.db" import "$WORK/bulk.csv" # stderr is a pipe here
	[[ "$output" != *"records/s"* ]]
	[[ "$output" != *$'\e['* ]]
}

@test "66 outranks 65: unreadable and rejected files in one run" {
	init_store
	rt import "$SAMPLES/invalid/wrong-types.csv" "$WORK/missing.csv"
	expect_status 66
	[ "$(count packages)" = 2 ]
}

@test "--dry-run reports what would happen and changes nothing" {
	init_store
	before=$(sql 'SELECT count(*) FROM imports')
	rt import --dry-run "$CSV" "$SAMPLES/invalid/wrong-types.csv"
	expect_status 65
	# One line for the file with rejections, one summary line; none for the clean file.
	expect_err_has "wrong-types.csv: 2 would be imported (2 new, 0 updated), 0 unchanged, 2 rejected [dry run: nothing stored]"
	expect_err_has "reftriage: import: 2 files: 62 would be imported (62 new, 0 updated, 0 reopened), 0 unchanged, 2 rejected [dry run: nothing stored]"
	[[ "$err" != *"$CSV: "* ]]
	expect_err_has "wrong-types.csv:3: subject_age: \"3.5\" is not a whole number"
	[ "$(count packages)" = 0 ]
	[ "$(count quarantine)" = 0 ]
	[ "$(count imports)" = "$before" ]
}

@test "--strict: a file with a rejected record imports nothing, and says so" {
	init_store
	rt import --strict "$SAMPLES/invalid/wrong-types.csv" "$CSV"
	expect_status 65
	expect_err_has "wrong-types.csv: 0 imported (0 new, 0 updated), 0 unchanged, 2 rejected; --strict: 2 valid records not imported"
	expect_err_has "reftriage: import: 2 files: 60 imported (60 new, 0 updated, 0 reopened), 0 unchanged, 2 rejected; --strict: 2 valid records not imported; scored 60 open packages"
	[ "$(sql "SELECT count(*) FROM packages WHERE ref LIKE 'SYN-INV-%'")" = 0 ]
	# The rejects are still kept for inspection.
	[ "$(count quarantine)" = 2 ]
}

@test "--strict with a clean file imports it all" {
	init_store
	rt import --strict "$CSV"
	expect_status 0
	[ "$(count packages)" = 60 ]
}

@test "--ignore-unknown-fields accepts extra columns and keys" {
	init_store
	printf 'package_ref,received_at,source,referral_type,colour\nSYN-U1,2026-11-02,CEOP,grooming,blue\n' >"$WORK/u.csv"
	rt import "$WORK/u.csv"
	expect_status 65
	rt import --ignore-unknown-fields "$WORK/u.csv"
	expect_status 0
	rt import --ignore-unknown-fields "$SAMPLES/invalid/unknown-key.json"
	expect_status 0
	expect_err1_starts "reftriage: import: $SAMPLES/invalid/unknown-key.json: 3 imported (3 new, 0 updated, 0 reopened), 0 unchanged, 0 rejected; scored "
}

@test "invalid UTF-8 anywhere refuses the record, even in an ignored column or the header" {
	init_store
	printf 'package_ref,received_at,source,referral_type,colour\nSYN-U1,2026-11-02,CEOP,grooming,bl\xffue\nSYN-U2,2026-11-02,CEOP,grooming,blue\n' >"$WORK/u.csv"
	rt import --ignore-unknown-fields "$WORK/u.csv"
	expect_status 65
	expect_err1 "$WORK/u.csv:2: colour: is not valid UTF-8 (in a column that is otherwise ignored)"
	[ "$(sql 'SELECT group_concat(ref) FROM packages')" = SYN-U2 ]
	printf 'package_ref,received_at,source,referral_type,col\xfeour\nSYN-U3,2026-11-02,CEOP,grooming,blue\n' >"$WORK/h.csv"
	rt import --ignore-unknown-fields "$WORK/h.csv"
	expect_status 65
	expect_err1 "$WORK/h.csv:1: header: column 5's name col\\xfeour is not valid UTF-8 text"
}

@test "--summary json: one object on stdout for scripts" {
	init_store
	rt import --summary json "$CSV" "$SAMPLES/invalid/wrong-types.csv" "$WORK/missing.csv"
	expect_status 66
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["exit_code"] == 66, s
assert s["totals"] == {"new": 62, "updated": 0, "unchanged": 0, "rejected": 2,
                       "known_rejects": 0, "withheld": 0, "reopened": 0}, s
assert all(x["known_rejects"] == 0 for x in s["files"]), s
f = s["files"]
assert all(x["reopened"] == 0 and x["reopened_refs"] == [] for x in f), f
assert [x["status"] for x in f] == ["ok", "rejected", "error"], f
assert f[0]["format"] == "csv" and len(f[0]["file_hash"]) == 64
assert f[2]["error"].startswith("cannot open"), f
'
}

@test "the import run is recorded: operator, file hash, counts" {
	init_store
	rt --operator analyst7 import "$CSV"
	[ "$(sql 'SELECT operator || "|" || n_new || "|" || format || "|" || bytes FROM imports')" = "analyst7|60|csv|$(stat -c %s "$CSV")" ]
	want=$(b2sum -l 256 "$CSV" | cut -d" " -f1)
	[ "$(sql 'SELECT lower(hex(file_hash)) FROM imports')" = "$want" ]
}

@test "the content hash is BLAKE2b-256 of the canonical form (b2sum agrees)" {
	init_store
	"$RT" import "$CSV" 2>/dev/null
	rt show SYN-20261102-0004 --format json
	expect_status 0
	# The canonical form is embedded as "package": compact, keys in contract order.
	echo "$output" | python3 -c 'import json,sys; sys.stdout.write(json.dumps(json.load(sys.stdin)["versions"][0]["package"], separators=(",", ":"), ensure_ascii=False))' >"$WORK/c.json"
	want=$(b2sum -l 256 "$WORK/c.json" | cut -d" " -f1)
	[ "$(sql "SELECT lower(hex(v.content_hash)) FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.ref = 'SYN-20261102-0004'")" = "$want" ]
}

@test "show detects a version whose stored content was altered" {
	init_store
	"$RT" import "$CSV" 2>/dev/null
	# Flip a byte of the stored facts behind reftriage's back.
	sql "UPDATE package_versions SET facts = CAST(replace(CAST(facts AS TEXT), 'Eastmoor', 'Westmoor') AS BLOB) WHERE id = 1"
	rt show SYN-20261102-0001
	expect_status 65
	expect_err1 "reftriage: show: version 1: the stored content does not match its content hash; the store has been altered"
}

@test "values full of quotes, semicolons and SQL come back unchanged" {
	init_store
	cat >"$WORK/sql.json" <<-'JSON'
	{"package_ref": "R1'); DROP TABLE packages; --", "received_at": "2026-11-02", "source": "CEOP", "referral_type": "other"}
	{"package_ref": "SYN-SQL-1", "received_at": "2026-11-02", "source": "CEOP", "referral_type": "other", "force_area": "O'Brien\"; DELETE FROM packages; --", "summary": "Robert'); DROP TABLE package_versions;-- \" ; SELECT * FROM quarantine", "subject_ref": "x' OR '1'='1"}
	JSON
	rt import --format ndjson "$WORK/sql.json"
	expect_status 65
	expect_err1 "$WORK/sql.json:1: package_ref: \"R1'); DROP TABLE packages; --\" has a character outside A-Z a-z 0-9 . _ / - at position 3"
	rt show SYN-SQL-1 --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)["versions"][0]["package"]
assert p["force_area"] == "O'"'"'Brien\"; DELETE FROM packages; --", p
assert p["summary"] == "Robert'"'"'); DROP TABLE package_versions;-- \" ; SELECT * FROM quarantine", p
assert p["subject_ref"] == "x'"'"' OR '"'"'1'"'"'='"'"'1", p
'
	[ "$(count packages)" = 1 ]
}

@test "a 100 MB single line is refused without being held, and the next record is kept" {
	init_store
	pre='{"package_ref":"SYN-BIG-1","received_at":"2026-11-02","source":"CEOP","referral_type":"other","summary":"'
	size=$((${#pre} + 104857600 + 2)) # the line, without its line end
	{
		printf '%s' "$pre"
		head -c 104857600 /dev/zero | tr '\0' 'a'
		printf '"}\n{"package_ref":"SYN-BIG-2","received_at":"2026-11-02","source":"CEOP","referral_type":"other"}\n'
	} >"$WORK/big.ndjson"
	rt import "$WORK/big.ndjson"
	expect_status 65
	expect_err1 "$WORK/big.ndjson:1: record: the record is $size bytes long, over the limit of 1048576 bytes; it was not read"
	[ "$(sql 'SELECT group_concat(ref) FROM packages')" = "SYN-BIG-2" ]
	# Quarantine keeps the first 64 KiB and the full size.
	[ "$(sql 'SELECT length(raw) || " " || raw_size FROM quarantine')" = "65536 $size" ]
}

@test "a 100 MB CSV field is refused the same way" {
	init_store
	pre='SYN-BIG-1,2026-11-02,CEOP,other,"'
	size=$((${#pre} + 104857600 + 2)) # the record with its closing quote and line end
	{
		printf 'package_ref,received_at,source,referral_type,summary\n%s' "$pre"
		head -c 104857600 /dev/zero | tr '\0' 'a'
		printf '"\nSYN-BIG-2,2026-11-02,CEOP,other,fine\n'
	} >"$WORK/big.csv"
	rt import "$WORK/big.csv"
	expect_status 65
	expect_err1 "$WORK/big.csv:2: record: the record is $size bytes long, over the limit of 1048576 bytes; it was not read"
	[ "$(sql 'SELECT group_concat(ref) FROM packages')" = "SYN-BIG-2" ]
}

@test "two conflicting nightly files, imported in both orders twice, store exactly two versions" {
	init_store
	H=$(head -1 "$CSV")
	L=$(grep '^SYN-20261102-0005,' "$CSV")
	{ echo "$H"; echo "$L" | sed 's/,52,/,61,/'; } >"$WORK/a.csv"
	{ echo "$H"; echo "$L" | sed 's/,52,/,62,/'; } >"$WORK/b.csv"
	"$RT" import "$WORK/a.csv" "$WORK/b.csv" 2>/dev/null
	"$RT" import "$WORK/b.csv" "$WORK/a.csv" 2>/dev/null
	rt import "$WORK/a.csv" "$WORK/b.csv"
	expect_status 0
	expect_err1_starts "reftriage: import: 2 files: 0 imported (0 new, 0 updated, 0 reopened), 2 unchanged, 0 rejected; scored 1 open package as of "
	rt import "$WORK/b.csv" "$WORK/a.csv"
	expect_status 0
	[ "$(count package_versions)" = 2 ]
	[ "$(sql "SELECT latest_version || '|' || updated FROM packages")" = "2|1" ]
}

@test "a bad file imported twice is quarantined once; the same record in other file content too" {
	init_store
	rt import "$SAMPLES/invalid/wrong-types.csv"
	expect_status 65
	n=$(count quarantine)
	[ "$n" -gt 0 ]
	rt import "$SAMPLES/invalid/wrong-types.csv"
	expect_status 0 # known rejects are not news (cli.md), but are counted
	expect_err_has "0 rejected, 2 known rejects (already in quarantine, not shown)"
	[ "$(count quarantine)" = "$n" ]
	[ "$(count imports)" = 2 ]
	# The same bytes in a file with different content are the same rejected records.
	{ cat "$SAMPLES/invalid/wrong-types.csv"; echo; } >"$WORK/other.csv"
	rt import "$WORK/other.csv"
	expect_status 0
	[ "$(count quarantine)" = "$n" ]
}

@test "reopened packages are counted and named in the JSON summary" {
	init_store
	"$RT" import "$CSV" 2>/dev/null
	"$RT" status SYN-20261102-0005 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	"$RT" status SYN-20261102-0006 nfa --note "No offence disclosed (SYNTHETIC)" 2>/dev/null
	sed -e 's/^SYN-20261102-0005,\(.*\),52,/SYN-20261102-0005,\1,53,/' \
	    -e 's/^\(SYN-20261102-0006,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)SYNTHETIC/\1SYNTHETIC v2/' \
	    -e 's/^\(SYN-20261102-0001,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,\)SYNTHETIC/\1SYNTHETIC v2/' "$CSV" >"$WORK/v2.csv"
	rt import --summary json "$WORK/v2.csv"
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
f = s["files"][0]
assert (f["updated"], f["reopened"], f["unchanged"]) == (3, 2, 57), f
assert f["reopened_refs"] == ["SYN-20261102-0005", "SYN-20261102-0006"], f
assert s["totals"]["reopened"] == 2 and s["totals"]["updated"] == 3, s
'
	[ "$(sql "SELECT group_concat(status) FROM (SELECT status FROM packages WHERE ref IN ('SYN-20261102-0001', 'SYN-20261102-0005', 'SYN-20261102-0006') ORDER BY ref)")" = "new,reopened,reopened" ]
}
