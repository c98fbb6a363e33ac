#!/bin/sh
# Run every test suite against each build directory named, even when one
# fails, and end with one line that sums them all: "N passed, N failed".
# Suites: each cmocka unit-test binary (TAP output) and the bats CLI tests.
# A suite that dies without reporting (a sanitizer abort, say) counts as a failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # $1 = suite name; reads TAP in $log; $2 = exit status
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "# $1: exited $2 without reporting a failed test; counted as one failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "# $1: $p passed, $f failed"
}

cd "$top" || exit 1 # the fuzz replays read tests/fuzz/ from here
for build in "$@"; do
	echo "# ==== $build"
	for t in "$top/$build"/tests/test_*; do
		[ -x "$t" ] || continue
		name="$build/$(basename "$t")"
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
		st=$?
		grep -v '^ok ' "$log" | grep -v '^#' | grep -v '^1\.\.' | sed 's/^/  /'
		count "$name" "$st"
	done
	RT="$top/$build/reftriage" bats --tap "$top/tests/cli" >"$log" 2>&1
	st=$?
	grep -v '^ok ' "$log" | grep -v '^1\.\.' | sed 's/^/  /'
	count "$build/cli (bats)" "$st"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
