#!/bin/sh
# Regenerate the README's and docs' terminal screenshots from the real
# binary: the demo's morning (3 November 2026, London), rendered at 80
# columns by headless Chromium. Usage: sh src/tools/screenshots.sh [BUILD]
# (default build; needs BUILD/tests/reftriage-testclock: make unit-bins).
set -eu
build=${1:-build}
rt=$build/tests/reftriage-testclock
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TZ=Europe/London REFTRIAGE_DB="$work/demo.db" REFTRIAGE_OPERATOR=sgt.k
REFTRIAGE_NOW=2026-11-03T07:55:00Z "$rt" init 2>/dev/null
REFTRIAGE_NOW=2026-11-03T07:55:00Z "$rt" import --as-of 2026-11-03T08:00:00Z \
	sample_packages/referrals-2026-11-02.csv 2>/dev/null

# shot NAME HEIGHT COMMAND...: the command and what it prints, as a terminal shows it.
shot() {
	name=$1 height=$2
	shift 2
	{
		printf '$ reftriage %s\n' "$*"
		COLUMNS=80 REFTRIAGE_NOW=2026-11-03T08:00:00Z "$rt" "$@" 2>&1
	} | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' >"$work/$name.txt"
	{
		echo '<!DOCTYPE html><html><head><meta charset=utf-8><style>'
		echo 'body { margin: 0; background: #1e1e1e; }'
		echo '.bar { background: #333; color: #ddd; font: 13px sans-serif; padding: 4px 10px; }'
		echo 'pre { margin: 0; padding: 8px 12px; color: #eee; font: 14px/17px "DejaVu Sans Mono", monospace; }'
		echo '</style></head><body><div class=bar>reftriage &mdash; 80 columns</div><pre>'
		cat "$work/$name.txt"
		echo '</pre></body></html>'
	} >"$work/$name.html"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
		--user-data-dir="$work/chrome" --window-size=680,"$height" \
		--screenshot="$PWD/docs/img/$name.png" "file://$work/$name.html" >/dev/null 2>&1
	echo "docs/img/$name.png"
}

shot terminal-table 526 worklist --limit 20 --format table
shot terminal-show 1070 show SYN-20261102-0003
