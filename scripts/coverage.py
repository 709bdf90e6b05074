#!/usr/bin/env python3
"""Coverage of leadcal's 95% intervals on synthetic data with known truth.

For each seed: `leadcal synth --leads N --seed S`, then `leadcal fit --json`,
then count whether each true weight lies in its 95% Wald interval and each true
half-life in its 95% profile-likelihood interval. Prints a Markdown table.

Usage: python3 scripts/coverage.py [--leads 50000] [--seeds 10] [--bin .build/release/leadcal]
"""
import argparse, json, os, subprocess, sys, tempfile
from collections import defaultdict

p = argparse.ArgumentParser()
p.add_argument("--leads", type=int, default=50_000)
p.add_argument("--seeds", type=int, default=10)
p.add_argument("--first-seed", type=int, default=1000)
p.add_argument("--bin", default=".build/release/leadcal")
a = p.parse_args()

hits = defaultdict(int)
kinds = {}
widths = defaultdict(list)
runs = 0
with tempfile.TemporaryDirectory() as tmp:
    for seed in range(a.first_seed, a.first_seed + a.seeds):
        d = os.path.join(tmp, str(seed))
        subprocess.run([a.bin, "synth", "--leads", str(a.leads), "--seed", str(seed), "--out", d], check=True, stdout=subprocess.DEVNULL)
        truth = json.load(open(os.path.join(d, "truth.json")))
        fit = json.loads(subprocess.run([a.bin, "fit", d, "--json"], check=True, capture_output=True, text=True).stdout)
        runs += 1
        for f in fit["features"]:
            name = f["name"]
            kinds[name] = f["axis"]
            if f.get("lower") is None:  # at a bound or not estimated: counts as a miss
                continue
            if f["lower"] <= truth["weights"][name] <= f["upper"]:
                hits[name] += 1
        for axis, (lo, hi) in fit["half_life_ci"].items():
            kinds["half-life " + axis] = axis
            widths[axis].append(hi / lo)
            if lo <= truth["half_lives"][axis] <= hi:
                hits["half-life " + axis] += 1
        print(f"seed {seed}: done", file=sys.stderr)

print(f"Coverage of the 95% intervals over {runs} datasets of {a.leads:,} leads (seeds {a.first_seed}..{a.first_seed + runs - 1}):\n")
print("| parameter | axis | inside / runs |")
print("| --- | --- | --- |")
total = inside = 0
for name in sorted(kinds, key=lambda n: (not n.startswith("half-life"), kinds[n], n)):
    print(f"| {name} | {kinds[name]} | {hits[name]} / {runs} |")
    total += runs; inside += hits[name]
print(f"\nAll parameters together: {inside} / {total} = {100 * inside / total:.1f}% inside (nominal 95%).")
