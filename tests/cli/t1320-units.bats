#!/usr/bin/env bats
# The systemd units (docs/operations.md): installed by make install, each
# hardened as operations.md lists, and accepted by systemd-analyze verify
# without a warning.
# serial: runs make in the top directory, on the shared build/ (tests/run-suites.sh)

load helper

UNITS="reftriage-import.service reftriage-import.timer reftriage-alert.service
reftriage-alert.timer reftriage-backup.service reftriage-backup.timer"

install_units() {
	make -C "$TOP" --no-print-directory install PREFIX="$WORK/usr" >/dev/null
	UNITDIR="$WORK/usr/lib/systemd/system"
}

@test "make install installs the units, naming the installed binary" {
	install_units
	for u in $UNITS; do
		[ -f "$UNITDIR/$u" ] || { echo "missing $u"; false; }
		[ "$(stat -c %a "$UNITDIR/$u")" = 644 ]
		! grep -q @BINDIR@ "$UNITDIR/$u"
	done
	for s in import alert backup; do
		grep -q "^ExecStart=.*$WORK/usr/bin/reftriage " "$UNITDIR/reftriage-$s.service"
	done
	make -C "$TOP" --no-print-directory uninstall PREFIX="$WORK/usr" >/dev/null
	[ ! -e "$UNITDIR/reftriage-backup.service" ]
}

@test "each service is hardened: no network, a read-only system, no privileges" {
	install_units
	for s in import alert backup; do
		f="$UNITDIR/reftriage-$s.service"
		for d in PrivateNetwork=yes RestrictAddressFamilies=AF_UNIX ProtectSystem=strict \
			ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes MemoryDenyWriteExecute=yes \
			UMask=0077 SystemCallFilter=@system-service 'ReadWritePaths=/var/lib/reftriage'; do
			grep -qx "$d\( .*\)\?" "$f" || { echo "$s: no $d"; false; }
		done
	done
}

@test "systemd-analyze verify accepts every unit without a warning" {
	command -v systemd-analyze >/dev/null || skip "systemd is not installed"
	install_units
	cd "$UNITDIR"
	for u in $UNITS; do
		run systemd-analyze verify --man=no "./$u"
		[ "$status" -eq 0 ] && [ -z "$output" ] || { echo "$u: $output"; false; }
	done
}
