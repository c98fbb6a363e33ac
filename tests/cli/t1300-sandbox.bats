#!/usr/bin/env bats
# The process cannot reach the network (docs/security.md): once main() has
# installed its seccomp filter, socket() fails with EACCES for every address
# family but AF_UNIX and execve fails. The probe (tests/fault/netprobe.c,
# LD_PRELOAD) tries each from inside the process, after the filter.

load helper

PROBE="$(dirname "$RT")/tests/libnetprobe.so"

probe() {
	# An ASan build wants its runtime first; the probe does not need to come after it.
	ASAN_OPTIONS=verify_asan_link_order=0 NETPROBE_OUT="$WORK/probe" LD_PRELOAD="$PROBE" \
		"$RT" "$@" >/dev/null 2>"$WORK/probe.err"
}

@test "after start-up a filter is in place: no socket but AF_UNIX, no execve" {
	[ -f "$PROBE" ] || skip "the probe is built by make unit-bins"
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	probe worklist --limit 3
	cat "$WORK/probe"
	grep -qx 'seccomp=2' "$WORK/probe"
	grep -qx 'inet=EACCES' "$WORK/probe"
	grep -qx 'inet6=EACCES' "$WORK/probe"
	grep -qx 'netlink=EACCES' "$WORK/probe"
	grep -qx 'unix=ok' "$WORK/probe"
	grep -qx 'exec=EACCES' "$WORK/probe"
}

@test "the filter is in before any command runs, --version and a bad command line too" {
	[ -f "$PROBE" ] || skip "the probe is built by make unit-bins"
	for args in "--version" "no-such-verb" "import --help"; do
		rm -f "$WORK/probe"
		# shellcheck disable=SC2086
		probe $args || true
		grep -qx 'seccomp=2' "$WORK/probe" || { echo "$args: $(cat "$WORK/probe")"; false; }
		grep -qx 'inet=EACCES' "$WORK/probe" || { echo "$args: $(cat "$WORK/probe")"; false; }
	done
}

@test "the login name is still the default operator (resolved before the filter)" {
	unset REFTRIAGE_OPERATOR
	init_store
	rt audit log --format json
	expect_status 0
	me=$(id -un)
	[[ "$output" == *"\"operator\":\"$me\""* ]] || { echo "$output"; false; }
}

@test "--help says that reftriage never uses the network" {
	rt --help
	expect_status 0
	[[ "$output" == *"reftriage never uses the network"* ]]
	[[ "$output" == *"seccomp filter"* ]]
}
