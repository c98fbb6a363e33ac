#!/usr/bin/env bats
# CyberTipline XML (shared/spec/cybertip.md, Validation): "Identifying values
# print as <redacted, N bytes>"; no raw identifier reaches the store, its WAL,
# the quarantine or a message. Every element and attribute the decoder reads
# is fed identifier-shaped values, one file each; stderr, the store, its -wal
# and -shm, and quarantine list and show are searched for the raw value.

load helper

spec_key() {
	python3 -c 'print(bytes(range(32)).hex())' >"$WORK/key"
	chmod 600 "$WORK/key"
	export REFTRIAGE_TOKEN_KEY="$WORK/key"
}

# $WORK/cases/<probe>/<slot>.xml, and $WORK/cases/<probe>/index: one line per
# file, "slot<TAB>path<TAB>ok", ok 1 when the value is valid there (the record
# is imported) and 0 when the record must be quarantined.
make_cases() {
	python3 - "$WORK/cases" <<'PY'
import os, sys
from xml.sax.saxutils import escape, quoteattr

out = sys.argv[1]
# Synthetic identifier-shaped values (documentation ranges, .invalid, Ofcom drama numbers).
PROBES = {"email": "probe.7f3a@example.invalid", "phone": "+44 7700 900123",
          "ip": "203.0.113.77", "digits": "07700900123"}
ALL = set(PROBES)

# The slots: name -> (message path, probes valid there, default value).
# Defaults make a record that imports; each file puts one probe in one slot.
P = "report/personOrUserReported"
A = P + "/associatedAccount"
S = {}
def slot(name, path, ok, default):
    S[name] = (path, ok, default)

for a, d in [("reportId", "900000001"), ("receivedAt", "2026-11-02T08:15:00Z"),
             ("ncmecPriority", "2"), ("disposition", "referral"), ("bundledCount", "3"),
             ("forceArea", "Example Force"), ("classification", "OFFICIAL")]:
    slot("ct-" + a, "@" + a, set(), d)
slot("batched-reason", "report/batchedReport/@reason", set(), "VIRAL_POTENTIAL_MEME")
slot("incidentType", "report/incidentSummary/incidentType", set(), "Child Sex Tourism")
slot("platform", "report/incidentSummary/platform", ALL, "web")
slot("escalate", "report/incidentSummary/escalateToHighPriority", ALL, "yes")
slot("incidentDateTime", "report/incidentSummary/incidentDateTime", set(), "2026-10-30T21:40:00Z")
RANNOT = ["sextortion", "csamSolicitation", "minorToMinorInteraction", "spam",
          "sadisticOnlineExploitation"]
for f in RANNOT:
    slot("rannot-" + f, "report/incidentSummary/reportAnnotations/" + f, set(), "")
slot("person-phone", P + "/personOrUserReportedPerson/phone", ALL, "01632 960001")
slot("person-phone-cc", P + "/personOrUserReportedPerson/phone/@countryCallingCode", ALL, "44")
slot("person-email", P + "/personOrUserReportedPerson/email", {"email"}, "a@example.invalid")
slot("person-age", P + "/personOrUserReportedPerson/age", set(), "34")
slot("person-dob", P + "/personOrUserReportedPerson/dateOfBirth", set(), "1992-01-01")
for e, d in [("espIdentifier", "u-1"), ("espService", "ExampleChat"),
             ("compromisedAccount", "false"), ("screenName", "synth_user"),
             ("profileUrl", "https://example.invalid/u"), ("thirdPartyUserReported", "false")]:
    slot("pour-" + e, P + "/" + e, ALL, d)
slot("pour-prior", P + "/priorCTReports", {"digits"}, "900000000")
slot("pour-ip", P + "/ipCaptureEvent/ipAddress", {"ip"}, "192.0.2.1")
slot("pour-idType", P + "/deviceId/idType", ALL, "IMEI")
slot("pour-idValue", P + "/deviceId/idValue", ALL, "dev-1")
slot("acct-type", A + "/@type", set(), "Linked")
slot("acct-phone", A + "/phone", ALL, "01632 960002")
slot("acct-email", A + "/email", {"email"}, "b@example.invalid")
for e, d in [("espService", "OtherChat"), ("espIdentifier", "u-2"), ("screenName", "synth_2"),
             ("profileUrl", "https://example.invalid/v")]:
    slot("acct-" + e, A + "/" + e, ALL, d)
slot("acct-ip", A + "/ipCaptureEvent/ipAddress", {"ip"}, "192.0.2.2")
slot("acct-prior", A + "/priorCTReport", {"digits"}, "900000002")
slot("victim-age", "report/victim/victimPerson/age", set(), "12")
slot("fd-reportId", "fileDetails/reportId", set(), "900000001")
slot("fd-fileId", "fileDetails/fileId", ALL, "f01")
for e, d in [("fileViewedByEsp", "true"), ("publiclyAvailable", "false"),
             ("fileRelevance", "Reported"), ("potentialMeme", "false"),
             ("industryClassification", "B1")]:
    slot("fd-" + e, "fileDetails/" + e, set(), d)
FANNOT = ["animeDrawingVirtualHentai", "potentialMeme", "viral", "possibleSelfProduction",
          "physicalHarm", "violenceGore", "bestiality", "liveStreaming", "infant", "generativeAi"]
for f in FANNOT:
    slot("fannot-" + f, "fileDetails/fileAnnotations/" + f, set(), "")

def record(v):
    a = lambda k: quoteattr(v["ct-" + k])
    t = lambda k: escape(v[k])
    # forceArea is free text kept as given (our envelope's own field): a value
    # that is valid there is stored, so its probe carries a tab to be refused.
    return ("<cybertip reportId=%s receivedAt=%s ncmecPriority=%s disposition=%s bundledCount=%s "
            "forceArea=%s classification=%s><report>"
            % (a("reportId"), a("receivedAt"), a("ncmecPriority"), a("disposition"),
               a("bundledCount"), quoteattr(v["ct-forceArea"]).replace("\t", "&#9;"),
               a("classification"))
        + "<batchedReport reason=%s/>" % quoteattr(v["batched-reason"])
        + "<incidentSummary><incidentType>%s</incidentType><platform>%s</platform>"
          "<escalateToHighPriority>%s</escalateToHighPriority><reportAnnotations>%s"
          "</reportAnnotations><incidentDateTime>%s</incidentDateTime></incidentSummary>"
          % (t("incidentType"), t("platform"), t("escalate"),
             "".join("<%s>%s</%s>" % (f, t("rannot-" + f), f) for f in RANNOT),
             t("incidentDateTime"))
        + "<reporter><reportingPerson/></reporter><personOrUserReported>"
          "<personOrUserReportedPerson><phone countryCallingCode=%s>%s</phone>"
          "<email>%s</email><age>%s</age><dateOfBirth>%s</dateOfBirth>"
          "</personOrUserReportedPerson>"
          % (quoteattr(v["person-phone-cc"]), t("person-phone"), t("person-email"),
             t("person-age"), t("person-dob"))
        + "".join("<%s>%s</%s>" % (e, t("pour-" + e), e)
                  for e in ["espIdentifier", "espService", "compromisedAccount", "screenName",
                            "profileUrl", "thirdPartyUserReported"])
        + "<ipCaptureEvent><ipAddress>%s</ipAddress></ipCaptureEvent>" % t("pour-ip")
        + "<deviceId><idType>%s</idType><idValue>%s</idValue></deviceId>"
          % (t("pour-idType"), t("pour-idValue"))
        + "<priorCTReports>%s</priorCTReports>" % t("pour-prior")
        + "<associatedAccount type=%s><phone>%s</phone><email>%s</email>" %
          (quoteattr(v["acct-type"]), t("acct-phone"), t("acct-email"))
        + "".join("<%s>%s</%s>" % (e, t("acct-" + e), e)
                  for e in ["espService", "espIdentifier", "profileUrl", "screenName"])
        + "<ipCaptureEvent><ipAddress>%s</ipAddress></ipCaptureEvent>" % t("acct-ip")
        + "<priorCTReport>%s</priorCTReport></associatedAccount>" % t("acct-prior")
        + "</personOrUserReported><victim><victimPerson><age>%s</age></victimPerson></victim>"
          % t("victim-age")
        + "</report><fileDetails><reportId>%s</reportId><fileId>%s</fileId>" %
          (t("fd-reportId"), t("fd-fileId"))
        + "".join("<%s>%s</%s>" % (e, t("fd-" + e), e)
                  for e in ["fileViewedByEsp", "publiclyAvailable", "fileRelevance",
                            "potentialMeme", "industryClassification"])
        + "<fileAnnotations>%s</fileAnnotations></fileDetails></cybertip>\n"
          % "".join("<%s>%s</%s>" % (f, t("fannot-" + f), f) for f in FANNOT))

default = {k: d for k, (_, _, d) in S.items()}
os.makedirs(os.path.join(out, "base"))
with open(os.path.join(out, "base", "base.xml"), "w") as fp:
    fp.write('<?xml version="1.0" encoding="UTF-8"?>\n' + record(default))
for probe, value in PROBES.items():
    d = os.path.join(out, probe)
    os.makedirs(d)
    with open(os.path.join(d, "index"), "w") as idx:
        for name, (path, ok, _) in S.items():
            # A digit string is a valid report id: it becomes the package's
            # reference (NCMEC-<id>) by the spec, so it is not probed there.
            if name == "ct-reportId" and probe == "digits":
                continue
            v = dict(default)
            v[name] = value + ("\t" if name == "ct-forceArea" else "")
            with open(os.path.join(d, name + ".xml"), "w") as fp:
                fp.write('<?xml version="1.0" encoding="UTF-8"?>\n' + record(v))
            idx.write("%s\t%s\t%d\n" % (name, path, probe in ok and name != "ct-forceArea"))
PY
}

# The raw values, and the digits of the phone number, as grep -e arguments.
NEEDLES=(-e 'probe.7f3a' -e '7700 900123' -e '7700900123' -e '203.0.113.77')

# Any of the raw values in the store's files (the database, -wal, -shm).
store_has_raw() {
	local f
	for f in "$REFTRIAGE_DB" "$REFTRIAGE_DB-wal" "$REFTRIAGE_DB-shm"; do
		[ -e "$f" ] && grep -a -q -F "${NEEDLES[@]}" "$f" && return 0
	done
	return 1
}

@test "the base record of the probes imports whole" {
	init_store
	spec_key
	make_cases
	rt import "$WORK/cases/base/base.xml"
	expect_status 0
	[ "$(sql 'SELECT count(*) FROM packages')" = 1 ]
}

@test "no raw identifier in any element or attribute reaches a message, the store, its WAL or the quarantine" {
	spec_key
	make_cases
	failed=0
	for probe in email phone ip digits; do
		export REFTRIAGE_DB="$WORK/$probe.db"
		init_store
		# A second connection stays open so that the WAL is not checkpointed
		# away when reftriage closes the store: every frame written is searched.
		mkfifo "$WORK/hold-$probe"
		sqlite3 "$REFTRIAGE_DB" <"$WORK/hold-$probe" >/dev/null &
		holder=$!
		exec 9>"$WORK/hold-$probe"
		echo 'SELECT count(*) FROM packages;' >&9
		cd "$WORK/cases/$probe"
		rt import $(cut -f1 index | sed 's/$/.xml/')
		expect_status 65
		if printf '%s\n%s\n' "$output" "$err" | grep -F "${NEEDLES[@]}" >&2; then
			echo "$probe: raw value in the messages (above)" >&2
			failed=$((failed + 1))
		fi
		rejected=0
		while IFS=$'\t' read -r name path ok; do
			if [ "$ok" = 1 ]; then
				# Valid there: imported, nothing said about the file.
				if [[ "$err" == *"$name.xml:"* ]]; then
					echo "$probe in $name: valid there, but refused" >&2
					failed=$((failed + 1))
				fi
			else
				rejected=$((rejected + 1))
				# Refused, with a message that names the file, its line and the path.
				if [[ "$err" != *"$name.xml:2: $path: "* ]] || [[ "$err" != *$'\n'"$name.xml: "*", 1 rejected"* ]]; then
					echo "$probe in $name: no '$name.xml:2: $path: ' (or not rejected)" >&2
					failed=$((failed + 1))
				fi
			fi
		done <index
		[ "$rejected" -gt 35 ]
		[ -e "$REFTRIAGE_DB-wal" ]
		[ "$(sql 'SELECT count(*) FROM quarantine')" -eq "$rejected" ]
		rt quarantine list --all
		expect_status 0
		if printf '%s\n' "$output" | grep -F "${NEEDLES[@]}" >&2; then
			echo "$probe: raw value in quarantine list (above)" >&2
			failed=$((failed + 1))
		fi
		for id in $(sql 'SELECT id FROM quarantine'); do
			rt quarantine show "$id"
			expect_status 0
			if printf '%s\n' "$output" | grep -F "${NEEDLES[@]}" >&2; then
				echo "$probe: raw value in quarantine show $id (above)" >&2
				failed=$((failed + 1))
			fi
		done
		if store_has_raw; then
			echo "$probe: raw value in the store, its -wal or -shm" >&2
			failed=$((failed + 1))
		fi
		exec 9>&-
		wait "$holder"
	done
	[ "$failed" -eq 0 ]
}

@test "the allow-list: a well-formed value merely out of range is quoted; a near miss names the valid value, not the one given" {
	init_store
	spec_key
	cat >"$WORK/t.xml" <<'XML'
<cybertipBatch>
<cybertip reportId="1" receivedAt="2026-11-02T08:15:00" bundledCount="0" classification="official"><report><incidentSummary><incidentType>child sex tourism</incidentType><incidentDateTime>30/10/2026</incidentDateTime></incidentSummary><personOrUserReported><personOrUserReportedPerson><age>1234</age></personOrUserReportedPerson></personOrUserReported><victim><victimPerson><age>130</age></victimPerson></victim></report>
<fileDetails><reportId>1</reportId><fileViewedByEsp>TRUE</fileViewedByEsp><fileRelevance>reported</fileRelevance></fileDetails></cybertip>
<cybertip reportId="2" receivedAt="2026-13-02T08:15:00+01:00" bundledCount="99999999999" ncmecPriority="e"><report><incidentSummary><incidentType>Online Enticement</incidentType><incidentDateTime>2026-10-30 21:40</incidentDateTime></incidentSummary><personOrUserReported><personOrUserReportedPerson><age>9</age></personOrUserReportedPerson><associatedAccount type="billing"/></personOrUserReported></report></cybertip>
</cybertipBatch>
XML
	rt import "$WORK/t.xml"
	expect_status 65
	for want in \
		't.xml:2: @receivedAt: "2026-11-02T08:15:00" is not a date and time with a zone' \
		't.xml:2: @bundledCount: "0" is not a whole number, 1 or more' \
		't.xml:2: @classification: <redacted, 8 bytes> is not one of OFFICIAL or OFFICIAL-SENSITIVE (did you mean "OFFICIAL"? case matters)' \
		't.xml:2: report/incidentSummary/incidentType: <redacted, 17 bytes> is not exactly one of the XSD'"'"'s eight incident types (did you mean "Child Sex Tourism"? case matters)' \
		't.xml:2: report/incidentSummary/incidentDateTime: <redacted, 10 bytes> is not a date and time with a zone' \
		't.xml:2: report/personOrUserReported/personOrUserReportedPerson/age: <redacted, 4 bytes> is not an age from 10 to 120' \
		't.xml:2: report/victim/victimPerson/age: "130" is not an age from 0 to 120' \
		't.xml:2: fileDetails/fileViewedByEsp: <redacted, 4 bytes> is not a boolean (true, false, 1 or 0) (did you mean "true"? case matters)' \
		't.xml:2: fileDetails/fileRelevance: <redacted, 8 bytes> is not one of Reported or Supplemental Reported (did you mean "Reported"? case matters)' \
		't.xml:4: @receivedAt: "2026-13-02T08:15:00+01:00" is not a date and time with a zone' \
		't.xml:4: @ncmecPriority: <redacted, 1 bytes> is not one of 1, 2, 3 or E (did you mean "E"? case matters)' \
		't.xml:4: @bundledCount: <redacted, 11 bytes> is not a whole number, 1 or more' \
		't.xml:4: report/incidentSummary/incidentType: <redacted, 17 bytes> is not exactly one of the XSD'"'"'s eight incident types (did you mean "Online Enticement of Children for Sexual Acts"?)' \
		't.xml:4: report/incidentSummary/incidentDateTime: "2026-10-30 21:40" is not a date and time with a zone' \
		't.xml:4: report/personOrUserReported/personOrUserReportedPerson/age: "9" is not an age from 10 to 120' \
		't.xml:4: report/personOrUserReported/associatedAccount/@type: <redacted, 7 bytes> is not one of Billing, Linked, Business, Creator, Parent/Guardian or Other (did you mean "Billing"? case matters)'; do
		expect_err_has "$want"
	done
	# The quarantine keeps the same reasons.
	[ "$(sql "SELECT count(*) FROM quarantine WHERE reasons LIKE '%<redacted, 17 bytes> is not exactly one%'")" = 2 ]
	# An encoding the declaration names is quoted only when it is a known one.
	printf '<?xml version="1.0" encoding="x-probe-7f3a"?>\n<cybertip/>\n' >"$WORK/enc.xml"
	rt import "$WORK/enc.xml"
	expect_status 65
	expect_err_has 'enc.xml:1: document: not UTF-8: the declaration names encoding <redacted, 12 bytes>'
	printf '<?xml version="1.0" encoding="windows-1252"?>\n<cybertip/>\n' >"$WORK/enc.xml"
	rt import "$WORK/enc.xml"
	expect_err_has 'enc.xml:1: document: not UTF-8: the declaration names encoding "windows-1252"'
}
