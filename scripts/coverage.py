#!/usr/bin/env python3
"""Coverage of leadcal's 95% intervals on synthetic data with known truth (`make coverage`).

For each seed: `leadcal synth --leads N --seed S` (signals.csv in time order, synth's
default: the layout of a CRM export), then `leadcal fit --json` at l2 = 0 and at the
spec's default, each with the joint standard errors (the default) and with
`--conditional-se`. Counts whether each true signal weight lies in its 95% Wald
interval and each true half-life in its 95% profile-likelihood interval. A weight or
half-life that is not a plain estimate (at a bound, not identified) has no interval
and counts as a miss. Prints Markdown tables: per parameter, and overall with the
binomial band a true 95% would give.

Usage: python3 scripts/coverage.py [--leads 50000] [--seeds 40] [--bin .build/release/leadcal]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

p = argparse.ArgumentParser()
p.add_argument("--leads", type=int, default=50_000)
p.add_argument("--seeds", type=int, default=40)
p.add_argument("--first-seed", type=int, default=1000)
p.add_argument("--bin", default=".build/release/leadcal")
a = p.parse_args()

SETTINGS = [("l2 = 0", ["--l2", "0"]), ("l2 = 1 (default)", [])]
KINDS = [("joint", []), ("conditional", ["--conditional-se"])]
hits = defaultdict(int)          # (setting, kind, parameter) -> inside
runs = defaultdict(int)          # (setting, kind, parameter) -> runs
axis_of = {}


def fit(data, extra, version):
    out = subprocess.run([a.bin, "fit", data, "--json", "--out", os.path.join(data, "weights"), "--version", version] + extra,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


with tempfile.TemporaryDirectory() as tmp:
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        d = os.path.join(tmp, str(seed))
        subprocess.run([a.bin, "synth", "--leads", str(a.leads), "--seed", str(seed), "--out", d], check=True, stdout=subprocess.DEVNULL)
        truth = json.load(open(os.path.join(d, "truth.json")))
        for i, (setting, extra) in enumerate(SETTINGS):
            for kind, flag in KINDS:
                result = fit(d, extra + flag, f"s{i}-{kind}")
                assert result["standard_errors"] == kind, result["standard_errors"]
                for f in result["features"]:
                    if f["kind"] != "signal":
                        continue
                    name = f["name"]
                    axis_of[name] = f["axis"]
                    key = (setting, kind, name)
                    runs[key] += 1
                    if f.get("lower") is not None and f["lower"] <= truth["weights"][name] <= f["upper"]:
                        hits[key] += 1
                for axis, status in result["half_life_status"].items():
                    name = "half-life " + axis
                    axis_of[name] = axis
                    key = (setting, kind, name)
                    runs[key] += 1
                    lo, hi = (result["half_life_ci"].get(axis) or [None, None])
                    if status == "estimated" and lo is not None and hi is not None and lo <= truth["half_lives"][axis] <= hi:
                        hits[key] += 1
        print(f"seed {seed}: done", file=sys.stderr)

n = a.seeds
print(f"Coverage of the 95% intervals over {n} datasets of {a.leads:,} leads (`leadcal synth`, time-ordered signals.csv, seeds {a.first_seed}..{a.first_seed + n - 1}).")
print("Signal weights: Wald intervals from the joint standard errors (the default) and from the conditional ones (`--conditional-se`);")
print("half-lives: profile-likelihood intervals (the same in both).\n")
names = sorted(axis_of, key=lambda x: (not x.startswith("half-life"), axis_of[x], x))
header = "| parameter | axis | " + " | ".join(f"{s}, {k}" for s, _ in SETTINGS for k, _ in KINDS) + " |"
print(header)
print("| --- | --- | " + " | ".join("---:" for _ in SETTINGS for _ in KINDS) + " |")
for name in names:
    cells = [f"{hits[s, k, name]} / {runs[s, k, name]}" for s, _ in SETTINGS for k, _ in KINDS]
    print(f"| {name} | {axis_of[name]} | " + " | ".join(cells) + " |")


def band(total):
    """The 95% range of the inside count if the intervals covered exactly 95%."""
    sd = math.sqrt(total * 0.95 * 0.05)
    return 100 * (0.95 - 1.96 * sd / total), 100 * (0.95 + 1.96 * sd / total)


print("\n| overall | " + " | ".join(f"{s}, {k}" for s, _ in SETTINGS for k, _ in KINDS) + " | a true 95% gives |")
print("| --- | " + " | ".join("---:" for _ in SETTINGS for _ in KINDS) + " | ---: |")
for group, test in (("half-lives", lambda x: x.startswith("half-life")), ("signal weights", lambda x: not x.startswith("half-life"))):
    members = [x for x in names if test(x)]
    cells, total = [], 0
    for s, _ in SETTINGS:
        for k, _ in KINDS:
            inside = sum(hits[s, k, x] for x in members)
            total = sum(runs[s, k, x] for x in members)
            cells.append(f"{inside} / {total} = {100 * inside / total:.1f}%")
    lo, hi = band(total)
    print(f"| {group} | " + " | ".join(cells) + f" | {lo:.1f}–{hi:.1f}% |")
