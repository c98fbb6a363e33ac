#!/usr/bin/env bats
# schemas/referral-package.schema.json and the C validator agree.

load helper

@test "the JSON Schema and reftriage agree on every sample and invalid record" {
	run /usr/bin/python3 "$TOP/tests/tools/schema_agree.py" "$RT" "$WORK"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" 0 disagreements"* ]]
}

@test "the agreement check catches a schema that drifts from the contract" {
	python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
s["properties"]["subject_age"] = {}   # any value: wrong
s["required"] = s["required"][:2]      # source and referral_type optional: wrong
json.dump(s, open(sys.argv[2], "w"))
' "$TOP/schemas/referral-package.schema.json" "$WORK/loose.json"
	SCHEMA="$WORK/loose.json" run /usr/bin/python3 "$TOP/tests/tools/schema_agree.py" "$RT" "$WORK"
	[ "$status" -eq 1 ]
	[[ "$output" == *"fraction-for-integer.ndjson:2: schema says valid, reftriage says invalid"* ]] &&
	[[ "$output" == *"missing-required-field.ndjson:2: schema says valid, reftriage says invalid"* ]] || {
		echo "$output"
		false
	}
}

@test "the schema is itself valid JSON Schema 2020-12" {
	run /usr/bin/python3 -c '
import json, jsonschema, sys
jsonschema.Draft202012Validator.check_schema(json.load(open(sys.argv[1])))
' "$TOP/schemas/referral-package.schema.json"
	[ "$status" -eq 0 ]
}

@test "schemas/rules.schema.json is valid, accepts the shipped rules and refuses misshapen ones" {
	run /usr/bin/python3 -c '
import glob, json, jsonschema, sys
top = sys.argv[1]
s = json.load(open(top + "/schemas/rules.schema.json"))
jsonschema.Draft202012Validator.check_schema(s)
v = jsonschema.Draft202012Validator(s)
for f in [top + "/rules/default.json", top + "/tests/data/rules/test-policy.json"]:
    errs = list(v.iter_errors(json.load(open(f))))
    assert not errs, (f, errs[0].message)
# Cases whose mistake is one of shape: the schema refuses them as reftriage does.
for case in ["unknown-top-level-key", "unknown-rule-key", "unknown-band-key", "points-out-of-range",
             "points-not-whole", "unknown-category", "bad-rule-id", "missing-when", "no-bands",
             "empty-description", "bad-response-hours"]:
    doc = json.load(open(top + "/tests/data/rules-invalid/" + case + "/rules.json"))
    assert not v.is_valid(doc), case
print("ok")
' "$TOP"
	echo "$output"
	[ "$status" -eq 0 ]
}
