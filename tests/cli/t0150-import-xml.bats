#!/usr/bin/env bats
# CyberTipline XML import (shared/spec/cybertip.md): the mapping, token keys,
# and every rejection. Bad inputs as data: tests/data/xml-invalid/<case>/
# holds the input (a link into sample_packages/invalid/), the first line of
# stderr, the exit code and "PACKAGES QUARANTINED" after the import.

load helper

# The spec's key: bytes 00..1f, in a file only its owner reads.
spec_key() {
	python3 -c 'print(bytes(range(32)).hex())' >"$WORK/key"
	chmod 600 "$WORK/key"
	export REFTRIAGE_TOKEN_KEY="$WORK/key"
}

# One cybertip record; $1 the report id, $2 what goes inside <report> after
# the reporter, $3 what follows </report>.
record() {
	printf '<cybertip reportId="%s" receivedAt="2026-11-02T08:15:00Z">\n' "$1"
	printf ' <report><incidentSummary><incidentType>Child Sex Tourism</incidentType>\n'
	printf '  <incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary>\n'
	printf '  <reporter><reportingPerson/></reporter>%s</report>%s\n</cybertip>\n' "$2" "$3"
}

EXAMPLE='<cybertip reportId="900000417" receivedAt="2026-11-02T08:15:00Z" ncmecPriority="2">
 <report><incidentSummary>
   <incidentType>Online Enticement of Children for Sexual Acts</incidentType>
   <reportAnnotations><sextortion/></reportAnnotations>
   <incidentDateTime>2026-10-30T21:40:00+01:00</incidentDateTime></incidentSummary>
  <reporter><reportingPerson/></reporter>
  <personOrUserReported><personOrUserReportedPerson><age>34</age></personOrUserReportedPerson>
   <espIdentifier>u-7f3a9c21</espIdentifier><espService>ExampleChat</espService></personOrUserReported></report>
 <fileDetails><reportId>900000417</reportId><fileId>f01</fileId>
  <fileAnnotations><possibleSelfProduction/></fileAnnotations></fileDetails>
</cybertip>'

@test "the spec's example maps to the spec's package, tokens and all" {
	init_store
	spec_key
	printf '%s\n' "$EXAMPLE" >"$WORK/ex.xml"
	rt import "$WORK/ex.xml"
	expect_status 0
	rt show NCMEC-900000417 --format json
	pkg=$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["versions"][0]["package"], sort_keys=True))')
	want=$(python3 -c 'import json; print(json.dumps({"package_ref":"NCMEC-900000417","received_at":"2026-11-02T08:15:00Z","source":"NCMEC",
 "referral_type":"sextortion","summary":"CT 900000417: Online Enticement of Children for Sexual Acts; sextortion; 1 file",
 "subject_ref":"a9e727a6de49638af6f519d22a3d0ad5","subject_age":34,"self_generated":True,"coercion_or_threats":True,
 "identifiers":[{"type":"other","token":"a9e727a6de49638af6f519d22a3d0ad5"},
  {"type":"other","token":"b7d731c20ef1e37e152a347cc7827222"}],
 "source_priority":"2","incident_at":"2026-10-30T20:40:00Z","esp_escalated":False,"esp_batched":False,"files_reported":1}, sort_keys=True))')
	[ "$pkg" = "$want" ]
	# No raw identifier anywhere in the store.
	! grep -a -q 'u-7f3a9c21' "$REFTRIAGE_DB"
	# show lists the contract v2 fields in their own group.
	rt show NCMEC-900000417
	expect_out_has "source_priority"
}

@test "format by name, by content, or --format xml from standard input" {
	init_store
	spec_key
	printf '%s\n' "$EXAMPLE" >"$WORK/ex.txt"
	rt import --dry-run "$WORK/ex.txt"
	expect_status 0
	expect_err_has "1 would be imported"
	rt_stdin "$WORK/ex.txt" import --dry-run --format xml -
	expect_status 0
}

@test "without a token key, XML is a configuration error (78) that says how to make one" {
	init_store
	printf '%s\n' "$EXAMPLE" >"$WORK/ex.xml"
	rt import "$WORK/ex.xml"
	expect_status 78
	expect_err_has "reftriage keygen --token-key FILE"
	[ "$(sql 'SELECT count(*) FROM packages')" = 0 ]
}

@test "keygen --token-key: 64 hex digits, mode 0600, never over a file; a readable key is refused" {
	init_store
	rt keygen --token-key "$WORK/unit.key"
	expect_status 0
	[ "$(stat -c %a "$WORK/unit.key")" = 600 ]
	grep -Eq '^[0-9a-f]{64}$' "$WORK/unit.key"
	cp "$WORK/unit.key" "$WORK/before"
	rt keygen --token-key "$WORK/unit.key"
	expect_status 73
	cmp "$WORK/unit.key" "$WORK/before"
	# Two keys differ (random), and each gives its own tokens.
	rt keygen --token-key "$WORK/other.key"
	! cmp -s "$WORK/unit.key" "$WORK/other.key"
	chmod 640 "$WORK/unit.key"
	printf '%s\n' "$EXAMPLE" >"$WORK/ex.xml"
	rt import --token-key "$WORK/unit.key" "$WORK/ex.xml"
	expect_status 78
	expect_err_has "the token key may be read by its group"
	printf 'not a key\n' >"$WORK/bad.key"
	chmod 600 "$WORK/bad.key"
	rt import --token-key "$WORK/bad.key" "$WORK/ex.xml"
	expect_status 78
	expect_err_has "not a token key"
}

@test "every bad XML case: its message, its exit code, and nothing good lost" {
	spec_key
	failed=0
	for dir in "$TOP"/tests/data/xml-invalid/*/; do
		name=$(basename "$(readlink -f "$dir/input")")
		rm -rf "$WORK/case" && mkdir "$WORK/case" && cd "$WORK/case"
		cp "$dir/input" "$name"
		export REFTRIAGE_DB="$WORK/case/store.db"
		"$RT" init 2>/dev/null
		rt import "$name"
		got="$(sql 'SELECT count(*) FROM packages') $(sql 'SELECT count(*) FROM quarantine')"
		if [ "$status" -ne "$(cat "$dir/exit")" ] || [ "$err1" != "$(cat "$dir/expected")" ] ||
			[ "$got" != "$(cat "$dir/stored")" ]; then
			echo "case $(basename "$dir"): exit $status, $err1, stored $got" >&2
			failed=$((failed + 1))
		fi
	done
	[ "$failed" -eq 0 ]
}

@test "a DOCTYPE is refused at its token: no entity read from disk, billion laughs in milliseconds" {
	init_store
	spec_key
	# A FIFO as the external entity: reading it would block until the timeout.
	mkfifo "$WORK/secret"
	{ printf '<!DOCTYPE cybertip [<!ENTITY x SYSTEM "file://%s/secret">]>\n' "$WORK"; record 900000701 '<additionalInfo>&x;</additionalInfo>' ''; } >"$WORK/xxe.xml"
	set +e
	timeout 10 "$RT" import "$WORK/xxe.xml" 2>"$WORK/err"
	status=$?
	set -e
	[ "$status" -eq 65 ]
	grep -q 'xxe.xml:1: document: a DOCTYPE: refused' "$WORK/err"
	start=$(date +%s%N)
	rt import "$SAMPLES/invalid/cybertip-billion-laughs.xml"
	ms=$((($(date +%s%N) - start) / 1000000))
	expect_status 65
	[ "$ms" -lt 2000 ]
}

@test "the record and text limits stop the file: bytes, depth, elements, a 1 MiB text node" {
	init_store
	spec_key
	record 900000801 '<additionalInfo>padding padding padding padding padding</additionalInfo>' '' >"$WORK/big.xml"
	rt import --max-xml-bytes 1024 "$WORK/big.xml"
	expect_status 0
	python3 -c 'print("x" * 2000)' >"$WORK/pad"
	record 900000802 "<additionalInfo>$(cat "$WORK/pad")</additionalInfo><victim/>" '' >"$WORK/big.xml"
	rt import --max-xml-bytes 1024 "$WORK/big.xml"
	expect_status 65
	expect_err_has "a record of more than 1024 bytes (--max-xml-bytes)"
	deep=$(python3 -c 'print("<a>" * 40 + "</a>" * 40)')
	record 900000803 "<additionalInfo/><victim><additionalInfo>$deep</additionalInfo></victim>" '' >"$WORK/deep.xml"
	rt import "$WORK/deep.xml"
	expect_status 65
	expect_err_has "elements nested more than 32 deep"
	many=$(python3 -c 'print("<a/>" * 200001)')
	record 900000804 "<intendedRecipient>$many</intendedRecipient>" '' >"$WORK/many.xml"
	rt import "$WORK/many.xml"
	expect_status 65
	expect_err_has "a record of more than 200000 elements"
	text=$(python3 -c 'print("t" * (1024 * 1024 + 1))')
	record 900000805 "<additionalInfo>$text</additionalInfo>" '' >"$WORK/text.xml"
	rt import "$WORK/text.xml"
	expect_status 65
	expect_err_has "a text node of more than 1 MiB"
	[ "$(sql 'SELECT count(*) FROM packages')" = 1 ]
}

@test "a batch with bad records imports the others; --strict imports none; no raw identifier kept" {
	init_store
	spec_key
	f="$SAMPLES/invalid/cybertip-batch-bad-records.xml"
	# --strict in a store of its own: its rejects would be known in this one.
	REFTRIAGE_DB="$WORK/strict.db" "$RT" init 2>/dev/null
	REFTRIAGE_DB="$WORK/strict.db" rt import --strict "$f"
	expect_status 65
	[ "$(REFTRIAGE_DB="$WORK/strict.db" sql 'SELECT count(*) FROM packages')" = 0 ]
	rt import "$f"
	expect_status 65
	[ "$(sql 'SELECT group_concat(ref) FROM (SELECT ref FROM packages ORDER BY ref)')" = "NCMEC-900000601,NCMEC-900000612" ]
	for want in \
		"cybertip-batch-bad-records.xml:10: report/personOrUserReported: more than one personOrUserReported" \
		":17: report/incidentSummary/incidentDateTime: \"2026-02-30T21:40:00Z\" is not a date and time with a zone" \
		":22: report/incidentSummary/incidentType: <redacted, 17 bytes> is not exactly one of the XSD's eight incident types (did you mean \"Child Pornography (possession, manufacture, and distribution)\"?)" \
		":27: report/incidentSummary/reportAnnotations/spam: false in a presence flag" \
		":33: fileDetails/reportId: <redacted, 9 bytes> is not the envelope's reportId 900000606" \
		":39: report/personOrUserReported/ipCaptureEvent/ipAddress: <redacted, 13 bytes> is not an IPv4 or IPv6 address" \
		":45: report/incidentSummary/severity: unknown element" \
		":50: report/personOrUserReported/personOrUserReportedPerson/age: \"9\" is not an age from 10 to 120" \
		":56: fileDetails/fileViewedByEsp: <redacted, 3 bytes> is not a boolean" \
		":62: @reportId: missing: no NCMEC report id"; do
		expect_err_has "$want"
	done
	# The quarantine keeps position, reasons and a content hash, never the XML.
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 10 ]
	! sql 'SELECT raw FROM quarantine' | grep -q -e synthetic-a -e 203.0.113.999 -e '<'
	! printf '%s' "$err" | grep -q -e synthetic-a -e 203.0.113.999
	sql 'SELECT raw FROM quarantine' | grep -q 'BLAKE2b-256 of its content'
	# The same file again: no second quarantine entry for a record; known rejects, exit 0.
	rt import "$f"
	expect_status 0
	expect_err_has "0 rejected, 10 known rejects"
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 10 ]
	f="$SAMPLES/invalid/cybertip-more-bad-records.xml"
	rt import "$f"
	expect_status 65
	for want in \
		"cybertip-more-bad-records.xml:10: report/incidentSummary/incidentType: given more than once" \
		":15: report/personOrUserReported/personOrUserReportedPerson/email: <redacted, 25 bytes> is not an email address" \
		":21: @urgency: unknown attribute" \
		":26: fileDetails/fileRelevance: <redacted, 8 bytes> is not one of Reported or Supplemental Reported" \
		":32: @ncmecPriority: <redacted, 2 bytes> is not one of 1, 2, 3 or E"; do
		expect_err_has "$want"
	done
	! printf '%s' "$err" | grep -q synthetic.example
	# xsi attributes are ignored: the first record is in.
	[ "$(sql "SELECT count(*) FROM packages WHERE ref = 'NCMEC-900000701'")" = 1 ]
	f="$SAMPLES/invalid/cybertip-batch-bad-records.xml"
	# --ignore-unknown-fields lets the record with an unknown element in.
	rt import --ignore-unknown-fields "$f"
	[ "$(sql "SELECT count(*) FROM packages WHERE ref = 'NCMEC-900000608'")" = 1 ]
}

@test "identifiers become tokens: the same account links two reports, a re-report links by id" {
	init_store
	spec_key
	acct='<personOrUserReported><personOrUserReportedPerson><email>Someone@Example.invalid</email></personOrUserReportedPerson><screenName>Synth_User</screenName><espService>ExampleChat</espService><ipCaptureEvent><ipAddress>2001:DB8:0:0:0:0:0:1</ipAddress></ipCaptureEvent></personOrUserReported>'
	prior='<personOrUserReported><priorCTReports>900000901</priorCTReports><priorCTReports>900000901</priorCTReports></personOrUserReported>'
	{ echo '<cybertipBatch>'; record 900000901 "$acct" ''; record 900000902 "$acct" ''; record 900000903 "$prior" ''; echo '</cybertipBatch>'; } >"$WORK/b.xml"
	rt import --as-of 2026-11-03T08:00:00Z "$WORK/b.xml"
	expect_status 0
	rt show NCMEC-900000901 --format json
	printf '%s' "$output" | python3 -c '
import json, sys, hashlib
d = json.load(sys.stdin)
p = d["versions"][0]["package"]
k = bytes(range(32))
tok = lambda t, s, v: hashlib.blake2b(("%s\x1f%s\x1f%s" % (t, s, v)).encode(), key=k, digest_size=16).hexdigest()
ids = {(i["type"], i["token"]) for i in p["identifiers"]}
assert ("email", tok("email", "", "someone@example.invalid")) in ids, ids
assert ("username", tok("username", "examplechat", "synth_user")) in ids, ids
assert ("ip", tok("ip", "", "2001:db8::1")) in ids, ids
assert p["subject_ref"] == tok("username", "examplechat", "synth_user")
assert d["score"]["linked_packages"] == 2, d["score"]
'
	rt show NCMEC-900000903 --format json
	printf '%s' "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["versions"][0]["package"]["prior_reports"] == 1
assert d["score"]["linked_packages"] == 1, d["score"]
'
	! grep -a -q -i -e 'someone@' -e synth_user "$REFTRIAGE_DB"
}

@test "the default policy reads the source: NCMEC priority 1 floors P1, escalation P2, informational and viral lower" {
	init_store
	spec_key
	{
		echo '<cybertipBatch>'
		printf '<cybertip reportId="900001001" receivedAt="2026-11-02T08:15:00Z" ncmecPriority="1">\n'
		printf ' <report><incidentSummary><incidentType>Child Sex Tourism</incidentType><incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/></reporter></report></cybertip>\n'
		printf '<cybertip reportId="900001002" receivedAt="2026-11-02T08:15:00Z">\n'
		printf ' <report><incidentSummary><incidentType>Child Sex Tourism</incidentType><escalateToHighPriority>child in danger</escalateToHighPriority><incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/></reporter></report></cybertip>\n'
		printf '<cybertip reportId="900001003" receivedAt="2026-11-02T08:15:00Z" disposition="informational" bundledCount="40">\n'
		printf ' <report><incidentSummary><incidentType>Child Sex Tourism</incidentType><reportAnnotations><minorToMinorInteraction/></reportAnnotations><incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/></reporter></report></cybertip>\n'
		printf '<cybertip reportId="900001004" receivedAt="2026-11-02T08:15:00Z">\n'
		printf ' <report><incidentSummary><incidentType>Child Sex Tourism</incidentType><reportAnnotations><sadisticOnlineExploitation/></reportAnnotations><incidentDateTime>2026-10-30T21:40:00Z</incidentDateTime></incidentSummary><reporter><reportingPerson/></reporter></report>\n'
		printf ' <fileDetails><reportId>900001004</reportId><fileId>f</fileId><fileAnnotations><infant/><physicalHarm/></fileAnnotations></fileDetails></cybertip>\n'
		echo '</cybertipBatch>'
	} >"$WORK/p.xml"
	rt import --as-of 2026-11-03T08:00:00Z "$WORK/p.xml"
	expect_status 0
	rt worklist --now 2026-11-03T08:00:00Z --format csv
	expect_status 0
	printf '%s\n' "$output" | python3 -c '
import csv, sys
rows = {r["package_ref"]: r for r in csv.DictReader(sys.stdin)}
assert rows["NCMEC-900001001"]["priority"] == "P1", rows["NCMEC-900001001"]
assert "NCMEC-PRIORITY-1" in rows["NCMEC-900001001"]["reasons"]
assert rows["NCMEC-900001002"]["priority"] == "P2", rows["NCMEC-900001002"]
assert "ESP-ESCALATED" in rows["NCMEC-900001002"]["reasons"]
low = rows["NCMEC-900001003"]
assert int(low["score"]) < 0 and low["priority"] == "P4", low
for r in ("NCMEC-INFORMATIONAL", "VIRAL-BUNDLED", "ESP-MINOR-TO-MINOR"):
    assert r in low["reasons"], low
high = rows["NCMEC-900001004"]
for r in ("ESP-SADISTIC", "ESP-INFANT", "ESP-PHYSICAL-HARM"):
    assert r in high["reasons"], high
assert int(high["score"]) >= 90, high
'
	# The worklist's json carries the source fields.
	rt worklist --now 2026-11-03T08:00:00Z --format json
	printf '%s' "$output" | python3 -c '
import json, sys
items = {i["package_ref"]: i for i in json.load(sys.stdin)["items"]}
assert items["NCMEC-900001001"]["source"] == {"source_priority": "1", "incident_at": "2026-10-30T21:40:00Z", "esp_escalated": False, "esp_batched": False}, items["NCMEC-900001001"]
assert items["NCMEC-900001003"]["source"]["bundled_count"] == 40
assert items["NCMEC-900001004"]["source"]["files_reported"] == 1
'
}

@test "rules know the contract v2 fields: their types and enums are checked" {
	init_store
	python3 - "$TOP/rules/default.json" "$WORK/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["rules"] = d["rules"][:1] + [{"id": "BAD-PRIO", "category": "other", "description": "x", "when": "source_priority = \"4\"", "points": 1},
                               {"id": "BAD-COUNT", "category": "other", "description": "x", "when": "bundled_count contains \"2\"", "points": 1},
                               {"id": "BAD-FLAG", "category": "other", "description": "x", "when": "esp_infant > 1", "points": 1}]
json.dump(d, open(sys.argv[2], "w"))
PY
	rt rules check "$WORK/r.json"
	expect_status 65
	expect_err_has 'BAD-PRIO'
	expect_err_has 'BAD-COUNT'
	expect_err_has 'BAD-FLAG'
}

@test "contract v2 in CSV and NDJSON: the new columns are read and validated like the rest" {
	init_store
	printf 'package_ref,received_at,source,referral_type,source_priority,source_disposition,bundled_count,incident_at,esp_escalated,files_class_b2,esp_infant\n' >"$WORK/v2.csv"
	printf 'V2-CSV-1,2026-11-02T08:15:00Z,NCMEC,other,E,referral,2,2026-10-30T21:40:00+01:00,yes,3,true\n' >>"$WORK/v2.csv"
	printf 'V2-CSV-2,2026-11-02T08:15:00Z,NCMEC,other,4,maybe,0,2026-10-30,perhaps,-1,\n' >>"$WORK/v2.csv"
	rt import "$WORK/v2.csv"
	expect_status 65
	expect_err_has 'v2.csv:3: source_priority: "4"'
	expect_err_has 'v2.csv:3: source_disposition: "maybe"'
	expect_err_has 'v2.csv:3: bundled_count: "0"'
	expect_err_has 'v2.csv:3: esp_escalated: "perhaps"'
	expect_err_has 'v2.csv:3: files_class_b2: "-1"'
	rt show V2-CSV-1 --format json
	printf '%s' "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)["versions"][0]["package"]
assert (p["source_priority"], p["bundled_count"], p["incident_at"], p["esp_escalated"], p["files_class_b2"], p["esp_infant"]) == ("E", 2, "2026-10-30T20:40:00Z", True, 3, True), p
'
	# The same package as NDJSON has the same content hash: unchanged.
	printf '{"package_ref":"V2-CSV-1","received_at":"2026-11-02T08:15:00Z","source":"NCMEC","referral_type":"other","source_priority":"E","source_disposition":"referral","bundled_count":2,"incident_at":"2026-10-30T20:40:00Z","esp_escalated":true,"files_class_b2":3,"esp_infant":true}\n' >"$WORK/v2.ndjson"
	rt import "$WORK/v2.ndjson"
	expect_status 0
	expect_err_has "1 unchanged"
}

@test "every reason of a record is reported: a bad envelope attribute and a missing incidentType" {
	init_store
	spec_key
	printf '<cybertip reportId="1" receivedAt="2026-11-02T08:15:00Z" ncmecPriority="9"><report><reporter/></report></cybertip>\n' >"$WORK/m.xml"
	rt import "$WORK/m.xml"
	expect_status 65
	expect_err_has 'm.xml:1: @ncmecPriority: <redacted, 1 bytes> is not one of 1, 2, 3 or E'
	expect_err_has 'm.xml:1: report/incidentSummary/incidentType: missing'
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 1 ]
	[ "$(sql 'SELECT package_ref FROM quarantine')" = NCMEC-1 ]
}
