#!/usr/bin/env bats
# make install, the man page and the bash completion.

load helper

@test "make install puts the binary, man page, completion, schemas and default rules under DESTDIR" {
	run make -C "$TOP" --no-print-directory install DESTDIR="$WORK/root" PREFIX=/usr/local
	[ "$status" -eq 0 ]
	for f in bin/reftriage share/man/man1/reftriage.1 share/bash-completion/completions/reftriage \
		share/reftriage/rules/default.json share/reftriage/schemas/referral-package.schema.json \
		share/reftriage/schemas/rules.schema.json; do
		[ -f "$WORK/root/usr/local/$f" ] || { echo "missing $f"; false; }
	done
	"$WORK/root/usr/local/bin/reftriage" --version
}

@test "the man page renders without warnings and names every command" {
	run groff -man -Tutf8 -ww -z "$TOP/docs/reftriage.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	page=$(MANWIDTH=100 man -l "$TOP/docs/reftriage.1" 2>/dev/null)
	for c in init import rules score worklist show assign status stats quarantine; do
		[[ "$page" == *"       $c"* ]] || { echo "no $c"; false; }
	done
	[[ "$page" == *"EXIT STATUS"* ]]
}

@test "bash completion completes commands, sub-commands, options and states" {
	complete_words() {
		bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _reftriage; echo "${COMPREPLY[*]}"' _ "$TOP/src/cli/completion.bash" "$@"
	}
	[ "$(complete_words reftriage wo)" = "worklist" ]
	[ "$(complete_words reftriage rules "")" = "check install show" ]
	[ "$(complete_words reftriage status SYN-1 nf)" = "nfa" ]
	[ "$(complete_words reftriage worklist --format h)" = "html" ]
	[ "$(complete_words reftriage --db x.db import --st)" = "--strict" ]
	[ "$(complete_words reftriage --reason why au)" = "audit" ]
	[ "$(complete_words reftriage audit "")" = "log verify checkpoint" ]
	[ "$(complete_words reftriage audit verify --ch)" = "--checkpoint" ]
	[ "$(complete_words reftriage import --verify)" = "--verify-key" ]
	[ "$(complete_words reftriage purge --c)" = "--closed-before" ]
}
