#!/bin/sh
# make deb: a Debian package of the built binary, with dpkg-deb.
#   deb.sh BUILD VERSION   writes BUILD/reftriage_VERSION_ARCH.deb
# The tree is what make install puts under /usr (units in /lib/systemd/system),
# the binary stripped, the man page and changelog compressed, a copyright file;
# lintian accepts it without errors (tests/cli/t1330-deb.bats).
set -eu
build=$1
version=$2
arch=$(dpkg --print-architecture)
root="$build/deb/root"
rm -rf "$build/deb"
mkdir -p "$root/DEBIAN"
make --no-print-directory install BUILD="$build" DESTDIR="$PWD/$root" PREFIX=/usr \
	UNITDIR=/lib/systemd/system >/dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/reftriage"
gzip -9n "$root/usr/share/man/man1/reftriage.1"
doc="$root/usr/share/doc/reftriage"
mkdir -p "$doc"
cat >"$doc/copyright" <<'COPYRIGHT'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: reftriage
Source: the reftriage repository

Files: *
Copyright: 2026 the reftriage authors
License: reftriage
 Released to the force that commissioned it, on the terms of its contract;
 see README.md in the source.
COPYRIGHT
{
	echo "reftriage ($version) unstable; urgency=medium"
	echo
	echo "  * Release $version: see README.md and docs/ in the source."
	echo
	echo " -- reftriage maintainers <reftriage@localhost.invalid>  $(date -R -u -d @0)"
} | gzip -9n >"$doc/changelog.gz"
chmod 0644 "$doc/copyright" "$doc/changelog.gz"
find "$root" -type d -exec chmod 0755 {} +
# Shared libraries the binary links to, as their Debian packages.
depends=$(ldd "$root/usr/bin/reftriage" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
	dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null
done | cut -d: -f1 | sort -u | while read -r p; do
	printf '%s (>= %s), ' "$p" "$(dpkg-query -W -f='${Version}' "$p" | sed 's/-[^-]*$//')"
done | sed 's/, $//')
size=$(du -sk "$root/usr" "$root/lib" | awk '{s += $1} END {print s}')
cat >"$root/DEBIAN/control" <<CONTROL
Package: reftriage
Version: $version
Architecture: $arch
Maintainer: reftriage maintainers <reftriage@localhost.invalid>
Installed-Size: $size
Depends: $depends
Section: utils
Priority: optional
Homepage: https://localhost.invalid/reftriage
Description: offline triage of child-protection referral packages
 reftriage imports anonymised referral packages (CSV, JSON, NDJSON,
 CyberTipline XML) into SQLite, scores them with configurable rules and
 prints a ranked, explained worklist, with a hash-chained audit trail.
 It never uses the network. Systemd units for the nightly import, alerts
 and an age-encrypted backup are included, disabled.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$root" "$build/reftriage_${version}_$arch.deb" >/dev/null
echo "$build/reftriage_${version}_$arch.deb"
