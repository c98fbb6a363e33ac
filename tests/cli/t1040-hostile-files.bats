#!/usr/bin/env bats
# Hostile files around the data: an output target that is a device or a FIFO,
# key files that are FIFOs, links, someone else's or not keys at all, outcome
# files with NUL bytes or bare CR line ends, signed numbers where none is
# allowed, and a store directory its user cannot write to (issue 24, items 5,
# 6 and 9). Each is refused at once with a message that says why, the right
# exit code, and nothing written or recorded.

load helper

# rt with a time limit: a reader that blocks on a FIFO fails (124) instead of hanging.
rt_t() {
	local errf="$WORK/.stderr"
	set +e
	output="$(timeout 10 "$RT" "$@" 2>"$errf")"
	status=$?
	set -e
	err="$(cat "$errf")"
	err1="$(head -n 1 "$errf")"
}

# A character device of our own in the test's directory (never the real /dev/null).
make_node() {
	mknod "$1" c 1 3 2>/dev/null || return 1
}

packages() { sql 'SELECT count(*) FROM packages'; }
outcomes() { sql 'SELECT count(*) FROM outcomes'; }

# --- 5. -o never replaces what is not a regular file ----------------------

@test "-o refuses a FIFO, a device node, a directory and a link: 73, the node kept, nothing written" {
	init_store
	mkfifo "$WORK/fifo"
	rt_t report -o "$WORK/fifo"
	expect_status 73
	expect_err1 "reftriage: $WORK/fifo: refused: it is a FIFO (named pipe), not a regular file; reftriage replaces only regular files ('-o -' writes to standard output)"
	[ -p "$WORK/fifo" ]
	rt_t worklist --format csv --output "$WORK/fifo"
	expect_status 73
	[ -p "$WORK/fifo" ]
	mkdir "$WORK/dir"
	rt report -o "$WORK/dir"
	expect_status 73
	expect_err_has "it is a directory, not a regular file"
	[ -d "$WORK/dir" ] && [ -z "$(ls -A "$WORK/dir")" ]
	echo "the real list" >"$WORK/target"
	ln -s "$WORK/target" "$WORK/link"
	rt report -o "$WORK/link"
	expect_status 73
	expect_err_has "it is a symbolic link, not a regular file"
	[ -L "$WORK/link" ] && [ "$(cat "$WORK/target")" = "the real list" ]
	# No temporary file was left beside any of them.
	[ -z "$(ls -A "$WORK" | grep '\.tmp-')" ]
	# A regular file is still replaced, and '-o -' is standard output.
	rt report -o "$WORK/target"
	expect_status 0
	[ "$(cat "$WORK/target")" != "the real list" ] && [ -f "$WORK/target" ]
	rt report -o -
	expect_status 0
	expect_out_has "report"
	if ! make_node "$WORK/null"; then
		skip "mknod failed (not root, or no device nodes here): the device case is not tested"
	fi
	rt report -o "$WORK/null"
	expect_status 73
	expect_err1 "reftriage: $WORK/null: refused: it is a character device, not a regular file; reftriage replaces only regular files ('-o -' writes to standard output)"
	[ -c "$WORK/null" ] && [ "$(stat -c '%t,%T' "$WORK/null")" = "1,3" ]
}
