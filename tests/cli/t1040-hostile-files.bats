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

# --- 6. key files: regular, the user's own, private, and keys -------------

@test "a token key that is a FIFO is refused at once (78), not read for ever" {
	init_store
	mkfifo "$WORK/key.fifo"
	rt_t import --token-key "$WORK/key.fifo" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/key.fifo: refused: it is a FIFO (named pipe); the token key must be a regular file"
	REFTRIAGE_TOKEN_KEY="$WORK/key.fifo" rt_t import "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	[ "$(packages)" = 0 ]
}

@test "a token key that is a directory, a link or a device is refused (78); nothing imported" {
	init_store
	python3 -c 'print(bytes(range(32)).hex())' >"$WORK/key"
	chmod 600 "$WORK/key"
	mkdir "$WORK/keydir"
	rt import --token-key "$WORK/keydir" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/keydir: refused: it is a directory; the token key must be a regular file"
	ln -s "$WORK/key" "$WORK/key.link"
	rt import --token-key "$WORK/key.link" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/key.link: refused: it is a symbolic link; the token key must be a regular file (name the file itself, not a link to it)"
	[ "$(packages)" = 0 ]
	# The file itself is a key.
	rt import --token-key "$WORK/key" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 0
	make_node "$WORK/key.node" || skip "mknod failed: the device case is not tested"
	rt_t import --token-key "$WORK/key.node" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/key.node: refused: it is a character device; the token key must be a regular file"
}

@test "a token key owned by another user is refused (78), even for root" {
	[ "$(id -u)" = 0 ] || skip "needs root to give a file to another user"
	init_store
	python3 -c 'print(bytes(range(32)).hex())' >"$WORK/key"
	chmod 600 "$WORK/key"
	chown nobody "$WORK/key"
	rt import --token-key "$WORK/key" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/key: refused: the token key belongs to another user (uid $(id -u nobody)), not to you (uid 0); use a key file of your own"
	[ "$(packages)" = 0 ]
	# The same for a signing key.
	rt keygen --output "$WORK/k" --unencrypted
	chown nobody "$WORK/k.key"
	rt worklist --output "$WORK/l.csv" --sign "$WORK/k.key"
	expect_status 78
	expect_err_has "the secret key belongs to another user"
	[ ! -e "$WORK/l.csv" ]
}

@test "a token key file that is not 64 hex digits is a configuration error (78) that never shows it" {
	init_store
	good=$(python3 -c 'print(bytes(range(32)).hex())')
	check() { # $1 the reason in the message; the key file's content is on stdin
		cat >"$WORK/bad.key"
		chmod 600 "$WORK/bad.key"
		rt import --token-key "$WORK/bad.key" "$SAMPLES/referrals-2026-11-02.csv"
		expect_status 78
		expect_err1 "reftriage: $WORK/bad.key: not a token key ($1; a token key is 64 hex digits, as 'reftriage keygen --token-key FILE' writes)"
		[ "$(packages)" = 0 ]
	}
	printf '' | check "empty"
	printf ' \n\n' | check "empty"
	printf '%s\n' "${good:0:63}" | check "too short: 63 hex digits"
	printf '%s\n' "${good}00" | check "too long: 66 hex digits"
	printf 'zz%s\n' "${good:2}" | check "holds a character that is not a hex digit"
	printf '%s %s\n' "${good:0:32}" "${good:32}" | check "more than one word"
	[[ "$err" != *"${good:0:10}"* ]]
	# A NUL byte would hide what follows it; a file far too big is no key either.
	printf '%s\n\0trailing' "$good" >"$WORK/bad.key"
	rt import --token-key "$WORK/bad.key" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/bad.key: holds a NUL byte: not a token key"
	head -c 4096 /dev/zero | tr '\0' a >"$WORK/bad.key"
	rt import --token-key "$WORK/bad.key" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 78
	expect_err1 "reftriage: $WORK/bad.key: too large to be a token key"
	[ "$(packages)" = 0 ]
	# White space around the digits is still fine.
	printf '  %s  \r\n' "$good" >"$WORK/bad.key"
	rt import --token-key "$WORK/bad.key" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 0
}

@test "a signing key, verify key or passphrase file that is a FIFO is refused at once" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	mkfifo "$WORK/fifo"
	rt_t worklist --output "$WORK/l.csv" --sign "$WORK/fifo"
	expect_status 78
	expect_err1 "reftriage: $WORK/fifo: refused: it is a FIFO (named pipe); the secret key must be a regular file"
	[ ! -e "$WORK/l.csv" ]
	rt_t import --verify-key "$WORK/fifo" "$SAMPLES/referrals-2026-11-02.csv"
	expect_status 66
	expect_err1 "reftriage: $WORK/fifo: refused: it is a FIFO (named pipe); the public key must be a regular file"
	rt_t keygen --output "$WORK/e" --passphrase-file "$WORK/fifo"
	expect_status 78
	expect_err_has "a passphrase file must be a regular file"
	[ ! -e "$WORK/e.key" ]
	# A link to a signing key is refused too: a key is named by its own file.
	rt keygen --output "$WORK/k" --unencrypted
	ln -s "$WORK/k.key" "$WORK/k.link"
	rt worklist --output "$WORK/l.csv" --sign "$WORK/k.link"
	expect_status 78
	expect_err_has "it is a symbolic link; the secret key must be a regular file"
	[ ! -e "$WORK/l.csv" ]
}

# --- 9. outcome files, signed numbers, a read-only store directory --------

@test "outcome import: a NUL byte is a bad line naming FILE:LINE and the column; nothing recorded" {
	bt_packages
	printf 'package_ref,code,date,note\nBT-02,arrest,2026-11-01,\nBT-01\0X,arrest,2026-11-01,\nBT-03,charged,2026-11-02,\nBT-04,charged,2026-11-02,"a note\0hidden"\n' >"$WORK/nul.csv"
	rt outcome import "$WORK/nul.csv"
	expect_status 65
	expect_err1 "reftriage: $WORK/nul.csv:3: package_ref: has a NUL byte at byte 6"
	expect_err_has "reftriage: $WORK/nul.csv:5: note: has a NUL byte at byte 7"
	expect_err_has "nothing was recorded"
	[ "$(outcomes)" = 0 ]
	# In the header too: "package_ref<NUL>x" is not the package_ref column.
	printf 'package_ref\0x,code,date\nBT-01,arrest,2026-11-01\n' >"$WORK/nulh.csv"
	rt outcome import "$WORK/nulh.csv"
	expect_status 65
	expect_err1 "reftriage: $WORK/nulh.csv:1: header: has a NUL byte at byte 12 of a column name"
	[ "$(outcomes)" = 0 ]
}

@test "outcome import: bare CR line ends are refused as package CSV refuses them; CRLF is fine" {
	bt_packages
	printf 'package_ref,code,date\rBT-02,arrest,2026-11-01\rBT-03,charged,2026-11-02\r' >"$WORK/mac.csv"
	rt outcome import "$WORK/mac.csv"
	expect_status 65
	expect_err1 "reftriage: $WORK/mac.csv:1: record: a carriage return (CR) outside quotes inside the record; line ends must be LF or CRLF"
	[ "$(outcomes)" = 0 ]
	# One stray CR after good lines: still nothing recorded.
	printf 'package_ref,code,date\nBT-02,arrest,2026-11-01\nBT-03,charged,2026-11-02\rBT-04,charged,2026-11-02\n' >"$WORK/stray.csv"
	rt outcome import "$WORK/stray.csv"
	expect_status 65
	expect_err1 "reftriage: $WORK/stray.csv:3: record: a carriage return (CR) outside quotes inside the record; line ends must be LF or CRLF"
	[ "$(outcomes)" = 0 ]
	printf 'package_ref,code,date\r\nBT-02,arrest,2026-11-01\r\n\r\nBT-03,charged,2026-11-02\r\n' >"$WORK/dos.csv"
	rt outcome import "$WORK/dos.csv"
	expect_status 0
	[ "$(outcomes)" = 2 ]
}

@test "-0, +N and ' N' are refused where no sign is allowed; nothing recorded" {
	bt_packages
	refused() {
		rt "$@"
		expect_status 64
		expect_err_has "takes"
	}
	refused worklist --limit -0
	expect_err1 "reftriage: worklist: --limit takes a whole number from 1 to 9223372036854775807, not '-0' (see 'reftriage worklist --help')"
	refused worklist -n +5
	refused worklist --limit ' 5'
	refused alert --within -0
	refused alert --within +24
	refused worklist --stale-after -0
	refused worklist --stale-after +1
	refused outcome BT-01 safeguarded --count -0
	refused outcome BT-01 safeguarded --count +2
	refused stats --wait -0
	refused show BT-01 --diff --versions +1,2
	expect_err1 "reftriage: show: --versions takes two different version numbers, A,B (as 1,2), not '+1,2' (see 'reftriage show --help')"
	refused show BT-01 --diff --versions 1,-0
	rt quarantine show +1
	expect_status 64
	expect_err1 "reftriage: quarantine show: ID is a number from 1, not '+1' (see 'reftriage quarantine show --help')"
	[ "$(outcomes)" = 0 ]
	rt worklist --limit 5
	expect_status 0
	# In a package file, a count of "-0" is rejected (data-contract.md), the record quarantined.
	printf 'package_ref,received_at,source,referral_type,images_cat_a\nNEG-1,2026-11-02T08:00:00Z,CEOP,grooming,-0\n' >"$WORK/neg.csv"
	rt import "$WORK/neg.csv"
	expect_status 65
	expect_err_has "images_cat_a: \"-0\" has a minus sign (expected a whole number, 0 or more)"
	[ "$(packages)" = 12 ]
}

@test "a store directory its user cannot write to: the message says write access to it is missing" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as another user"
	command -v setpriv >/dev/null || skip "no setpriv: cannot run as nobody"
	mkdir "$WORK/st"
	export REFTRIAGE_DB="$WORK/st/store.db"
	init_store
	chown -R nobody "$WORK/st"
	chmod 711 "$WORK"
	chmod 555 "$WORK/st"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups true ||
		skip "setpriv cannot switch to nobody here"
	run setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$RT" worklist
	[ "$status" = 78 ]
	[[ "$output" == "reftriage: $WORK/st: permission denied: you cannot write to the store's directory (reftriage needs write access to the directory to make SQLite's journal, the store's -wal and -shm files, beside the store); it is mode 0555, owner nobody (uid $(id -u nobody)), "*"; you are nobody (uid $(id -u nobody)), its owner" ]]
	# With write access back, its owner opens it.
	chmod 755 "$WORK/st"
	run setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$RT" worklist
	[ "$status" = 0 ]
}
