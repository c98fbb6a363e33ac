#!/usr/bin/env bats
# Deconfliction (shared/spec/casework.md section 3): the list, matching, the
# hold on action, what is shown, le_agency from CyberTipline XML, and that
# no raw identifier given to deconflict import is ever kept or printed.

load helper

# Three packages: a subject, an email token, an IP token.
packages() {
	cat >"$WORK/p.csv" <<'EOF'
package_ref,received_at,source,referral_type,subject_ref,identifiers
DC-1,2026-11-02T08:00:00Z,CEOP,grooming,SUBJ-aaa,email:aa11
DC-2,2026-11-02T09:00:00Z,CEOP,grooming,SUBJ-bbb,ip:bb22
DC-3,2026-11-02T10:00:00Z,CEOP,grooming,SUBJ-ccc,email:cc33
EOF
	init_store
	"$RT" import "$WORK/p.csv" 2>/dev/null
}

# The list: columns out of order, a BOM and CRLF line ends, as a spreadsheet writes it.
list_file() {
	printf '\xef\xbb\xbf' >"$WORK/list.csv"
	sed 's/$/\r/' >>"$WORK/list.csv" <<'EOF'
owner,type,contact,value,operation,until
Op Team North,subject,DS Smith 01632 960001,SUBJ-aaa,Op KESTREL,
Regional OCU,ip,dc.jones at the OCU,bb22,,
EOF
}

key() {
	python3 -c 'print(bytes(range(32)).hex())' >"$WORK/key"
	chmod 600 "$WORK/key"
}

state() { "$RT" worklist --format csv 2>/dev/null | tr -d '\r' | awk -F, -v r="$1" '$2 == r {print $NF}'; }

@test "import: BOM, CRLF, columns in any order; list shows it; audited as a combination with the file's hash and count" {
	packages
	list_file
	rt deconflict import "$WORK/list.csv"
	expect_status 0
	expect_err_has "2 entries (2 new, 0 kept, 0 removed)"
	expect_err_has "scored 3 open packages"
	rt deconflict list --format json
	expect_status 0
	python3 -c '
import json, sys
l = json.loads(sys.argv[1])
assert l["list"]["entries"] == 2 and l["list"]["file_hash"] == sys.argv[2], l
assert [(e["type"], e["value"], e["owner"], e["operation"]) for e in l["entries"]] == [
    ("ip", "bb22", "Regional OCU", None), ("subject", "SUBJ-aaa", "Op Team North", "Op KESTREL")], l
' "$output" "$(b2sum -l 256 "$WORK/list.csv" | cut -d' ' -f1)"
	rt audit log --format json --action "deconflict import"
	python3 -c '
import json, sys
e = json.loads(sys.argv[1])["items"][-1]
assert e["category"] == "combination", e
d = e["details"]
assert d["entries"] == 2 and d["file_hash"] == sys.argv[2], d
' "$output" "$(b2sum -l 256 "$WORK/list.csv" | cut -d' ' -f1)"
}

@test "the hold: in_progress and actioned refused naming owner, operation and contact; triage, assign and nfa are not" {
	packages
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	[ "$(state DC-1)" = hit ]
	rt status DC-1 in_progress
	expect_status 65
	expect_err_has "held for deconfliction"
	expect_err_has "Op Team North, operation Op KESTREL, contact DS Smith 01632 960001 (subject entry)"
	[ "$(sql "SELECT status FROM packages WHERE ref = 'DC-1'")" = new ]
	rt assign DC-1 --to dc.lee
	expect_status 0
	rt status DC-1 actioned
	expect_status 65
	rt status DC-1 nfa --note "no offence disclosed"
	expect_status 0
	rt status DC-1 in_progress --note "reopened" --deconflicted "Spoke to DS Smith: Op KESTREL agree we act first"
	expect_status 0
	[ "$(state DC-1)" = acknowledged ]
	rt audit log --format json --action status
	[[ "$output" == *'Spoke to DS Smith: Op KESTREL agree we act first'* ]]
	rt show DC-1
	expect_out_has "contacted"
	expect_out_has "Op KESTREL agree we act first"
	# The same list again: no entry and no acknowledgement changes, but the list is dated anew.
	before="$(sql 'SELECT imported_at FROM deconf_list')"
	sleep 0.01
	rt deconflict import "$WORK/list.csv"
	expect_err_has "(0 new, 2 kept, 0 removed)"
	[ "$(sql 'SELECT imported_at FROM deconf_list')" -gt "$before" ]
	[ "$(state DC-1)" = acknowledged ]
	rt status DC-1 actioned
	expect_status 0
	# A later list adds a new holder of the same subject: held again.
	printf 'type,value,owner,contact\nsubject,SUBJ-aaa,Op Team North,DS Smith\nsubject,SUBJ-aaa,Child Protection West,DC Khan\n' >"$WORK/l2.csv"
	"$RT" deconflict import "$WORK/l2.csv" 2>/dev/null
	"$RT" status DC-1 reopened --note "more to do" 2>/dev/null
	[ "$(state DC-1)" = hit ]
	rt status DC-1 in_progress
	expect_status 65
	expect_err_has "Child Protection West"
}

@test "an IP match is possible only: listed, never held, the csv column empty, json state null" {
	packages
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	[ "$(state DC-2)" = "" ]
	rt status DC-2 in_progress
	expect_status 0
	rt worklist --format json
	python3 -c '
import json, sys
it = {i["package_ref"]: i for i in json.loads(sys.argv[1])["items"]}
d = it["DC-2"]["deconfliction"]
assert d["state"] is None and d["matches"] == [{"owner": "Regional OCU", "operation": None, "contact": "dc.jones at the OCU", "type": "ip", "possible": True}], d
assert it["DC-3"]["deconfliction"] == {"state": None, "matches": []}
assert it["DC-1"]["deconfliction"]["state"] == "hit"
' "$output"
	rt show DC-2
	expect_out_has "a possible match only"
}

@test "a bad line: every one reported as FILE:LINE: FIELD, exit 65, nothing changed" {
	packages
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	"$RT" deconflict list --format json 2>/dev/null >"$WORK/before.json"
	cat >"$WORK/bad.csv" <<'EOF'
type,value,owner,contact,until
subject,SUBJ-ccc,Good Unit,DC Good,
emial,aa11,Unit A,DC A,
email,aa11,,DC B,
email,aa11,Unit C,,
email,not-hex-at-all,Unit D,DC D,
email,someone@example.org,Unit E,DC E,
email,aa11,Unit F,DC F,31/12/2026
EOF
	rt deconflict import "$WORK/bad.csv"
	expect_status 65
	expect_err_has "$WORK/bad.csv:3: type: 'emial' is not a type"
	expect_err_has "did you mean 'email'?"
	expect_err_has "$WORK/bad.csv:4: owner: empty (required)"
	expect_err_has "$WORK/bad.csv:5: contact: empty (required)"
	expect_err_has "$WORK/bad.csv:6: value: <redacted, 14 bytes> is not a token (hex digits)"
	expect_err_has "$WORK/bad.csv:7: value: <redacted, 19 bytes> is not a token (hex digits); a raw identifier needs --token-key FILE"
	expect_err_has "$WORK/bad.csv:8: until: '31/12/2026' is not a date"
	expect_err_has "6 bad lines: nothing changed"
	[[ "$err" != *"someone@example.org"* ]]
	"$RT" deconflict list --format json 2>/dev/null | diff - <(sed 's/"age_days":[0-9]*/&/' "$WORK/before.json")
	[ "$(state DC-3)" = "" ]
	# A header without a required column, and an unknown column.
	printf 'type,value,owner,colour\nsubject,SUBJ-ccc,U,red\n' >"$WORK/hdr.csv"
	rt deconflict import "$WORK/hdr.csv"
	expect_status 65
	expect_err_has "$WORK/hdr.csv:1: header: 'colour' is not a column"
	expect_err_has "$WORK/hdr.csv:1: header: no column 'contact' (required)"
	[ "$(sql 'SELECT count(*) FROM deconf_entries')" = 2 ]
}

@test "over the size limits (64 MiB, 500,000 entries): refused, nothing changed" {
	packages
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	printf 'type,value,owner,contact\n' >"$WORK/big.csv"
	head -c $((64 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >>"$WORK/big.csv"
	rt deconflict import "$WORK/big.csv"
	expect_status 65
	expect_err_has "larger than 67108864 bytes"
	python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("type,value,owner,contact\n")
    for i in range(500001):
        f.write("subject,S%d,U,C\n" % i)
' "$WORK/many.csv"
	rt deconflict import "$WORK/many.csv"
	expect_status 65
	expect_err_has "more than 500000 entries (the limit of a list)"
	[ "$(sql 'SELECT count(*) FROM deconf_entries')" = 2 ]
	[ "$(state DC-1)" = hit ]
}

@test "until is a local date, inclusive: the entry holds that day and not the next" {
	pin_clock 2026-11-20T16:00:00Z
	packages
	printf 'type,value,owner,contact,until\nsubject,SUBJ-aaa,Op A,DC A,2026-11-20\nsubject,SUBJ-ccc,Op C,DC C,2026-11-19\n' >"$WORK/u.csv"
	"$RT" deconflict import "$WORK/u.csv" 2>/dev/null
	[ "$(state DC-1)" = hit ]
	[ "$(state DC-3)" = "" ]
	# In a zone east of UTC it is already the 21st: the entry has lapsed.
	[ "$(TZ=Asia/Tokyo state DC-1)" = "" ]
	rt deconflict list
	expect_out_has "(lapsed)"
}

@test "deconfliction_hits is a derived field for rules; the default policy does not change a priority for it" {
	packages
	before="$(sql "SELECT group_concat(ref || ':' || score || ':' || priority, ' ') FROM (SELECT * FROM scores ORDER BY ref)")"
	list_file
	printf 'Second Unit,subject,DC Two,SUBJ-aaa,,\r\n' >>"$WORK/list.csv"
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	[ "$(sql "SELECT group_concat(ref || ':' || score || ':' || priority, ' ') FROM (SELECT * FROM scores ORDER BY ref)")" = "$before" ]
	python3 - "$TOP/rules/default.json" "$WORK/r.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
r["version"] = "dc-test"
r["rules"].append({"id": "DECONF", "category": "other", "description": "held by others",
                   "when": "deconfliction_hits >= 2", "points": 7})
json.dump(r, open(sys.argv[2], "w"))
EOF
	# The what-if counts the hits too (a kept statement a package): DC-1 alone gains the rule.
	rt rules diff "$WORK/r.json" --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
moved = {c["package_ref"]: c for c in json.load(sys.stdin)["changes"]}
assert sorted(moved) == ["DC-1"], moved
assert moved["DC-1"]["rules_added"] == ["DECONF"], moved
assert moved["DC-1"]["to_score"] == moved["DC-1"]["from_score"] + 7, moved'
	"$RT" rules install "$WORK/r.json" 2>/dev/null
	[ "$(sql "SELECT fired LIKE '%DECONF%' FROM scores WHERE ref = 'DC-1'")" = 1 ]
	[ "$(sql "SELECT fired LIKE '%DECONF%' FROM scores WHERE ref = 'DC-2'")" = 0 ]
	# A new list without the second holder: the stored score is computed again.
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	[ "$(sql "SELECT fired LIKE '%DECONF%' FROM scores WHERE ref = 'DC-1'")" = 0 ]
}

@test "clear needs --note; then nothing is held and the printed list says there is no list" {
	packages
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	rt deconflict clear
	expect_status 64
	rt deconflict clear --note "the export is being rebuilt"
	expect_status 0
	[ "$(state DC-1)" = "" ]
	rt status DC-1 in_progress
	expect_status 0
	"$RT" worklist --format html -o "$WORK/l.html" 2>/dev/null
	grep -q "<b>NO LIST</b>" "$WORK/l.html"
}

@test "a list older than 7 days: worklist and alert warn, the printed list says how old" {
	pin_clock 2026-11-01T09:00:00Z
	packages
	list_file
	"$RT" deconflict import "$WORK/list.csv" 2>/dev/null
	pin_clock 2026-11-05T09:00:00Z
	rt worklist --format csv
	[[ "$err" != *"deconfliction list is"* ]]
	pin_clock 2026-11-09T10:00:00Z
	rt worklist --format csv
	expect_err_has "warning: the deconfliction list is 8 days old"
	rt alert
	expect_err_has "warning: the deconfliction list is 8 days old"
	"$RT" worklist --format html -o "$WORK/l.html" 2>/dev/null
	grep -q "list.csv (2 entries" "$WORK/l.html"
	grep -q "8 DAYS OLD" "$WORK/l.html"
	grep -q "DECONFLICT FIRST" "$WORK/l.html"
	COLUMNS=200 "$RT" worklist --format table 2>/dev/null | grep -q "^D deconfliction hit"
	COLUMNS=200 "$RT" worklist --format table 2>/dev/null | grep -q "DC-1 .* newD "
}

XML='<cybertip reportId="900000501" receivedAt="2026-11-02T08:15:00Z">
 <report><incidentSummary><incidentType>Child Sex Tourism</incidentType>
  <incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary>
  <lawEnforcement><agencyName>Example County Sheriff</agencyName><caseNumber>EC-2026-0042</caseNumber>
   <officerContact><firstName>Officerfirstname</firstName><email>officer.person@example.gov</email></officerContact></lawEnforcement>
  <reporter><reportingPerson/></reporter>
  <personOrUserReported><personOrUserReportedPerson><email>Jo.Bloggs@Example.ORG</email>
   <phone countryCallingCode="+44">07700 900123</phone></personOrUserReportedPerson>
   <espIdentifier>u-7f3a9c21</espIdentifier><espService>ExampleChat</espService>
   <ipCaptureEvent><ipAddress>2001:db8:0:0::1</ipAddress></ipCaptureEvent></personOrUserReported></report>
</cybertip>'

@test "XML lawEnforcement: le_agency and le_case kept, the officer's contact dropped; held like a hit" {
	init_store
	key
	printf '%s\n' "$XML" >"$WORK/r.xml"
	"$RT" import --token-key "$WORK/key" "$WORK/r.xml" 2>/dev/null
	rt show NCMEC-900000501 --format json
	python3 -c '
import json, sys
s = json.loads(sys.argv[1])
v = s["versions"][-1]["fields"] if "fields" in s["versions"][-1] else s["versions"][-1]
assert s["deconfliction"]["state"] == "hit", s["deconfliction"]
assert s["deconfliction"]["matches"] == [{"owner": "Example County Sheriff", "operation": "EC-2026-0042", "contact": "see the provider'"'"'s report", "type": "le_agency"}], s
' "$output"
	rt show NCMEC-900000501
	expect_out_has "le_agency                      Example County Sheriff"
	expect_out_has "le_case                        EC-2026-0042"
	if grep -a -q -e Officerfirstname -e officer.person "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" 2>/dev/null; then
		echo "the officer's contact reached the store" >&2
		return 1
	fi
	rt status NCMEC-900000501 in_progress
	expect_status 65
	expect_err_has "Example County Sheriff, case EC-2026-0042, contact: see the provider's report"
	rt status NCMEC-900000501 in_progress --deconflicted "Emailed the sheriff's liaison via NCA: no objection"
	expect_status 0
}

@test "raw values: --token-key tokenises as the XML import does; REFTRIAGE_TOKEN_KEY does not apply; no raw value is kept, logged or printed" {
	init_store
	key
	printf '%s\n' "$XML" >"$WORK/r.xml"
	"$RT" import --token-key "$WORK/key" "$WORK/r.xml" 2>"$WORK/stderr.all"
	cat >"$WORK/raw.csv" <<'EOF'
type,value,scope,owner,contact
email, jo.bloggs@example.org ,,Op Raw,DC Raw
phone,+44 07700 900123,,Op Raw,DC Raw
username,U-7F3A9C21,examplechat,Op Raw,DC Raw
other,u-7f3a9c21,ExampleChat,Op Raw,DC Raw
ip,2001:DB8::1,,Op Raw,DC Raw
EOF
	# The environment's key does not turn the value column into raw values.
	export REFTRIAGE_TOKEN_KEY="$WORK/key"
	rt deconflict import "$WORK/raw.csv"
	expect_status 65
	expect_err_has "a raw identifier needs --token-key FILE"
	cat "$WORK/.stderr" >>"$WORK/stderr.all"
	# A key others can read: a configuration error, as for import.
	chmod 644 "$WORK/key"
	rt deconflict import --token-key "$WORK/key" "$WORK/raw.csv"
	expect_status 78
	chmod 600 "$WORK/key"
	rt deconflict import --token-key "$WORK/key" "$WORK/raw.csv"
	expect_status 0
	cat "$WORK/.stderr" >>"$WORK/stderr.all"
	rt show NCMEC-900000501 --format json
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])["deconfliction"]
got = sorted((m["type"], m.get("possible", False)) for m in d["matches"] if m["type"] != "le_agency")
assert got == [("email", False), ("ip", True), ("other", False), ("phone", False)], got
' "$output"
	# username with the espIdentifier: no screenName in the report, so no match; that is right.
	rt deconflict list
	cat "$WORK/.stderr" >>"$WORK/stderr.all"
	printf '%s\n' "$output" >"$WORK/stdout.all"
	"$RT" audit log --format json >"$WORK/audit.json" 2>>"$WORK/stderr.all"
	for needle in 'jo.bloggs' 'Jo.Bloggs' '07700 900123' '07700900123' '4407700900123' 'u-7f3a9c21' 'U-7F3A9C21' '2001:db8' '2001:DB8'; do
		for f in "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" "$WORK/audit.json" "$WORK/stderr.all" "$WORK/stdout.all"; do
			if [ -e "$f" ] && grep -a -q -F -e "$needle" "$f"; then
				echo "raw value $needle found in $f" >&2
				return 1
			fi
		done
	done
}

@test "a raw value longer than the tokeniser's stack copy: tokenised, or refused by line and field, never kept" {
	init_store
	key
	long=$(python3 -c 'print("u" * 700)')
	noat=$(python3 -c 'print("x" * 700)')
	printf 'type,value,scope,owner,contact\nusername,%s,examplechat,Op Long,DC Long\n' "$long" >"$WORK/long.csv"
	rt deconflict import --token-key "$WORK/key" "$WORK/long.csv"
	expect_status 0
	v=$(sql "SELECT value FROM deconf_entries WHERE owner = 'Op Long'")
	[ "${#v}" -ge 32 ] && [ "${#v}" -le 128 ]
	[[ "$v" =~ ^[0-9a-f]+$ ]]
	# The same value, asked again, is the same token.
	rt find username "$long" --scope examplechat --token-key "$WORK/key"
	expect_status 0
	# Malformed and long: the line and field, its size, not its bytes; nothing changed.
	printf 'type,value,scope,owner,contact\nemail,%s,,Op Bad,DC Bad\n' "$noat" >"$WORK/bad.csv"
	rt deconflict import --token-key "$WORK/key" "$WORK/bad.csv"
	expect_status 65
	expect_err_has "$WORK/bad.csv:2: value: <redacted, 700 bytes> is not an email address (one @)"
	[ "$(sql "SELECT count(*) FROM deconf_entries WHERE owner = 'Op Long'")" = 1 ]
	[ "$(sql "SELECT count(*) FROM deconf_entries WHERE owner = 'Op Bad'")" = 0 ]
	sqlite3 "$REFTRIAGE_DB" .dump >"$WORK/dump.sql"
	! grep -q "uuuuuuuuuu" "$WORK/dump.sql" "$REFTRIAGE_DB"* "$WORK/.stderr"
	! grep -q "xxxxxxxxxx" "$WORK/dump.sql" "$REFTRIAGE_DB"* "$WORK/.stderr"
}
