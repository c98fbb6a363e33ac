#!/usr/bin/env python3
"""Write SYNTHETIC outcomes for packages made by gen-packages.py, for the
backtest benchmark: one outcome per package in a packages CSV, a code drawn
with a seeded generator, dated the day the package was received. With
EXCLUDED (a share from 0 to 1, default 0) that share gets an excluded code;
of the rest a third are positive and two thirds negative.

  gen-outcomes.py PACKAGES.csv SEED OUT.csv [EXCLUDED]
"""
import csv
import random
import sys

POSITIVE = ["arrest", "charged", "safeguarded", "contact_offence_found", "iioc_found"]
NEGATIVE = ["nfa_no_offence", "nfa_insufficient_evidence", "nfa_public_interest"]
EXCLUDED = ["nfa_not_traced", "duplicate", "transferred"]


def main():
    src, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    excluded = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    rng = random.Random(seed)
    with open(src, newline="") as f, open(out, "w", newline="") as g:
        w = csv.writer(g, lineterminator="\n")
        w.writerow(["package_ref", "code", "date", "count", "note"])
        for row in csv.DictReader(f):
            r = rng.random()
            codes = (EXCLUDED if r < excluded else
                     POSITIVE if r < excluded + (1 - excluded) / 3 else NEGATIVE)
            code = rng.choice(codes)
            count = rng.randint(1, 3) if code == "safeguarded" else ""
            w.writerow([row["package_ref"], code, row["received_at"][:10], count, "SYNTHETIC"])


if __name__ == "__main__":
    main()
