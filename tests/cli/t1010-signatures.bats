#!/usr/bin/env bats
# Signatures in minisign's formats, checked against the real minisign binary
# (Debian's package): both directions, every way a signed file can be bad,
# and the hygiene of secret keys.

load helper

setup_file() {
	command -v minisign >/dev/null || {
		echo "minisign is not installed (make deps installs it)" >&2
		return 1
	}
}

# A package file, signed by minisign with an unencrypted minisign key.
signed_input() {
	minisign -G -W -p force.pub -s force.key >/dev/null
	cp "$SAMPLES/referrals-2026-11-02.csv" in.csv
	minisign -S -s force.key -m in.csv -t "CEOP batch 2026-11-02" >/dev/null
}

@test "keygen writes minisign keys, 0600, and never overwrites one" {
	rt keygen --output k --unencrypted
	expect_status 0
	expect_err_has "(NOT encrypted)"
	[ "$(stat -c %a k.key)" = 600 ]
	[ "$(stat -c %a k.pub)" = 600 ]
	[[ "$(head -1 k.pub)" == "untrusted comment: minisign public key "* ]]
	rt keygen --output k --unencrypted
	expect_status 73
	expect_err_has "already exists"
	rt keygen
	expect_status 64
	rt keygen --output x --unencrypted --passphrase-file pw
	expect_status 64
}

@test "our key and signature work with minisign, and minisign's with ours" {
	rt keygen --output ours --unencrypted
	echo "a file" >f.txt
	# minisign signs with our secret key; we read its signature's format back.
	minisign -S -s ours.key -m f.txt >/dev/null
	minisign -Vm f.txt -p ours.pub >/dev/null
	# minisign's public key verifies what our secret key signs (worklist --sign).
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	minisign -G -W -p theirs.pub -s theirs.key >/dev/null
	chmod 600 theirs.key
	rt worklist --output list.csv --sign theirs.key
	expect_status 0
	[ -f list.csv.minisig ]
	[ "$(stat -c %a list.csv.minisig)" = 600 ]
	run minisign -Vm list.csv -p theirs.pub
	[ "$status" -eq 0 ]
	[[ "$output" == *"file:list.csv"*"reftriage worklist"* ]]
	# And with our own key pair.
	rt worklist --output list2.html --format html --sign ours.key
	expect_status 0
	minisign -Vm list2.html -p ours.pub >/dev/null
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'export' AND details LIKE '%signed_by%'")" = 2 ]
}

@test "encrypted keys: ours opens in minisign with the passphrase, minisign's in ours" {
	printf 'correct horse battery\n' >pw
	chmod 600 pw
	rt keygen --output enc --passphrase-file pw
	expect_status 0
	[[ "$(head -1 enc.key)" == "untrusted comment: minisign encrypted secret key" ]]
	echo "a file" >f.txt
	printf 'correct horse battery\n' | minisign -S -s enc.key -m f.txt >/dev/null
	minisign -Vm f.txt -p enc.pub >/dev/null
	printf 'another one\nanother one\n' | minisign -G -p m.pub -s m.key >/dev/null 2>&1
	printf 'another one\n' >pw2
	chmod 600 pw2
	init_store
	rt audit checkpoint --key m.key --passphrase-file pw2 --output cp
	expect_status 0
	minisign -Vm cp -p m.pub >/dev/null
	printf 'wrong\n' >bad
	chmod 600 bad
	rt audit checkpoint --key m.key --passphrase-file bad --output cp2
	expect_status 65
	expect_err1 "reftriage: m.key: wrong passphrase for this key"
	[ ! -e cp2 ]
}

@test "an encrypted key with no terminal and no passphrase file is a clear usage error" {
	printf 'pw pw pw\n' >pw
	chmod 600 pw
	"$RT" keygen --output enc --passphrase-file pw 2>/dev/null
	init_store
	run setsid "$RT" audit checkpoint --key enc.key --output cp </dev/null
	[ "$status" -eq 64 ]
	[[ "$output" == *"no terminal to ask on; name a file holding it with --passphrase-file"* ]]
}

@test "import --verify-key: a file minisign signed is imported; the trusted comment is recorded" {
	signed_input
	init_store
	rt import --verify-key force.pub in.csv
	expect_status 0
	[ "$(sql 'SELECT count(*) FROM packages')" = 60 ]
	[ "$(sql "SELECT json_extract(details, '$.trusted_comment') FROM audit WHERE action = 'import'")" = "CEOP batch 2026-11-02" ]
	# The key id (minisign 0.11 prints it without leading zeros).
	[ "$(sql "SELECT ltrim(json_extract(details, '$.signed_by'), '0') FROM audit WHERE action = 'import'")" = \
		"$(sed -n 's/.*public key 0*//p' force.pub)" ]
}

@test "import --verify-key refuses a file changed after signing" {
	signed_input
	init_store
	sed -i 's/Eastmoor/Westmoor/' in.csv
	rt import --verify-key force.pub in.csv
	expect_status 65
	expect_err1 "reftriage: in.csv: refused: the signature does not match the file (it was changed after signing, or the signature is forged)"
	[ "$(sql 'SELECT count(*) FROM packages')" = 0 ]
	[ "$(sql "SELECT count(*) FROM audit WHERE action = 'import'")" = 0 ]
}

@test "import --verify-key refuses a signature by another key" {
	signed_input
	minisign -G -W -p other.pub -s other.key >/dev/null
	init_store
	rt import --verify-key other.pub in.csv
	expect_status 65
	expect_err_has "in.csv.minisig: refused: signed by key"
	expect_err_has "not by the trusted key"
	expect_err_has "$(sed -n 's/.*public key //p' other.pub)" # minisign 0.11 drops leading zeros
	[ "$(sql 'SELECT count(*) FROM packages')" = 0 ]
}

@test "import --verify-key refuses a missing or malformed .minisig, and keeps going" {
	signed_input
	init_store
	cp in.csv nosig.csv
	sed -i 's/SYN-/NOS-/' nosig.csv
	rt import --verify-key force.pub nosig.csv
	expect_status 65
	expect_err1 "reftriage: nosig.csv: refused: no signature nosig.csv.minisig beside it (--verify-key needs every file signed)"
	for bad in garbage short comment; do
		cp in.csv "$bad.csv"
		case $bad in
		garbage) echo "not a signature" >"$bad.csv.minisig" ;;
		short) head -2 in.csv.minisig >"$bad.csv.minisig" ;;
		comment) sed 's/^trusted comment: .*/trusted comment: forged/' in.csv.minisig >"$bad.csv.minisig" ;;
		esac
		rt import --verify-key force.pub "$bad.csv"
		expect_status 65
		case $bad in
		garbage) expect_err_has "refused: not a minisign signature" ;;
		short) expect_err_has "the third line is not a trusted comment" ;;
		comment) expect_err_has "refused: the trusted comment was changed after signing" ;;
		esac
	done
	[ "$(sql 'SELECT count(*) FROM packages')" = 0 ]
	# One bad file does not stop the good ones.
	rt import --verify-key force.pub garbage.csv in.csv
	expect_status 65
	[ "$(sql 'SELECT count(*) FROM packages')" = 60 ]
	rt import --verify-key force.pub - --format csv
	expect_status 64
	rt import --verify-key nonexistent.pub in.csv
	expect_status 66
}

@test "a legacy (not prehashed) minisign signature is refused with a hint" {
	minisign -G -W -p force.pub -s force.key >/dev/null
	cp "$SAMPLES/referrals-2026-11-02.csv" in.csv
	minisign -S -l -s force.key -m in.csv >/dev/null
	init_store
	rt import --verify-key force.pub in.csv
	expect_status 65
	expect_err_has "a legacy (not prehashed) signature"
}

@test "a secret key or passphrase file others can read is refused; a readable store warned of" {
	rt keygen --output k --unencrypted
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	chmod 640 k.key
	rt worklist --output l.csv --sign k.key
	expect_status 78
	expect_err1 "reftriage: k.key: refused: the secret key may be read by its group (mode 0640); make it private with 'chmod 600 k.key'"
	[ ! -e l.csv ]
	chmod 604 k.key
	rt audit checkpoint --key k.key --output cp
	expect_status 78
	expect_err_has "may be read by anyone"
	printf 'pw pw pw\n' >pw
	chmod 644 pw
	rt keygen --output e --passphrase-file pw
	expect_status 78
	expect_err_has "a passphrase file must be a regular file only its owner can read"
	[ ! -e e.key ]
	chmod 644 "$REFTRIAGE_DB"
	rt stats
	expect_status 0
	expect_err1 "reftriage: warning: $REFTRIAGE_DB: the store may be read by anyone (mode 0644): it holds OFFICIAL-SENSITIVE referrals; make it private with 'chmod 600 $REFTRIAGE_DB'"
}

@test "every file reftriage creates is 0600" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	"$RT" keygen --output k --unencrypted 2>/dev/null
	"$RT" worklist --output l.csv --sign k.key 2>/dev/null
	"$RT" audit checkpoint --key k.key --output cp >/dev/null 2>&1
	for f in store.db store.db-wal k.key k.pub l.csv l.csv.minisig cp cp.minisig; do
		[ ! -e "$f" ] || [ "$(stat -c %a "$f")" = 600 ] || { ls -l "$f"; false; }
	done
}

@test "a passphrase is asked for on the terminal, without echo, twice; no core dumps meanwhile" {
	python3 - "$RT" <<'EOF2'
import os, pty, resource, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    # Allow core dumps, so that turning them off is seen.
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    os.execv(sys.argv[1], [sys.argv[1], "keygen", "--output", "tty"])
seen = b""
def until(word):
    global seen
    end = time.time() + 60
    while word not in seen and time.time() < end:
        if not select.select([fd], [], [], 1)[0]:
            continue
        try:
            seen += os.read(fd, 1024)
        except OSError:
            break
    if word not in seen:
        os.kill(pid, 9)
    assert word in seen, seen
until(b"Passphrase for the new key: ")
# While key material is in memory the process may not dump core.
limits = open("/proc/%d/limits" % pid).read()
core = [l for l in limits.splitlines() if l.startswith("Max core file size")][0].split()
assert core[4] == "0", core
os.write(fd, b"tty-secret-1\n")
until(b"The same again: ")
os.write(fd, b"tty-secret-1\n")
until(b"(encrypted)")
_, st = os.waitpid(pid, 0)
assert os.WEXITSTATUS(st) == 0, seen
assert b"tty-secret-1" not in seen, seen  # never echoed
EOF2
	[[ "$(head -1 tty.key)" == "untrusted comment: minisign encrypted secret key" ]]
	echo "a file" >f.txt
	printf 'tty-secret-1\n' | minisign -S -s tty.key -m f.txt >/dev/null
	minisign -Vm f.txt -p tty.pub >/dev/null
}
