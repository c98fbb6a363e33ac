#!/usr/bin/env python3
"""Write SYNTHETIC referral packages. Nothing here describes a real person,
place or event: every ref, subject and identifier token is random hex from a
seeded generator, force areas are invented, and summaries say SYNTHETIC.

  gen-packages.py sample OUTDIR         the curated day of referrals in sample_packages/
  gen-packages.py bulk N SEED FORMAT OUT  N packages (csv, ndjson or json) for benchmarks
  gen-packages.py clustered N SEED FORMAT OUT
                                      the same, but 13 subjects and 75 identifiers
                                      shared by all: clusters of thousands
  gen-packages.py nightly N STORE_N SEED FORMAT OUT
                                      N new packages (refs NIGHT-...) sharing subjects
                                      and identifiers with "bulk STORE_N SEED"
  gen-packages.py cybertip N SEED KEYHEX OUT.xml [OUT.ndjson]
                                        N CyberTipline reports in one cybertipBatch; with
                                        OUT.ndjson, the same packages as the XML import
                                        makes them with that token key (for benchmarks)

Bulk data has a realistic shape: about 40 % of optional fields unknown, quoted
text with commas and newlines, repeated subjects and identifiers.
"""
import csv
import hashlib
import json
import random
import sys
from xml.sax.saxutils import escape

FIELDS = [
    "package_ref", "received_at", "source", "referral_type", "force_area", "classification",
    "summary", "subject_ref", "subject_age", "subject_sex", "subject_access_to_children",
    "subject_lives_with_children", "subject_prior_sexual_offence",
    "subject_prior_contact_offence", "subject_registered_sex_offender",
    "subject_on_bail_or_licence", "images_cat_a", "images_cat_b", "images_cat_c",
    "videos_count", "first_generation", "self_generated", "distribution",
    "livestream_payment", "sexual_communication", "image_requests", "meeting_proposed",
    "meeting_date", "travel_indicated", "coercion_or_threats", "children_contacted",
    "child_identified", "youngest_child_age", "child_in_household", "child_location_known",
    "child_self_harm_risk", "ongoing_contact", "identifiers",
]
BOOLS = {f for f in FIELDS if f.startswith(("subject_access", "subject_lives", "subject_prior",
                                             "subject_registered", "subject_on"))} | {
    "first_generation", "self_generated", "distribution", "livestream_payment",
    "sexual_communication", "image_requests", "meeting_proposed", "travel_indicated",
    "coercion_or_threats", "child_identified", "child_in_household", "child_location_known",
    "child_self_harm_risk", "ongoing_contact"}
FORCES = ["Northshire", "Eastmoor", "Westvale", "Southmere"]  # invented force areas


def tok(rng, n=12):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def csv_value(f, v):
    if v is None:
        return ""
    if f == "identifiers":
        return ";".join("%s:%s" % (i["type"], i["token"]) for i in v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def write_csv(path, pkgs):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS)
        for p in pkgs:
            w.writerow([csv_value(k, p.get(k)) for k in FIELDS])


def write_json(path, pkgs, ndjson):
    with open(path, "w", encoding="utf-8") as f:
        if ndjson:
            for p in pkgs:
                f.write(json.dumps(p, ensure_ascii=False) + "\n")
        else:
            f.write("[\n")
            for i, p in enumerate(pkgs):
                f.write(("  " if i == 0 else ", ") + json.dumps(p, ensure_ascii=False) + "\n")
            f.write("]\n")


# --- the curated sample day -------------------------------------------------

class SampleDay:
    """The curated day's packages, numbered and timed in the order they are added."""

    def __init__(self, rng, day):
        self.rng = rng
        self.day = day
        self.subjects = [tok(rng) for _ in range(56)]  # some recur: linked referrals
        self.pkgs = []

    def add(self, kind, src, **kw):
        n = len(self.pkgs) + 1
        hh, mm = 6 + (n * 7) % 14, (n * 13) % 60
        p = {
            "package_ref": "SYN-%s-%04d" % (self.day.replace("-", ""), n),
            "received_at": "%sT%02d:%02d:00Z" % (self.day, hh, mm),
            "source": src,
            "referral_type": kind,
            "force_area": FORCES[n % len(FORCES)],
            "classification": "OFFICIAL-SENSITIVE",
            "subject_ref": "SUBJ-" + self.subjects[n % len(self.subjects)],
        }
        p.update(kw)
        p["summary"] = "SYNTHETIC TEST RECORD. " + p.get("summary", "Referral for triage.")
        p["identifiers"] = p.get("identifiers") or [{"type": "username", "token": tok(self.rng)}]
        self.pkgs.append(p)
        return p


def sample_urgent(day):
    """The referrals the rules must put first, and two pairs that share identifiers."""
    rng, add = day.rng, day.add
    shared_email = tok(rng)
    shared_user = tok(rng)
    # Child at immediate risk: imminent meetings, children in the household, identified victims.
    add("grooming", "CEOP", subject_age=41, sexual_communication=True, image_requests=True,
        meeting_proposed=True, meeting_date="2026-11-04", travel_indicated=True,
        youngest_child_age=12, children_contacted=1, child_identified=True,
        child_location_known=True, ongoing_contact=True,
        summary="Platform report: adult account arranging to meet a user stated to be 12; "
                "meeting proposed for 4 Nov.")
    add("sexual_communication", "UCOL", subject_age=36, sexual_communication=True,
        meeting_proposed=True, meeting_date="2026-11-05", travel_indicated=True,
        youngest_child_age=13, children_contacted=1, ongoing_contact=True,
        summary="Undercover officer posing as a 13-year-old; subject proposed meeting, travel "
                "indicated.")
    add("production", "NCMEC", subject_age=38, child_in_household=True,
        subject_lives_with_children=True, first_generation=True, images_cat_a=3,
        images_cat_b=5, child_identified=True, youngest_child_age=7,
        identifiers=[{"type": "email", "token": shared_email}],
        summary="Previously unseen imagery; household setting; a child lives with the subject.")
    add("sextortion", "CEOP", coercion_or_threats=True, image_requests=True,
        child_self_harm_risk=True, child_identified=True, youngest_child_age=15,
        children_contacted=1, ongoing_contact=True,
        summary="Child reports threats to share images unless more are sent; expressed "
                "thoughts of self-harm.")
    add("livestream", "INTERPOL", livestream_payment=True, subject_age=52, videos_count=4,
        summary="Payments linked to live-streamed abuse; overseas facilitator.")
    add("grooming", "FORCE", subject_age=29, subject_access_to_children=True,
        sexual_communication=True, image_requests=True, children_contacted=4,
        youngest_child_age=11, subject_prior_sexual_offence=True,
        summary="Youth volunteer; messages to several children reported by a parent.")
    add("possession", "CEOP", subject_registered_sex_offender=True,
        subject_prior_contact_offence=True, subject_on_bail_or_licence=True,
        subject_lives_with_children=True, child_in_household=True, images_cat_a=12,
        images_cat_b=40, images_cat_c=150, subject_age=47,
        summary="Registered subject on licence; child in the household.")
    add("distribution", "NCMEC", distribution=True, first_generation=True, images_cat_a=2,
        images_cat_c=30, identifiers=[{"type": "email", "token": shared_email},
                                      {"type": "ip", "token": tok(rng)}],
        summary="Upload of previously unseen imagery; shares an email token with another "
                "referral.")
    add("sexual_communication", "CEOP", sexual_communication=True, self_generated=True,
        youngest_child_age=14, children_contacted=2, ongoing_contact=True, subject_age=33,
        identifiers=[{"type": "username", "token": shared_user}],
        summary="Chat logs with two children; contact continuing.")
    add("grooming", "INDUSTRY", sexual_communication=True, image_requests=True,
        identifiers=[{"type": "username", "token": shared_user}], children_contacted=3,
        summary="Same username seen in another referral today.")
    add("ucol_contact", "UCOL", sexual_communication=True, meeting_proposed=True,
        meeting_date="2026-11-20", youngest_child_age=14, subject_age=45,
        summary="Contact with an officer posing as a 14-year-old; meeting suggested for later "
                "in the month.")
    add("sextortion", "NCA", coercion_or_threats=True, image_requests=True,
        children_contacted=6, youngest_child_age=16,
        summary="Organised overseas extortion; several victims, none yet identified.")


def steady_facts(rng, kind):
    """A few random facts for one referral of the steady flow."""
    kw = {}
    if rng.random() < 0.7:
        kw["images_cat_c"] = rng.randint(1, 300)
    if rng.random() < 0.4:
        kw["images_cat_b"] = rng.randint(0, 40)
    if rng.random() < 0.2:
        kw["images_cat_a"] = rng.randint(0, 10)
    if rng.random() < 0.5:
        kw["subject_age"] = rng.randint(18, 75)
    if rng.random() < 0.5:
        kw["subject_sex"] = rng.choice("MMMMF")
    if kind in ("distribution", "p2p"):
        kw["distribution"] = True
    if rng.random() < 0.15:
        kw["subject_prior_sexual_offence"] = True
    if rng.random() < 0.1:
        kw["subject_lives_with_children"] = rng.choice([True, False])
    if rng.random() < 0.1:
        kw["videos_count"] = rng.randint(1, 20)
    kw["summary"] = rng.choice([
        "Hash-matched upload reported by a platform.",
        "P2P download of known files, \"category C\" mostly.",
        "Cloud storage report, several files; account details, not names.",
        "Referral from partner agency, low detail.",
    ])
    return kw


def sample_steady(day):
    """The steady flow up to 60 referrals: possession, p2p, distribution with few
    aggravating facts."""
    kinds = [("possession", "CEOP"), ("possession", "NCMEC"), ("p2p", "CEOP"),
             ("distribution", "INDUSTRY"), ("possession", "FORCE"), ("p2p", "EUROPOL"),
             ("distribution", "CEOP"), ("possession", "CEOP"), ("other", "OTHER"),
             ("possession", "INDUSTRY")]
    while len(day.pkgs) < 60:
        k, s = kinds[len(day.pkgs) % len(kinds)]
        day.add(k, s, **steady_facts(day.rng, k))


def sample(outdir):
    day = SampleDay(random.Random(20261102), "2026-11-02")
    sample_urgent(day)
    sample_steady(day)
    write_csv(outdir + "/referrals-2026-11-02.csv", day.pkgs)
    write_json(outdir + "/referrals-2026-11-02.json", day.pkgs, ndjson=False)


# --- bulk data for benchmarks -----------------------------------------------

def bulk(n, seed, fmt, out, nsubjects=None, nidents=None, prefix="BULK"):
    rng = random.Random(seed)
    subjects = [tok(rng) for _ in range(nsubjects or max(1, n // 3))]
    idents = [tok(rng) for _ in range(nidents or max(1, n // 2))]
    src = ["CEOP", "CEOP", "CEOP", "NCMEC", "NCA", "UCOL", "FORCE", "INTERPOL", "EUROPOL",
           "INDUSTRY", "OTHER"]
    types = ["possession", "possession", "possession", "distribution", "production",
             "grooming", "sexual_communication", "livestream", "sextortion", "p2p",
             "ucol_contact", "other"]
    texts = ["SYNTHETIC. Hash-matched upload, reported by a platform.",
             "SYNTHETIC. Chat logs, with \"quoted\" lines,\nand a second line.",
             "SYNTHETIC. Partner referral; low detail, no names."]

    def gen(i):
        p = {"package_ref": "%s-%08d" % (prefix, i),
             "received_at": "2026-%02d-%02dT%02d:%02d:%02dZ" % (
                 1 + i % 11, 1 + i % 28, i % 24, i % 60, (i * 7) % 60),
             "source": rng.choice(src), "referral_type": rng.choice(types)}
        for f in FIELDS[4:]:
            if rng.random() < 0.4:
                continue
            if f in BOOLS:
                p[f] = rng.random() < 0.3
            elif f == "force_area":
                p[f] = rng.choice(FORCES)
            elif f == "classification":
                p[f] = "OFFICIAL-SENSITIVE"
            elif f == "summary":
                p[f] = rng.choice(texts)
            elif f == "subject_ref":
                p[f] = "S-" + rng.choice(subjects)
            elif f == "subject_age":
                p[f] = rng.randint(16, 80)
            elif f == "subject_sex":
                p[f] = rng.choice("MFX")
            elif f == "youngest_child_age":
                p[f] = rng.randint(0, 17)
            elif f == "meeting_date":
                p[f] = "2026-%02d-%02d" % (1 + i % 12, 1 + i % 28)
            elif f == "identifiers":
                p[f] = [{"type": rng.choice(["email", "username", "ip", "device"]),
                         "token": rng.choice(idents)} for _ in range(rng.randint(1, 3))]
            else:
                p[f] = rng.randint(0, 200)
        return p

    if fmt == "csv":
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(FIELDS)
            for i in range(n):
                p = gen(i)
                w.writerow([csv_value(k, p.get(k)) for k in FIELDS])
    else:
        with open(out, "w", encoding="utf-8") as f:
            if fmt == "json":
                f.write("[\n")
            for i in range(n):
                s = json.dumps(gen(i), ensure_ascii=False, separators=(",", ":"))
                if fmt == "json":
                    f.write(("" if i == 0 else ",") + s + "\n")
                else:
                    f.write(s + "\n")
            if fmt == "json":
                f.write("]\n")

INCIDENT_TYPES = ["Child Pornography (possession, manufacture, and distribution)",
                  "Online Enticement of Children for Sexual Acts",
                  "Unsolicited Obscene Material Sent to a Child", "Child Sex Tourism"]
REFERRAL_TYPES = ["possession", "grooming", "sexual_communication", "other"]
SERVICES = ["ExampleChat", "SampleShare", "DemoMail"]  # invented services


def cybertip(n, seed, keyhex, out_xml, out_ndjson=None):
    """A cybertipBatch of n SYNTHETIC reports; optionally the packages the
    import makes of them (cybertip.md's mapping, for the shapes made here)."""
    rng = random.Random(seed)
    key = bytes.fromhex(keyhex)
    users = ["u-" + tok(rng, 8) for _ in range(max(1, n // 3))]

    def token(t, scope, v):
        return hashlib.blake2b(("%s\x1f%s\x1f%s" % (t, scope, v)).encode(), key=key,
                               digest_size=16).hexdigest()

    def gen(i):
        rid = str(800000000 + i)
        it = rng.randrange(len(INCIDENT_TYPES))
        user, svc = rng.choice(users), rng.choice(SERVICES)
        ip = "198.51.100.%d" % rng.randint(1, 254)
        email = "%s@example.invalid" % user
        files = rng.randint(0, 3)
        esc = rng.random() < 0.1
        infant = files > 0 and rng.random() < 0.1
        prio = rng.choice(["1", "2", "3", "E", None])
        at = "2026-%02d-%02dT%02d:%02d:00Z" % (1 + i % 11, 1 + i % 28, i % 24, i % 60)
        x = ['<cybertip reportId="%s" receivedAt="%s"%s forceArea="%s">' % (
            rid, at, ' ncmecPriority="%s"' % prio if prio else "", rng.choice(FORCES))]
        x.append(" <report><incidentSummary><incidentType>%s</incidentType>" %
                 escape(INCIDENT_TYPES[it]))
        if esc:
            x.append("  <escalateToHighPriority>SYNTHETIC: urgent</escalateToHighPriority>")
        x.append("  <incidentDateTime>%s</incidentDateTime></incidentSummary>" % at)
        x.append("  <reporter><reportingPerson><firstName>Synthetic</firstName>"
                 "<email>reports@example.invalid</email></reportingPerson></reporter>")
        x.append("  <personOrUserReported><personOrUserReportedPerson><email>%s</email>"
                 "<age>%d</age></personOrUserReportedPerson>" % (email, 18 + i % 50))
        x.append("   <espIdentifier>%s</espIdentifier><espService>%s</espService>" % (user, svc))
        x.append("   <ipCaptureEvent><ipAddress>%s</ipAddress></ipCaptureEvent>"
                 "</personOrUserReported>" % ip)
        x.append("  <additionalInfo>SYNTHETIC report, generated for tests.</additionalInfo>"
                 "</report>")
        for k in range(files):
            x.append(" <fileDetails><reportId>%s</reportId><fileId>f%d</fileId>"
                     "<fileName>synthetic-%d.jpg</fileName><fileViewedByEsp>true"
                     "</fileViewedByEsp>%s</fileDetails>" % (
                         rid, k, k, "<fileAnnotations><infant/></fileAnnotations>"
                         if infant and k == 0 else ""))
        x.append("</cybertip>")
        sub = token("other", svc.lower(), user)
        p = {"package_ref": "NCMEC-" + rid, "received_at": at, "source": "NCMEC",
             "referral_type": REFERRAL_TYPES[it], "force_area": x[0].split('forceArea="')[1][:-2],
             "summary": "CT %s: %s%s%s" % (rid, INCIDENT_TYPES[it], "; ESP escalated" if esc else "",
                                          "; %d file%s" % (files, "" if files == 1 else "s")
                                          if files else ""),
             "subject_ref": sub, "subject_age": 18 + i % 50,
             "identifiers": sorted([{"type": "email", "token": token("email", "", email)},
                                    {"type": "ip", "token": token("ip", "", ip)},
                                    {"type": "other", "token": sub},
                                    {"type": "other", "token": token("other", "ncmec-report", rid)}],
                                   key=lambda d: (d["type"], d["token"]))}
        if prio or esc:
            p["source_priority"] = prio or "esp_high"
        p["incident_at"] = at
        p["esp_escalated"] = esc
        p["esp_batched"] = False
        if files:
            p["files_reported"] = files
            p["files_viewed_by_esp"] = files
        if infant:
            p["esp_infant"] = True
        return "\n".join(x) + "\n", p

    with open(out_xml, "w", encoding="utf-8") as fx:
        fj = open(out_ndjson, "w", encoding="utf-8") if out_ndjson else None
        fx.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                 "<!-- SYNTHETIC CyberTipline reports: invented ids, services, accounts and "
                 "addresses (example.invalid, 198.51.100.0/24); no real person or event. -->\n"
                 "<cybertipBatch>\n")
        for i in range(n):
            xml, p = gen(i)
            fx.write(xml)
            if fj:
                fj.write(json.dumps(p, separators=(",", ":")) + "\n")
        fx.write("</cybertipBatch>\n")
        if fj:
            fj.close()


def main(argv):
    if len(argv) == 3 and argv[1] == "sample":
        sample(argv[2])
    elif len(argv) == 6 and argv[1] == "bulk" and argv[4] in ("csv", "ndjson", "json"):
        bulk(int(argv[2]), int(argv[3]), argv[4], argv[5])
    elif len(argv) == 6 and argv[1] == "clustered" and argv[4] in ("csv", "ndjson", "json"):
        # Large clusters: 13 subjects and 75 identifiers shared by every package,
        # as a VPN exit or a mass-reported account can be (docs/PERFORMANCE.md).
        bulk(int(argv[2]), int(argv[3]), argv[4], argv[5], 13, 75)
    elif len(argv) == 7 and argv[1] == "nightly" and argv[5] in ("csv", "ndjson", "json"):
        # A night's packages for a store made by "bulk STORE_N SEED": new refs
        # (NIGHT-...), their subjects and identifiers drawn from the same pools.
        n, store_n = int(argv[2]), int(argv[3])
        bulk(n, int(argv[4]), argv[5], argv[6], max(1, store_n // 3), max(1, store_n // 2),
             "NIGHT")
    elif len(argv) in (6, 7) and argv[1] == "cybertip":
        cybertip(int(argv[2]), int(argv[3]), argv[4], argv[5], argv[6] if len(argv) == 7 else None)
    else:
        sys.stderr.write(__doc__)
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
