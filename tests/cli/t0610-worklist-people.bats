#!/usr/bin/env bats
# The worklist for people: the terminal table, filters, colour.

load helper

GOLDEN="$TOP/tests/data/golden"
# People read local times: the goldens are made in London's winter time.
export TZ=Europe/London

setup_store() {
	# The golden tables are UTF-8 (the override legend's arrows; ^ v otherwise).
	export LC_ALL=C.UTF-8
	# The list's time is pinned: overdue and staleness are judged at it.
	pin_clock 2026-11-03T08:00:00Z
	init_store
	"$RT" import --as-of 2026-11-03T08:00:00Z "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" --operator sgt.k assign SYN-20261102-0003 --to dc.ahmed 2>/dev/null
	"$RT" status SYN-20261102-0003 in_progress 2>/dev/null
	"$RT" assign SYN-20261102-0007 --to dc.lee 2>/dev/null
}

refs() { "$RT" worklist --format csv "$@" 2>/dev/null | tail -n +2 | cut -d, -f2 | tr '\n' ' '; }

@test "the table at 80, 120 and 200 columns matches its golden file" {
	setup_store
	for c in 80 120 200; do
		COLUMNS=$c "$RT" worklist --format table --limit 15 2>/dev/null >"$WORK/t$c.txt"
		diff "$WORK/t$c.txt" "$GOLDEN/worklist-table-$c.txt"
		# Every line fits the width (counting characters, not bytes).
		python3 -c 'import sys; w = int(sys.argv[2]); bad = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > w]; sys.exit("too wide: %r" % bad[0] if bad else 0)' "$WORK/t$c.txt" "$c"
	done
}

@test "the table is the default on a terminal, csv otherwise; colour only on a terminal without NO_COLOR" {
	setup_store
	out=$(script -qec "COLUMNS=120 '$RT' worklist --limit 3" /dev/null 2>&1)
	[[ "$out" == *"Worklist as of 2026-11-03 08:00 GMT - 3 of 60 open packages"* ]]
	[[ "$out" == *$'\e[1;31mP1'* ]]
	out=$(script -qec "NO_COLOR=1 COLUMNS=120 '$RT' worklist --limit 3" /dev/null 2>&1)
	[[ "$out" == *"Worklist as of"* ]]
	[[ "$out" != *$'\e['* ]]
	run "$RT" worklist --limit 3
	[[ "${lines[0]}" == "rank,package_ref,priority"* ]]
	[[ "$output" != *$'\e['* ]]
	COLUMNS=120 run "$RT" worklist --format table --limit 3
	[[ "$output" != *$'\e['* ]] # not a terminal: no colour even for the table
}

@test "each filter alone" {
	setup_store
	[ "$(refs --priority P2 | wc -w)" = "$(sql "SELECT count(*) FROM scores WHERE priority = 1")" ]
	[ "$(refs --status in_progress)" = "SYN-20261102-0003 " ]
	[ "$(refs --status assigned)" = "SYN-20261102-0007 " ]
	[ "$(refs --assigned-to dc.lee)" = "SYN-20261102-0007 " ]
	[ "$(refs --force-area Eastmoor | wc -w)" = "$(sql "SELECT count(*) FROM packages WHERE force_area = 'Eastmoor'")" ]
	since_us=$(( $(date -u -d 2026-11-02T13:00:00Z +%s) * 1000000 ))
	[ "$(refs --since 2026-11-02T13:00:00Z | wc -w)" = "$(sql "SELECT count(*) FROM packages WHERE received_at >= $since_us")" ]
	[ "$(refs --since 2026-11-03 | wc -w)" = 0 ]
	[ "$(refs --limit 2)" = "SYN-20261102-0001 SYN-20261102-0003 " ]
}

@test "filters combine" {
	setup_store
	[ "$(refs --priority P1 --status new,assigned --force-area Southmere)" = "SYN-20261102-0007 " ]
	[ "$(refs --priority P1,P2 --force-area Eastmoor --limit 2)" = "SYN-20261102-0001 SYN-20261102-0009 " ]
	[ "$(refs --priority P4 --assigned-to dc.lee)" = "" ]
	# The table's header counts what the filters select, of all open packages, and names the filters.
	COLUMNS=100 run "$RT" worklist --format table --priority P1
	[[ "${lines[0]}" == *" - $(sql "SELECT count(*) FROM scores WHERE priority = 0") of 60 open packages" ]] || { echo "${lines[0]}"; false; }
	[ "${lines[1]}" = "Filters: priority P1" ]
	COLUMNS=100 run "$RT" worklist --format table --priority P1,P2 --status new --force-area Eastmoor --limit 2
	[[ "${lines[0]}" == *" - 2 of 60 open packages" ]]
	[ "${lines[1]}" = "Filters: priority P1, P2; status new; force area Eastmoor; first 2" ]
	COLUMNS=100 run "$RT" worklist --format table
	[[ "${lines[0]}" == *" - 60 of 60 open packages" ]]
	[[ "${lines[1]}" == "Rules "* ]] # no filter, no filter line
}

@test "people read local times to the minute with the zone; machines read UTC" {
	setup_store
	COLUMNS=200 run "$RT" worklist --format table --limit 1
	[[ "${lines[0]}" == "Worklist as of 2026-11-03 08:00 GMT - "* ]]
	[[ "${lines[7]}" == *"  2026-11-03 13:13 GMT  "*"  2026-11-02 13:13 GMT  "* ]]
	TZ=America/New_York COLUMNS=200 run "$RT" worklist --format table --limit 1
	[[ "${lines[0]}" == "Worklist as of 2026-11-03 03:00 EST - "* ]]
	[[ "${lines[7]}" == *"  2026-11-03 08:13 EST  "* ]]
	TZ=UTC COLUMNS=200 run "$RT" worklist --format table --limit 1
	[[ "${lines[7]}" == *"  2026-11-03 13:13 UTC  "* ]]
	# csv and json stay UTC whatever TZ says.
	TZ=America/New_York run "$RT" worklist --format csv --limit 1
	[[ "${lines[1]}" == *",2026-11-02T13:13:00Z,2026-11-03T13:13:00Z,"* ]]
	TZ=America/New_York run "$RT" worklist --format json --limit 1
	[[ "$output" == *'"as_of":"2026-11-03T08:00:00Z"'* ]]
}

@test "filter mistakes are usage errors (64)" {
	setup_store
	rt worklist --priority P9
	expect_status 64
	expect_err1 "reftriage: worklist: --priority 'P9' is not a priority of the rules in use (P1, P2, P3 or P4) (see 'reftriage worklist --help')"
	rt worklist --status actioned
	expect_status 64
	expect_err1 "reftriage: worklist: --status 'actioned': the worklist holds open packages (new, assigned, in_progress, reopened, awaiting_info, transfer_pending); for closed ones: worklist --closed --status actioned (see 'reftriage worklist --help')"
	rt worklist --since last-week
	expect_status 64
}

@test "updated packages are marked in the table" {
	setup_store
	sed 's/^SYN-20261102-0003,\(.*\),38,/SYN-20261102-0003,\1,39,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	COLUMNS=120 run "$RT" worklist --format table --limit 3
	[[ "$output" == *"in_progress*"* ]]
}

@test "--force-area and --assigned-to match in any case; none selects packages without an area" {
	setup_store
	"$RT" assign SYN-20261102-0010 --to DS.Patel 2>/dev/null
	n=$(sql "SELECT count(*) FROM packages WHERE force_area = 'Northshire'")
	[ "$(refs --force-area northshire | wc -w)" = "$n" ]
	[ "$(refs --force-area NORTHSHIRE | wc -w)" = "$n" ]
	[ "$(refs --assigned-to ds.patel)" = "SYN-20261102-0010 " ]
	[ "$(refs --assigned-to DC.LEE)" = "SYN-20261102-0007 " ]
	# None of the samples lacks an area: an empty list, then the one that does.
	rt worklist --force-area none --format csv
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 1 ]
	printf 'package_ref,received_at,source,referral_type\nSYN-NOAREA,2026-11-02,CEOP,other\n' >"$WORK/noarea.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/noarea.csv" 2>/dev/null
	[ "$(refs --force-area none)" = "SYN-NOAREA " ]
	[ "$(refs --force-area None)" = "SYN-NOAREA " ]
	COLUMNS=200 rt worklist --format table --force-area none
	expect_out_has "no force area"
}

@test "a --force-area or --assigned-to that no package has is an error naming the nearest, not an empty list" {
	setup_store
	rt worklist --force-area Northshre
	expect_status 65
	[ -z "$output" ]
	expect_err1 "reftriage: $REFTRIAGE_DB: --force-area: no package in the store, open or closed, has the force area 'Northshre' (did you mean 'Northshire'?)"
	rt worklist --assigned-to dc.ahmad --format csv
	expect_status 65
	[ -z "$output" ]
	expect_err1 "reftriage: $REFTRIAGE_DB: --assigned-to: no package in the store, open or closed, is assigned to 'dc.ahmad' (did you mean 'dc.ahmed'?)"
	# Nothing near: no suggestion.
	rt worklist --force-area Atlantis
	expect_status 65
	expect_err1 "reftriage: $REFTRIAGE_DB: --force-area: no package in the store, open or closed, has the force area 'Atlantis'"
	# A closed package counts: its assignee gives an empty list, exit 0.
	"$RT" status SYN-20261102-0007 nfa --note "no offence disclosed (SYNTHETIC)" 2>/dev/null
	rt worklist --assigned-to DC.Lee --format csv
	expect_status 0
	[ "$(echo "$output" | wc -l)" = 1 ]
	expect_err_has "0 open packages"
}

@test "narrow terminals keep rank, ref, priority, due, status, assignee and the marks; WHY is cut first, then type and area" {
	setup_store
	# SYN-20261102-0003 updated while in progress (the * mark); several are overdue (!).
	sed 's/^SYN-20261102-0003,\(.*\),38,/SYN-20261102-0003,\1,39,/' "$SAMPLES/referrals-2026-11-02.csv" >"$WORK/v2.csv"
	"$RT" import --as-of 2026-11-03T08:00:00Z "$WORK/v2.csv" 2>/dev/null
	for c in 80 90 100 110 119 120 130 140 160 200; do
		COLUMNS=$c "$RT" worklist --format table --limit 5 2>/dev/null >"$WORK/t.txt"
		python3 - "$WORK/t.txt" "$c" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
width = int(sys.argv[2])
too_wide = [l for l in lines if len(l) > width]
assert not too_wide, "%d: too wide: %r" % (width, too_wide[0])
head = next(l for l in lines if l.lstrip().startswith("#  REF"))
titles = head.split()
for t in ["#", "REF", "PRI", "DUE", "STATUS", "ASSIGNED"]:
    assert t in titles, "%d: %s dropped: %r" % (width, t, head)
# WHY is cut before TYPE goes, TYPE goes before AREA.
if "TYPE" in titles:
    assert "AREA" in titles and "WHY" in titles, "%d: %r" % (width, head)
if "AREA" in titles:
    assert "WHY" in titles, "%d: %r" % (width, head)
rows = lines[lines.index(head) + 1:]
row = next(l for l in rows if "SYN-20261102-0003" in l)
assert "in_progress*" in row and "dc.ahmed" in row, "%d: %r" % (width, row)
assert any("GMT!" in l for l in rows), "%d: no overdue mark" % width
# The legend explains exactly the marks the table can show.
legend = next(l for l in lines if l.startswith("! overdue"))
assert "* updated" in legend, legend
PY
	done
}
