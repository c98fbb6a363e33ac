#!/usr/bin/env bats
# make deb: a Debian package built with dpkg-deb that lintian accepts without
# errors, and that installs into a temporary root and runs from there.
# serial: runs make in the top directory, on the shared build/ (tests/run-suites.sh)

load helper

@test "make deb builds a package lintian accepts; installed into a temporary root it runs" {
	command -v dpkg-deb >/dev/null || skip "dpkg-deb is not installed (not Debian)"
	run make -C "$TOP" --no-print-directory deb
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	deb="$TOP/${output##*$'\n'}"
	[ -f "$deb" ]
	[ "$(dpkg-deb -f "$deb" Package)" = reftriage ]
	[[ "$(dpkg-deb -f "$deb" Depends)" == *libseccomp2* ]]
	dpkg-deb -c "$deb" | grep -q ' ./lib/systemd/system/reftriage-backup.service$'
	dpkg-deb -c "$deb" | grep -q ' ./usr/share/man/man1/reftriage.1.gz$'
	if command -v lintian >/dev/null; then
		run lintian --no-tag-display-limit "$deb"
		! grep -q '^E: ' <<<"$output" || { echo "$output"; false; }
	else
		echo "# lintian is not installed: not checked" >&3
	fi
	root="$WORK/root"
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
	touch "$root/var/lib/dpkg/status"
	# The libraries are the host's: only the package's own files go into the root.
	run dpkg --root="$root" --force-depends --force-not-root --log=/dev/null -i "$deb"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	run "$root/usr/bin/reftriage" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "reftriage "* ]]
	grep -q '^ExecStart=/usr/bin/reftriage ' "$root/lib/systemd/system/reftriage-import.service"
}
