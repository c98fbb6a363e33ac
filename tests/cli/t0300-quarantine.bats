#!/usr/bin/env bats
# reftriage quarantine list | show ID.

load helper

@test "quarantine list: one line per rejected record" {
	init_store
	"$RT" import "$SAMPLES/invalid/wrong-types.csv" "$SAMPLES/invalid/unknown-key.json" 2>/dev/null || true
	rt quarantine list
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 3 ]
	expect_out_has "1      $SAMPLES/invalid/wrong-types.csv:3  SYN-INV-0002  subject_age: \"3.5\" is not a whole number (expected a whole number from 10 to 120) (+1 more)"
	expect_out_has "3      $SAMPLES/invalid/unknown-key.json:3[1]  SYN-INV-0002  youngest_chlid_age: is not a field of the contract"
}

@test "quarantine show ID: file, line, every reason and the raw record" {
	init_store
	REFTRIAGE_NOW=2026-11-03T08:00:00Z "$RT" import "$SAMPLES/invalid/wrong-types.csv" 2>/dev/null || true
	TZ=Europe/London rt quarantine show 1
	expect_status 0
	expect_out_has "rejected at 2026-11-03 08:00 GMT (import 1)"
	expect_out_has "line        3"
	expect_out_has "package_ref SYN-INV-0002"
	expect_out_has "  subject_age: \"3.5\" is not a whole number"
	expect_out_has "  child_in_household: \"yes-ish\" is not a yes/no value"
	expect_out_has "  | SYN-INV-0002,2026-11-02T08:30:00Z,CEOP,grooming,Northshire,3.5,yes-ish,SYNTHETIC two wrong types"
}

@test "quarantine show escapes control bytes in the raw record" {
	init_store
	"$RT" import "$SAMPLES/invalid/nul-byte.csv" 2>/dev/null || true
	rt quarantine show 1
	expect_status 0
	expect_out_has 'SYNTHETIC NUL\x00here'
}

@test "quarantine usage and missing records" {
	init_store
	rt quarantine
	expect_status 64
	rt quarantine purge
	expect_status 64
	rt quarantine show abc
	expect_status 64
	rt quarantine show 0
	expect_status 64
	rt quarantine show 7
	expect_status 65
	expect_err1 "reftriage: quarantine show: no quarantined record 7"
	rt quarantine list
	expect_status 0
	[ -z "$output" ]
}
