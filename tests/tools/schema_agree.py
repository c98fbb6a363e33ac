#!/usr/bin/python3
"""Check that schemas/referral-package.schema.json and reftriage's own
validator agree on every JSON record of sample_packages/ (valid and invalid).

Usage: schema_agree.py REFTRIAGE_BINARY WORKDIR
Each record is written to its own file and imported with --dry-run; exit 0
means reftriage accepted it. Prints one line per disagreement and exits 1 if
there is any. Uses Debian's python3-jsonschema. SCHEMA names another schema file (for the
test that shows a loosened schema is caught)."""
import datetime
import glob
import json
import os
import subprocess
import sys

import jsonschema

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rt, work = sys.argv[1], sys.argv[2]
schema_path = os.environ.get("SCHEMA") or os.path.join(top, "schemas",
                                                       "referral-package.schema.json")
schema = json.load(open(schema_path))
checker = jsonschema.FormatChecker()


@checker.checks("date")
def is_date(s):
    try:
        datetime.date.fromisoformat(s)
        return True
    except ValueError:
        return False


@checker.checks("date-time-or-date")
def is_dt(s):
    return is_date(s[:10])


validator = jsonschema.Draft202012Validator(schema, format_checker=checker)


def records():
    """(where, raw text) of every JSON record in the samples."""
    files = sorted(glob.glob(os.path.join(top, "sample_packages", "*.json")) +
                   glob.glob(os.path.join(top, "sample_packages", "invalid", "*.json")) +
                   glob.glob(os.path.join(top, "sample_packages", "invalid", "*.ndjson")))
    for f in files:
        raw = open(f, "rb").read()
        try:
            doc = json.loads(raw)
            items = doc if isinstance(doc, list) else [doc]
            for i, item in enumerate(items):
                yield "%s[%d]" % (os.path.basename(f), i), json.dumps(item).encode()
        except (ValueError, RecursionError):
            for n, line in enumerate(raw.split(b"\n"), 1):
                if line.strip():
                    yield "%s:%d" % (os.path.basename(f), n), line


def main():
    env = dict(os.environ, REFTRIAGE_DB=os.path.join(work, "agree.db"))
    subprocess.run([rt, "init"], env=env, check=True, stderr=subprocess.DEVNULL)
    checked = disagree = 0
    for where, raw in records():
        try:
            item = json.loads(raw)
            schema_ok = validator.is_valid(item)
        except (ValueError, RecursionError):
            schema_ok = False  # not JSON (or UTF-8) at all
        path = os.path.join(work, "one.ndjson")
        open(path, "wb").write(raw + b"\n")
        r = subprocess.run([rt, "import", "--dry-run", path], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        c_ok = r.returncode == 0
        if r.returncode not in (0, 65):
            print("%s: reftriage exited %d: %s" % (where, r.returncode, r.stderr.decode()))
            disagree += 1
        elif schema_ok != c_ok:
            print("%s: schema says %s, reftriage says %s: %s" % (
                where, "valid" if schema_ok else "invalid", "valid" if c_ok else "invalid",
                r.stderr.decode().strip()))
            disagree += 1
        checked += 1
    print("# %d records checked, %d disagreements" % (checked, disagree))
    return 1 if disagree or checked < 60 else 0


sys.exit(main())
