#!/bin/sh
# Run every test suite against each build directory named, even when one
# fails, and end with one line that sums them all: "N passed, N failed".
#
# Suites: each cmocka unit-test binary and fuzz-corpus replay in BUILD/tests/
# (TAP output), and each bats file in tests/cli/ run against BUILD/reftriage.
# They run JOBS at a time (default: the number of processors), each writing
# its own log; only when all are done are the logs counted and printed, in a
# fixed order, so parallel output never interleaves. A bats file with a line
# "# serial: <why>" runs alone, after the others.
#
# A suite that dies without reporting (a sanitizer abort, say), that reports
# fewer tests than its plan announced, or that never ran, counts as a failure.
#
#   sh tests/run-suites.sh build build/asan
#   JOBS=1 sh tests/run-suites.sh build       one suite at a time
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1 # the fuzz replays read tests/fuzz/ from here

# Where a suite's log and status go: one pair of files per (build, suite).
logname() { # $1 = log directory, $2 = build, $3 = suite
	echo "$1/$(echo "$2/$3" | tr / %)"
}

# Run one suite: xargs calls this script back as "--one LOGDIR BUILD SUITE".
# The status file holds the exit status and seconds taken; its absence means
# the suite never finished.
if [ "${1:-}" = --one ]; then
	log=$(logname "$2" "$3" "$4")
	start=$(date +%s)
	case $4 in
	*.bats) RT="$top/$3/reftriage" bats --tap "$4" >"$log.out" 2>&1 ;;
	*) CMOCKA_MESSAGE_OUTPUT=TAP "$3/$4" >"$log.out" 2>&1 ;;
	esac
	st=$?
	echo "$st $(($(date +%s) - start))" >"$log.rc"
	echo "# ran $3 $4: exit $st, $(($(date +%s) - start))s"
	exit 0
fi

jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
trap 'exit 130' INT TERM
passed=0
failed=0

# The bats files that take longest (scrypt in t1010, a 100,000-package import
# killed five times in t0120, three 50,000-package imports in t0100, the
# fault matrix in t0130), started first so that no long one starts last.
# Only a hint for speed: a name missing here or gone from tests/cli/ is fine.
long="t1010-signatures t0120-import-concurrency t0100-import t0130-faults t0600-worklist"

# The suites, as "BUILD SUITE" lines. The bats files come first, each for
# every build in turn, the long ones first; the short unit binaries fill the
# gaps at the end.
bats_files() {
	for l in $long; do
		[ -f "tests/cli/$l.bats" ] && echo "tests/cli/$l.bats"
	done
	for f in tests/cli/*.bats; do
		case " $long " in *" $(basename "$f" .bats) "*) ;; *) echo "$f" ;; esac
	done
}

list_suites() { # $1 = "parallel" or "serial"; builds in $builds
	for f in $(bats_files); do
		if grep -q '^# serial:' "$f"; then s=serial; else s=parallel; fi
		[ "$s" = "$1" ] || continue
		for b in $builds; do echo "$b $f"; done
	done
	[ "$1" = parallel ] || return 0
	for b in $builds; do
		for t in "$b"/tests/test_*; do
			[ -x "$t" ] && echo "$b ${t#"$b"/}"
		done
	done
}

count() { # $1 = build, $2 = suite; prints what failed, adds to the totals
	log=$(logname "$logs" "$1" "$2")
	name="$1/${2#tests/}"
	if [ ! -f "$log.rc" ]; then
		[ -f "$log.out" ] && sed 's/^/  /' "$log.out"
		echo "# $name: did not finish; counted as one failure"
		failed=$((failed + 1))
		return
	fi
	read -r st secs <"$log.rc"
	# Everything but the passes and the plan: failures, their output, stray
	# stderr (bats's "# " lines explain a failure; cmocka's are only a summary).
	case $2 in
	*.bats) grep -v '^ok ' "$log.out" | grep -v '^1\.\.' | sed 's/^/  /' ;;
	*) grep -v '^ok ' "$log.out" | grep -v '^#' | grep -v '^1\.\.' | sed 's/^/  /' ;;
	esac
	p=$(grep -c '^ok ' "$log.out")
	f=$(grep -c '^not ok ' "$log.out")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log.out" | awk '{ n += $1 } END { print n + 0 }')
	if [ "$((p + f))" -lt "$plan" ]; then
		echo "# $name: planned $plan tests, reported $((p + f)); the rest counted as failures"
		f=$((plan - p))
	fi
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $name: exited $st without reporting a failed test; counted as one failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "# $name: $p passed, $f failed (${secs}s)"
}

if [ $# -eq 0 ]; then
	echo "usage: sh tests/run-suites.sh BUILD..." >&2
	exit 64
fi
builds="$*"
for b in $builds; do
	[ -x "$b/reftriage" ] || echo "# $b/reftriage is missing: build it first (make BUILD=$b)"
done
# xargs gives up on the rest when a command it runs dies of a signal; the outer
# sh keeps the runner of a suite that killed its own parent from stopping them.
# shellcheck disable=SC2016 # expanded by the sh that xargs starts
one='sh "$0" --one "$@" || :'
list_suites parallel | xargs -n 2 -P "$jobs" sh -c "$one" "$top/tests/run-suites.sh" "$logs"
list_suites serial | xargs -n 2 -P 1 sh -c "$one" "$top/tests/run-suites.sh" "$logs"
for b in $builds; do
	echo "# ==== $b"
	for f in tests/cli/*.bats; do
		count "$b" "$f"
	done
	for t in "$b"/tests/test_*; do
		[ -x "$t" ] && count "$b" "${t#"$b"/}"
	done
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
