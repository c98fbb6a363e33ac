#!/bin/sh
# Install the Debian packages reftriage needs to build and test, if missing.
# As root it runs apt-get; otherwise it prints the command and fails.
set -u
pkgs="build-essential pkg-config libcsv-dev libjansson-dev libsqlite3-dev libsodium-dev libexpat1-dev libseccomp-dev
libcmocka-dev bats sqlite3 python3 python3-jsonschema time minisign"
missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "reftriage needs these Debian packages:$missing" >&2
	echo "run as root:  apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2 && apt-get install -y -q --no-install-recommends $missing >&2
