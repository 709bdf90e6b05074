#!/usr/bin/env python3
"""The trade-off of `prior: parent` on data whose truth drifts (README, "Stable monthly versions").

For each seed: `leadcal synth --drift RATE` (every true weight moves RATE logit
points a month), then `leadcal backtest` with the spec's `prior: parent` (each
month's fit centred on the previous month's), which also fits every month
without the prior. Reported per seed and overall: the mean month-to-month tier
churn (share of all decided leads, each read at its as_of, whose tier changes with the new model)
with and without the prior, and the mean AUC on the following month's outcomes
with and without it.

Usage: python3 scripts/prior_tradeoff.py [--leads 20000] [--seeds 1,2,3,4,5] [--drift 0.05] [--strength 0.5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEADCAL = os.path.join(ROOT, ".build/release/leadcal")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--leads", type=int, default=20_000)
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--drift", type=float, default=0.05)
    p.add_argument("--strength", type=float, default=0.5)
    a = p.parse_args()
    rows = []
    print(f"prior: parent (strength {a.strength}) on `synth --leads {a.leads} --drift {a.drift}`, backtest from 2025-09\n")
    print("| seed | months | churn with prior | churn without | AUC with prior | AUC without | Δ AUC |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for seed in [int(s) for s in a.seeds.split(",")]:
        with tempfile.TemporaryDirectory(prefix="leadcal-prior-") as tmp:
            data = os.path.join(tmp, "data")
            subprocess.run([LEADCAL, "synth", "--leads", str(a.leads), "--seed", str(seed), "--drift", str(a.drift), "--out", data],
                           check=True, stdout=subprocess.DEVNULL)
            spec = os.path.join(tmp, "prior.yaml")
            with open(os.path.join(data, "model.yaml")) as f, open(spec, "w") as g:
                g.write(f.read() + f"prior: parent\nprior_strength: {a.strength}\n")
            out = subprocess.run([LEADCAL, "backtest", data, "--spec", spec, "--from", "2025-09-01", "--json"],
                                 check=True, capture_output=True, text=True).stdout
        months = [m for m in json.loads(out)["months"] if m.get("tier_churn") is not None and m.get("tier_churn_without_prior") is not None]
        churn = statistics.mean(m["tier_churn"] for m in months)
        plain = statistics.mean(m["tier_churn_without_prior"] for m in months)
        auc = statistics.mean(m["retrained"]["auc"] for m in months)
        auc0 = statistics.mean(m["without_prior"]["auc"] for m in months)
        rows.append((churn, plain, auc, auc0))
        print(f"| {seed} | {len(months)} | {100 * churn:.2f}% | {100 * plain:.2f}% | {auc:.4f} | {auc0:.4f} | {auc - auc0:+.4f} |")
        sys.stdout.flush()
    churn, plain, auc, auc0 = (statistics.mean(r[k] for r in rows) for k in range(4))
    print(f"| all | | {100 * churn:.2f}% | {100 * plain:.2f}% | {auc:.4f} | {auc0:.4f} | {auc - auc0:+.4f} |")


if __name__ == "__main__":
    main()
