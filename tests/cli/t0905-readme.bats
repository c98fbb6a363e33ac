#!/usr/bin/env bats
# The README's commands, run in order, as printed, after 'make demo' on a
# fresh copy of the tree: a new user's first morning must not fail (issue 27).
#
# Every ```sh block of README.md is run, one command at a time, in one shell
# (so that the README's own 'export' holds for what follows), in a copy of
# the tracked files. A block right after a line
#   <!-- t0905-readme: not run: REASON -->
# is not run, and the test prints REASON. Within the blocks run:
# - 'make demo' installs packages as root (apt-get) and builds: the test runs
#   the demo's own last step, src/tools/demo.sh, with the binary under test
#   copied to build/reftriage, where make would have put it;
# - any other 'make' line builds, installs or runs suites: not run (said so);
# - a passphrase is asked on the terminal, which a test has none of: a
#   command that makes or uses a secret key gets --passphrase-file instead;
# - 'minisign' lines run only where minisign is installed.

load helper

# readme_script README DIR PW: the bash script of the README's commands.
readme_script() {
	python3 - "$1" "$2" "$3" <<'PY'
import re, shlex, sys
readme, top, pw = sys.argv[1:4]
lines = open(readme, encoding="utf-8").read().split("\n")
out = ["set -u", "cd %s || exit 99" % shlex.quote(top), "ran=0"]
blocks = 0
i = 0
prev = ""
while i < len(lines):
    line = lines[i]
    if line.strip() == "```sh":
        skip = re.match(r"<!-- t0905-readme: not run: (.*) -->", prev.strip())
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        blocks += 1
        if skip:
            out.append("echo %s" % shlex.quote("# not run: block %d: %s" % (blocks, skip.group(1))))
            continue
        cmds, cur = [], ""
        for b in body:
            if b.rstrip().endswith("\\"):
                cur += b.rstrip()[:-1] + " "
                continue
            cur += b
            if cur.strip() and not cur.strip().startswith("#"):
                cmds.append(cur.strip())
            cur = ""
        for c in cmds:
            if re.match(r"make demo\b", c):
                run = "sh src/tools/demo.sh build/reftriage >/dev/null"
                out.append("echo %s" % shlex.quote("# make demo: run as src/tools/demo.sh with the binary under test (make itself installs packages as root and builds)"))
            elif c.startswith("make "):
                out.append("echo %s" % shlex.quote("# not run: " + c + " (builds, installs or runs the suites)"))
                continue
            else:
                # The command without its comment (the README puts no '#' in a value).
                run = re.sub(r"\s+#\s.*$", "", c)
                if re.search(r"reftriage keygen --output|--key |--sign ", run):
                    run += " --passphrase-file " + shlex.quote(pw)
                if c.startswith("minisign "):
                    run = "if command -v minisign >/dev/null; then %s; else echo '# not run: minisign is not installed'; fi" % run
            out.append("echo %s >&2" % shlex.quote("+ " + c))
            out.append(run)
            out.append("rc=$?; if [ $rc -ne 0 ]; then echo %s \"exit $rc\" >&2; exit 1; fi; ran=$((ran + 1))"
                       % shlex.quote("README command failed: " + c + ":"))
    prev = line if line.strip() else prev
    i += 1
out.append('echo "ran $ran README commands"')
print("\n".join(out))
PY
}

@test "the README's commands, run in order after make demo on a fresh tree, all succeed" {
	git -C "$TOP" rev-parse --git-dir >/dev/null 2>&1 || skip "not a git checkout: the tracked files are the fresh tree"
	mkdir "$WORK/tree"
	(cd "$TOP" && git ls-files -z | xargs -0 cp --parents -t "$WORK/tree")
	[ ! -e "$WORK/tree/build" ]
	mkdir "$WORK/tree/build"
	cp "$RT" "$WORK/tree/build/reftriage"
	printf 'correct horse battery staple\n' >"$WORK/pw"
	chmod 600 "$WORK/pw"
	readme_script "$TOP/README.md" "$WORK/tree" "$WORK/pw" >"$WORK/readme.sh"
	# A fresh shell: no store or operator from the test's own setup.
	unset REFTRIAGE_DB
	run env -u REFTRIAGE_DB bash "$WORK/readme.sh"
	echo "$output" | grep '^# not run' >&3 || true
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# The morning's commands did run: the demo, the worklist, the status changes.
	n=$(echo "$output" | sed -n 's/^ran \([0-9]*\) README commands$/\1/p')
	[ "$n" -ge 15 ] || { echo "$output"; false; }
	[ "$(sqlite3 "$WORK/tree/build/demo.db" "SELECT status FROM packages WHERE ref = 'SYN-20261102-0001'")" = actioned ]
	[ -s "$WORK/tree/daily.html" ] && [ -s "$WORK/tree/disclosure.html.minisig" ]
}

@test "the README shows no reference the demo's data does not hold" {
	init_store
	"$RT" import "$SAMPLES/referrals-2026-11-02.csv" 2>/dev/null
	for ref in $(grep -o '\bSYN-[0-9]*-[0-9]*\b\|\bCEOP-[0-9]*-[0-9]*\b' "$TOP/README.md" | sort -u); do
		rt show "$ref"
		[ "$status" -eq 0 ] || { echo "README names $ref: not in the demo's data"; false; }
	done
}
