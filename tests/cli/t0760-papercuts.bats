#!/usr/bin/env bats
# Issue 27's papercuts, each as a new user met it: a suggestion or the list
# of valid values, times for people, formats scripts can parse, quiet jobs.

load helper

WI="$TOP/tests/data/whatif"
TIME_FORMS="give RFC 3339 (2026-11-02T08:15:00Z), a date (2026-11-02), a local time (2026-11-02 08:15), now, today, yesterday, or a time ago (90min, 12h, 3d, 2w)"

day_store() {
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
}

# A machine time (RFC 3339 with seconds, maybe a fraction) in $1, for people's output.
no_machine_time() {
	if grep -En '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z' <<<"$1"; then
		echo "a machine time in output for people (above)" >&2
		return 1
	fi
}

@test "help with a misspelt command suggests the command" {
	rt help shw
	expect_status 64
	expect_err1 "reftriage: help: 'shw' is not a command; did you mean 'show'? (see 'reftriage help --help')"
	rt help zzzzzz
	expect_status 64
	expect_err_has "'zzzzzz' is not a command: init, import, rules,"
	rt help rules chek
	expect_status 64
	expect_err_has "'chek' is not a sub-command; did you mean 'check'?"
}

@test "an unknown priority lists the rule set's priorities" {
	day_store
	rt worklist --priority high
	expect_status 64
	expect_err1 "reftriage: worklist: --priority 'high' is not a priority of the rules in use (P1, P2, P3 or P4) (see 'reftriage worklist --help')"
}

@test "a misspelt open state is suggested, not refused as a closed one" {
	day_store
	rt worklist --status in-progress
	expect_status 64
	expect_err1 "reftriage: worklist: --status 'in-progress' is not a state; did you mean 'in_progress'? (see 'reftriage worklist --help')"
	rt worklist --status 'In Progress'
	expect_status 64
	expect_err_has "did you mean 'in_progress'?"
}

@test "an outcome code that is not one lists the codes it may mean, or all of them; nothing recorded" {
	day_store
	rt outcome SYN-20261102-0001 NFA
	[ "$status" -ne 0 ]
	expect_err1 "reftriage: outcome: code: 'NFA' is not an outcome code; did you mean one of nfa_no_offence, nfa_insufficient_evidence, nfa_public_interest, nfa_not_traced? (docs/outcomes.md)"
	rt outcome SYN-20261102-0001 zzz
	[ "$status" -ne 0 ]
	expect_err1 "reftriage: outcome: code: 'zzz' is not an outcome code: one of arrest, charged, safeguarded, contact_offence_found, iioc_found, nfa_no_offence, nfa_insufficient_evidence, nfa_public_interest, nfa_not_traced, duplicate, transferred (docs/outcomes.md)"
	[ "$(sql 'SELECT count(*) FROM outcomes')" = 0 ]
}

@test "an unknown XML incidentType lists the XSD's eight; the value itself stays redacted" {
	init_store
	"$RT" keygen --token-key "$WORK/unit.key" 2>/dev/null
	sed 's|<incidentType>[^<]*</incidentType>|<incidentType>Grooming online</incidentType>|' \
		"$SAMPLES/cybertip-2026-11-02.xml" >"$WORK/ct.xml"
	rt import --token-key "$WORK/unit.key" "$WORK/ct.xml"
	expect_status 65
	expect_err_has "report/incidentSummary/incidentType: <redacted, 15 bytes> is not one of the XSD's eight incident types: 'Child Pornography (possession, manufacture, and distribution)', 'Child Sex Trafficking', 'Child Sex Tourism', 'Child Sexual Molestation', 'Misleading Domain Name', 'Misleading Words or Digital Images on the Internet', 'Online Enticement of Children for Sexual Acts' or 'Unsolicited Obscene Material Sent to a Child'"
	[[ "$err" != *"Grooming online"* ]]
	[ "$(sql "SELECT count(*) FROM quarantine WHERE reasons LIKE '%Grooming online%'")" = 0 ]
}

@test "a Windows-1252 CSV says so and how to convert it; the good records are kept" {
	init_store
	head -2 "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/w.csv"
	sed -n 3p "$SAMPLES/referrals-2026-11-02.csv" | sed 's/Westvale/Westvale Caf\xe9 \x93A\x94/' >>"$WORK/w.csv"
	rt import "$WORK/w.csv"
	expect_status 65
	expect_err_has "w.csv:3: force_area: "
	expect_err_has "is not valid UTF-8 (byte 13 is 0xe9); the file looks like Windows-1252 (a spreadsheet's plain 'CSV' save): convert it with 'iconv -f WINDOWS-1252 -t UTF-8 FILE > FILE.utf8' and import that"
	[ "$(sql 'SELECT count(*) FROM packages')" = 1 ]
	[ "$(sql 'SELECT count(*) FROM quarantine')" = 1 ]
	# The advice works: the converted file imports.
	iconv -f WINDOWS-1252 -t UTF-8 "$WORK/w.csv" >"$WORK/w.utf8"
	rt import --format csv "$WORK/w.utf8"
	expect_status 0
	[ "$(sql 'SELECT count(*) FROM packages')" = 2 ]
}

@test "human tables and messages show local times to the minute; csv and json keep RFC 3339" {
	export TZ=Europe/London
	day_store
	"$RT" import "$SAMPLES/invalid/wrong-types.csv" 2>/dev/null || true
	"$RT" quarantine dismiss 1 --note "SYNTHETIC" 2>/dev/null
	rt import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 0
	no_machine_time "$err"
	expect_err_has "as of 2026-11-03 08:00 GMT with"
	rt rules show
	expect_status 0
	no_machine_time "$output"
	[[ "$(echo "$output" | sed -n 3p)" =~ ^installed\ \ [0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}\ GMT\ by ]]
	rt quarantine list --all
	no_machine_time "$output"
	expect_out_has "[dismissed 20"
	rt score --as-of 2026-11-03T08:00:00Z
	expect_err_has "as of 2026-11-03 08:00 GMT"
	no_machine_time "$err"
	rt rules install --as-of 2026-11-03T08:00:00Z "$TOP/tests/data/rules/test-policy.json"
	no_machine_time "$err"
	# Machines keep RFC 3339 in UTC.
	rt worklist --format json --limit 1
	[[ "$output" =~ \"received_at\":\"2026-11-02T[0-9]{2}:[0-9]{2}:00Z\" ]]
	rt worklist --format csv --limit 1
	expect_out_has ",2026-11-02T"
}

@test "audit log --format json is one document with items; ndjson keeps a line an entry" {
	day_store
	rt audit log --format json
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["items"], list(d)
assert [e["action"] for e in d["items"]][:3] == ["init", "rules install", "import"], d["items"][:3]'
	rt audit log --format json --action nothing-such
	[ "$output" = '{"items":[]}' ]
	rt audit log --format ndjson
	expect_status 0
	echo "$output" | python3 -c '
import json, sys
e = [json.loads(l) for l in sys.stdin]
assert e[0]["action"] == "init" and len(e) >= 3, e'
}

@test "import --summary json prints its object also when the run stops before reading (78, 66)" {
	rt --db "$WORK/none.db" import --summary json "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["exit_code"] == 78 and s["files"] == [] and s["totals"]["new"] == 0, s
assert "no store here" in s["error"], s'
	[ ! -e "$WORK/none.db" ]
	init_store
	rt import --summary json --token-key "$WORK/no.key" "$SAMPLES/cybertip-2026-11-02.xml"
	expect_status 66
	echo "$output" | python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["exit_code"] == 66 and "no.key" in s["error"], s'
}

@test "rules diff -o writes the file (not stdout) and refuses what is not a regular file" {
	whatif_store() { init_store; "$RT" rules install "$WI/old.json" 2>/dev/null; "$RT" import --as-of 2026-11-03T00:00:00Z "$WI/packages.ndjson" 2>/dev/null; }
	whatif_store
	rt rules diff --as-of 2026-11-03T00:00:00Z --format json -o "$WORK/diff.json" "$WI/new.json"
	expect_status 0
	[ -z "$output" ]
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); assert d["open_packages"] == 4 and d["matrix"], d' "$WORK/diff.json"
	[ "$(stat -c %a "$WORK/diff.json")" = 600 ]
	rt rules diff -o - --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	expect_out_has "2 change priority"
	mkfifo "$WORK/fifo"
	rt rules diff -o "$WORK/fifo" "$WI/new.json"
	expect_status 73
	expect_err_has "refused: it is a FIFO (named pipe), not a regular file"
	rt rules diff -o /dev/null "$WI/new.json"
	expect_status 73
}

@test "rules install says one line; --verbose and --dry-run show the matrix" {
	init_store
	"$RT" rules install "$WI/old.json" 2>/dev/null
	"$RT" import --as-of 2026-11-03T00:00:00Z "$WI/packages.ndjson" 2>/dev/null
	rt rules install --as-of 2026-11-03T00:00:00Z "$WI/new.json"
	expect_status 0
	[ "$(echo "$err" | wc -l)" = 1 ]
	expect_err_has "rescored 4 open packages as of 2026-11-03 00:00 UTC, 2 changed priority"
	rt rules install --verbose --as-of 2026-11-03T00:00:00Z "$WI/old.json"
	expect_status 0
	expect_err_has "open packages by priority, the active rules (rows) to"
	[ "$(echo "$err" | wc -l)" -gt 5 ]
}

@test "audit checkpoint --output writes the statement to the file only" {
	day_store
	"$RT" keygen --output sup --unencrypted 2>/dev/null
	rt audit checkpoint --key sup.key --output cp
	expect_status 0
	[ -z "$output" ]
	grep -q "reftriage audit checkpoint v1" cp
	[ -s cp.minisig ]
}

@test "quarantine, outcome and alert tables have a heading; an empty one stays silent" {
	day_store
	rt quarantine list
	[ -z "$output" ]
	rt alert --now 2026-11-02T15:00:00Z --within 1
	expect_status 0
	[ -z "$output" ]
	"$RT" import "$SAMPLES/invalid/wrong-types.csv" 2>/dev/null || true
	rt quarantine list
	[ "$(echo "$output" | head -1)" = "ID     FILE:LINE  REF  REASON" ]
	"$RT" outcome SYN-20261102-0001 arrest --date 2026-11-03 2>/dev/null
	rt outcome list
	[[ "$(echo "$output" | head -1)" =~ ^REF\ +CODE\ +DATE\ +COUNT\ +NOTE$ ]]
	rt alert --now 2026-11-03T06:00:00Z
	expect_status 1
	[[ "$(echo "$output" | head -1)" =~ ^PRI\ +REF\ +DUE\ +STATUS\ +ASSIGNED$ ]]
	[[ "$(echo "$output" | sed -n 2p)" =~ ^P1\ +SYN-20261102-0006\ +2026-11-03\ 06:18\ UTC\ +new\ +-$ ]]
}

@test "relative and local times wherever a TIME is taken, against the one clock (--now)" {
	init_store
	REFTRIAGE_NOW=2026-11-02T20:00:00Z "$RT_CLOCK" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	REFTRIAGE_NOW=2026-11-03T07:00:00Z "$RT_CLOCK" assign SYN-20261102-0005 --to dc.a 2>/dev/null
	REFTRIAGE_NOW=2026-11-04T09:00:00Z "$RT_CLOCK" assign SYN-20261102-0009 --to dc.b 2>/dev/null
	changed() { "$RT" worklist --format csv --now 2026-11-04T12:00:00Z "$@" 2>/dev/null | cut -d, -f2 | tail -n +2 | sort | paste -sd' '; }
	# 12 h before --now: only the change at 09:00 on the 4th.
	[ "$(changed --changed-since 12h)" = "SYN-20261102-0009" ]
	[ "$(changed --changed-since 2026-11-04T00:00:00Z)" = "SYN-20261102-0009" ]
	# 36 hours back, a day, 90 minutes, 2 weeks, today and yesterday (local midnight of --now's day).
	[ "$(changed --changed-since 36h)" = "SYN-20261102-0005 SYN-20261102-0009" ]
	[ "$(changed --changed-since 1d)" = "SYN-20261102-0009" ]
	[ "$(changed --changed-since 90min)" = "" ]
	[ "$(changed --changed-since today)" = "SYN-20261102-0009" ]
	[ "$(changed --changed-since yesterday)" = "SYN-20261102-0005 SYN-20261102-0009" ]
	# Before the import: every package is new since then.
	[ "$(changed --changed-since 2w | wc -w)" = 60 ]
	# A local time, in TZ: 08:30 in New York is 13:30 UTC.
	[ "$(TZ=America/New_York changed --changed-since '2026-11-03 08:30')" = "SYN-20261102-0009" ]
	[ "$(TZ=America/New_York changed --changed-since '2026-11-03T01:30')" = "SYN-20261102-0005 SYN-20261102-0009" ]
	# Any case; and the other verbs' TIME options.
	rt worklist --now 2026-11-04T12:00:00Z --since YESTERDAY --format csv
	expect_status 0
	rt audit log --since 1h --format json
	expect_status 0
	rt score --as-of today
	expect_status 0
	rt alert --now now --within 1
	[ "$status" -le 1 ]
	# What is none of them names every form.
	rt worklist --changed-since 3x
	expect_status 64
	expect_err1 "reftriage: worklist: --changed-since '3x' is not a time: $TIME_FORMS (see 'reftriage worklist --help')"
	rt worklist --changed-since 5m
	expect_status 64
	rt worklist --changed-since '2026-11-03 25:00'
	expect_status 64
	expect_err_has "time of day is out of range"
}

# The documented nightly script and alert job (docs/nightly.md), paths made local.
doc_script() {
	python3 - "$TOP/docs/nightly.md" "$1" "$WORK" <<'PY'
import re, sys
doc, name, work = sys.argv[1:4]
blocks = re.findall(r"```sh\n(.*?)```", open(doc).read(), re.S)
body = [b for b in blocks if ("# /usr/local/sbin/" + name + ":") in b]
if not body and name == "reftriage-alert":
    # Before issue 27 the job was a crontab line: its command is the job.
    body = [l.split("reftriage  ", 1)[1] for l in open(doc) if "reftriage  reftriage alert" in l]
assert len(body) == 1, name
s = body[0].replace("/tmp/due.txt", work + "/due.txt")
for a, b in [("/var/lib/reftriage/store.db", work + "/store.db"), ("/var/log/reftriage", work + "/log"),
             ("/srv/referrals/incoming", work + "/in"), ("/srv/reftriage", work + "/out")]:
    s = s.replace(a, b)
print(s)
PY
}

@test "the documented nightly job prints nothing on a quiet night (cron mails only news)" {
	init_store
	mkdir -p "$WORK/log" "$WORK/in" "$WORK/out"
	cp "$SAMPLES/referrals-2026-11-02.csv" "$WORK/in/"
	mkdir -p "$WORK/bin" && ln -s "$RT" "$WORK/bin/reftriage"
	export PATH="$WORK/bin:$PATH"
	doc_script reftriage-nightly >"$WORK/nightly"
	run sh "$WORK/nightly"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "status $status, printed: $output"; false; }
	# The second night: nothing new, still silent; the list is written each night.
	run sh "$WORK/nightly"
	[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "status $status, printed: $output"; false; }
	ls "$WORK/out"/daily-*.html >/dev/null
}

@test "the documented alert job mails what is due, nothing when nothing is, and a failure as a failure" {
	mkdir -p "$WORK/bin"
	# A stand-in mailer: records the subject and the body.
	cat >"$WORK/bin/mail" <<-'EOF'
	#!/bin/sh
	echo "subject: $2" >>"$MAILBOX"
	cat >>"$MAILBOX"
	EOF
	chmod +x "$WORK/bin/mail"
	ln -s "$RT" "$WORK/bin/reftriage"
	export MAILBOX="$WORK/mailbox" PATH="$WORK/bin:$PATH"
	doc_script reftriage-alert >"$WORK/alert"
	# No store (78): a failure, never an empty "referrals due".
	REFTRIAGE_DB="$WORK/none.db" sh "$WORK/alert"
	grep -q '^subject: reftriage alert FAILED (exit 78)' "$MAILBOX"
	grep -q 'no store here' "$MAILBOX"
	if grep -q 'referrals due' "$MAILBOX"; then false; fi
	rm "$MAILBOX"
	# Something due: mailed with the list.
	day_store
	sh "$WORK/alert"
	grep -q '^subject: referrals due within 4 h' "$MAILBOX"
	grep -q 'SYN-20261102-0006' "$MAILBOX"
	rm "$MAILBOX"
	# Nothing due (all closed): no mail at all.
	for r in $(sql "SELECT ref FROM packages"); do "$RT" status "$r" actioned 2>/dev/null; done
	sh "$WORK/alert"
	[ ! -e "$MAILBOX" ]
}
