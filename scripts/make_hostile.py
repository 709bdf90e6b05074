#!/usr/bin/env python3
"""A dataset whose every name is hostile, for the injection checks.

Column names, category levels, signal types, axis and tier names hold quotes,
backslashes, commas, line breaks, HTML and SQL; some lead ids start with `=`,
`+`, `-` or `@` (spreadsheet formulas). The outcomes are drawn from a logistic
model of those features, so a fit finds real weights for every hostile name.

`make check-hostile` fits it, runs the exported SQL on every engine
(scripts/check_sql.py: the same scores as the Swift scorer, input tables
intact), and checks the score CSV and the notebook keep the names inert.

Usage: python3 scripts/make_hostile.py OUT_DIR [--leads 1500] [--seed 7]
"""
import argparse
import csv
import math
import os
import random

LEVELS = ["x'); DROP TABLE leads; --", "<b>bold</b>", '"quoted"', "new\nline", "back\\slash", "plain", "semi;colon"]
SIGNALS = ["<script>alert(1)</script>", "it's", "new\nline signal", "ok`tick`"]
HISTORY = ['call "now"']
INDUSTRY = 'in"dus,try\nx'
EMPLOYEES = "emp'loyees"
LEVEL2 = "job\\level"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--leads", type=int, default=1500)
    p.add_argument("--seed", type=int, default=7)
    a = p.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    special_ids = ['=HYPERLINK("http://x")', "+1", "-1", "@SUM(A1)", 'q"uote', "com,ma", "line\nbreak", "'; DROP TABLE signals; --"]
    ids = special_ids + [f"L{i:05d}" for i in range(a.leads - len(special_ids))]
    effect = {lvl: (k - 3) * 0.3 for k, lvl in enumerate(LEVELS)}
    weights = {s: w for s, w in zip(SIGNALS + HISTORY, [0.8, 0.4, 0.6, 0.2, 0.5])}
    half_life = {**{s: 10.0 for s in SIGNALS}, **{s: 60.0 for s in HISTORY}}
    as_of_day = 20  # 2026-06-20
    leads, signals, outcomes = [], [], []
    for lid in ids:
        level = rng.choice(LEVELS)
        employees = int(math.exp(rng.gauss(4, 1.2)))
        job = rng.choice(["a", "b", "c\"d"])
        leads.append([lid, level, str(employees), job])
        sums = {s: 0.0 for s in weights}
        for _ in range(rng.randint(0, 12)):
            s = rng.choice(SIGNALS + HISTORY)
            age = rng.uniform(0.1, 120)
            day = as_of_day - age
            t = 1767225600 + int((31 + 28 + 31 + 30 + 31 + day - 1) * 86400)  # seconds: 2026-01-01 + day of the year
            signals.append([lid, s, t])
            sums[s] += 2 ** (-(as_of_seconds(as_of_day) - t) / 86400 / half_life[s])
        eta = -1.0 + effect[level] + 0.2 * math.log1p(employees) + (0.3 if job == "a" else 0)
        eta += sum(weights[s] * (math.log1p(v) if s in SIGNALS else v) for s, v in sums.items())
        won = rng.random() < 1 / (1 + math.exp(-eta))
        outcomes.append([lid, "won" if won else "lost", "2026-06-20"])
    with open(os.path.join(a.out, "leads.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lead_id", INDUSTRY, EMPLOYEES, LEVEL2])
        w.writerows(leads)
    with open(os.path.join(a.out, "signals.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lead_id", "signal", "occurred_at", "value"])
        for lid, s, t in signals:
            w.writerow([lid, s, iso8601(t), ""])
    with open(os.path.join(a.out, "outcomes.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["lead_id", "outcome", "as_of"])
        w.writerows(outcomes)
    spec = {
        "name": "hostile",
        "axes": {
            'fit "firmo"graphics\n': {"attributes": {INDUSTRY: "categorical", EMPLOYEES: "log", LEVEL2: "categorical"}},
            "engage'ment <i>": {"signals": SIGNALS, "half_life_days": 14, "fit_half_life": True, "saturation": "log1p"},
            "hist`ory\\": {"signals": HISTORY, "half_life_days": 60, "fit_half_life": True},
        },
        "l2": 1.0,
        "tiers": {"act'now": "top 10%", '"nurture"\n': "top 40%", "<mon>itor": "rest"},
    }
    import json
    # JSON is YAML: every hostile key is a double-quoted, escaped YAML scalar.
    with open(os.path.join(a.out, "model.yaml"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print(f"wrote {len(ids)} hostile leads to {a.out}")


def as_of_seconds(day):
    return 1767225600 + int((31 + 28 + 31 + 30 + 31 + day - 1) * 86400)


def iso8601(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


if __name__ == "__main__":
    main()
