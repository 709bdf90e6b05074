#!/usr/bin/env python3
"""Independent profile likelihoods of half-lives, for leadcal's interval tests.

Run from this folder:  python3 make_profiles.py
Needs: numpy, pandas, scipy, statsmodels (pip install numpy pandas scipy statsmodels).

Three small datasets in the data contract's form, drawn here with numpy (not
with `leadcal synth`), each with `l2: 0` so that the fit at fixed half-lives is
a plain maximum-likelihood logit that statsmodels' Logit computes exactly:

- profile/: two fitted axes (engagement: open, visit, log1p; history: call),
  one categorical attribute. The profile log-likelihood of each half-life
  (the other half-life refitted at every trial value) gives the estimates and
  the 95% interval ends, where the profile falls 1.92 below its maximum.
- flat/: one fitted axis whose only signal has no effect on the outcome: the
  profile never falls 1.92 below its maximum in [0.5, 3650] days, so neither
  interval end exists (leadcal must report both unbounded, "not identified").
- bound/: the outcome depends on the number of events whatever their age: the
  profile peaks at the 3650-day bound (status at_bound), its lower end exists,
  its upper end does not.
- bimodal/: one signal with events in four clusters of ages; the outcome
  depends on two of them, so the profile has a local maximum at a short
  half-life and another at a long one, within 1.92 of each other; the spec
  starts the search near the worse one.

Every feature is recomputed here with pandas from the CSVs, independently of
leadcal. Results -> <case>/expected.json.
"""
import json
import os

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy.optimize import brentq, minimize_scalar

RISE = 1.920729410347062  # chi2(1, 0.95) / 2
LO, HI = np.log(0.5), np.log(3650.0)
AS_OF = pd.Timestamp("2026-06-01T00:00:00Z")


def write_case(name, leads, signals, outcomes, spec):
    os.makedirs(name, exist_ok=True)
    leads.to_csv(f"{name}/leads.csv", index=False)
    signals.to_csv(f"{name}/signals.csv", index=False)
    outcomes.to_csv(f"{name}/outcomes.csv", index=False)
    with open(f"{name}/model.yaml", "w") as f:
        f.write(spec)


def iso(ts):
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def events(rng, lead_ids, signal, counts, age_sampler):
    rows = []
    for lid, n in zip(lead_ids, counts):
        for age in age_sampler(n):
            rows.append((lid, signal, iso(AS_OF - pd.Timedelta(seconds=int(age * 86400))), 1))
    return rows


class Case:
    """Features of a case read back from its CSVs, and the l2 = 0 profile."""

    def __init__(self, name, axes, attribute):
        self.name = name
        self.axes = axes  # [(axis name, [signals], log1p)]
        leads = pd.read_csv(f"{name}/leads.csv", dtype=str)
        out = pd.read_csv(f"{name}/outcomes.csv", dtype=str)
        sig = pd.read_csv(f"{name}/signals.csv", dtype={"lead_id": str})
        out = out.merge(leads, on="lead_id")
        self.y = (out.outcome == "won").astype(float).to_numpy()
        levels = sorted(out[attribute].unique())
        reference = out[attribute].value_counts().sort_index().idxmax()
        self.attributes = np.column_stack([(out[attribute] == l).astype(float) for l in levels if l != reference])
        as_of = pd.to_datetime(out.set_index("lead_id").as_of, utc=True)
        sig["t"] = pd.to_datetime(sig.occurred_at, utc=True)
        sig = sig[sig.lead_id.isin(out.lead_id)]
        sig["age"] = (sig.lead_id.map(as_of) - sig.t).dt.total_seconds() / 86400
        sig = sig[sig.age > 0]
        self.index = {lid: i for i, lid in enumerate(out.lead_id)}
        self.sig = sig

    def design(self, log_h):
        cols = [self.attributes]
        for (axis, signals, log1p), u in zip(self.axes, log_h):
            h = np.exp(u)
            for s in signals:
                e = self.sig[self.sig.signal == s]
                x = np.zeros(len(self.y))
                np.add.at(x, e.lead_id.map(self.index).to_numpy(), e.value.to_numpy() * np.power(2.0, -e.age.to_numpy() / h))
                cols.append((np.log1p(x) if log1p else x)[:, None])
        return sm.add_constant(np.hstack(cols), has_constant="add")

    def loglik(self, log_h):
        fit = sm.Logit(self.y, self.design(log_h)).fit(method="newton", tol=1e-12, maxiter=200, disp=0)
        return fit.llf

    def profile(self, a, u_a, start=None):
        """max over the other coordinates of the log-likelihood, u_a fixed (at most two axes)."""
        if len(self.axes) == 1:
            return self.loglik([u_a]), []
        b = 1 - a
        def negative(u_b):
            u = [0.0, 0.0]
            u[a], u[b] = u_a, u_b
            return -self.loglik(u)
        grid = np.linspace(LO, HI, 14)
        values = [negative(g) for g in grid]
        k = int(np.argmin(values))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        r = minimize_scalar(negative, bounds=(lo, hi), method="bounded", options={"xatol": 1e-7})
        return -r.fun, [r.x]

    def maximum(self, a):
        """The maximum of coordinate a's profile: a fine grid, then a bounded refinement."""
        grid = np.linspace(LO, HI, 40)
        values = [self.profile(a, g)[0] for g in grid]
        k = int(np.argmax(values))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        r = minimize_scalar(lambda u: -self.profile(a, u)[0], bounds=(lo, hi), method="bounded", options={"xatol": 1e-8})
        return r.x, -r.fun, grid, values

    def ends(self, a, u_best, ll_best):
        def excess(u):
            return ll_best - self.profile(a, u)[0] - RISE
        out = []
        for bound in (LO, HI):
            if excess(bound) < 0:
                out.append(None)
            else:
                out.append(float(np.exp(brentq(excess, min(u_best, bound), max(u_best, bound), xtol=1e-9))))
        return out


def main():
    rng = np.random.default_rng(20261129)

    # profile/ -------------------------------------------------------------------------
    n = 4000
    ids = [f"P{i:05d}" for i in range(n)]
    segment = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    rows = []
    sums = {s: np.zeros(n) for s in ["open", "visit", "call"]}
    for s, rate, h in [("open", 4.0, 8.0), ("visit", 1.5, 8.0), ("call", 1.2, 120.0)]:
        counts = rng.poisson(rate, size=n)
        for i, (lid, c) in enumerate(zip(ids, counts)):
            ages = rng.exponential(60.0 if s != "call" else 300.0, size=c) + 0.01
            for age in ages:
                rows.append((lid, s, iso(AS_OF - pd.Timedelta(seconds=int(age * 86400))), 1))
                sums[s][i] += 2.0 ** (-(int(age * 86400) / 86400) / h)
    eta = -1.2 + np.select([segment == "b", segment == "c"], [-0.5, 0.4], 0.0) \
        + 0.5 * np.log1p(sums["open"]) + 1.1 * np.log1p(sums["visit"]) + 0.6 * sums["call"]
    won = rng.random(n) < 1 / (1 + np.exp(-eta))
    write_case("profile",
               pd.DataFrame({"lead_id": ids, "segment": segment}),
               pd.DataFrame(rows, columns=["lead_id", "signal", "occurred_at", "value"]),
               pd.DataFrame({"lead_id": ids, "outcome": np.where(won, "won", "lost"), "as_of": iso(AS_OF)}),
               "name: profile\naxes:\n  fit:\n    attributes:\n      segment: categorical\n"
               "  engagement:\n    signals: [open, visit]\n    half_life_days: 14\n    fit_half_life: true\n    saturation: log1p\n"
               "  history:\n    signals: [call]\n    half_life_days: 90\n    fit_half_life: true\nl2: 0\n")

    # flat/ ------------------------------------------------------------------------------
    # A signal without effect: drawn again (next seed) until the independent profile's
    # range over [0.5, 3650] days is below 1.5, so that these data truly do not identify it.
    for seed in range(100, 200):
        rng = np.random.default_rng(seed)
        n = 1500
        ids = [f"F{i:05d}" for i in range(n)]
        segment = rng.choice(["a", "b"], size=n, p=[0.6, 0.4])
        counts = rng.poisson(2.0, size=n)
        rows = events(rng, ids, "ping", counts, lambda c: rng.exponential(40.0, size=c) + 0.01)
        won = rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 0.8 * (segment == "b"))))
        write_case("flat",
                   pd.DataFrame({"lead_id": ids, "segment": segment}),
                   pd.DataFrame(rows, columns=["lead_id", "signal", "occurred_at", "value"]),
                   pd.DataFrame({"lead_id": ids, "outcome": np.where(won, "won", "lost"), "as_of": iso(AS_OF)}),
                   "name: flat\naxes:\n  fit:\n    attributes:\n      segment: categorical\n"
                   "  noise:\n    signals: [ping]\n    half_life_days: 30\n    fit_half_life: true\nl2: 0\n")
        case = Case("flat", [("noise", ["ping"], False)], "segment")
        values = [case.loglik([g]) for g in np.linspace(LO, HI, 40)]
        if max(values) - min(values) < 1.5:
            print("flat: seed", seed)
            break

    # bimodal/ ---------------------------------------------------------------------------
    # Clusters of ages: recent (0.2-2 d) and old (300-500 d) carry the effect, middle
    # (20-45 d) and ancient (2500-3500 d) are noise: a short half-life keeps the recent
    # events only, a long one (about 1000 d) adds the old ones and the middle noise.
    rng = np.random.default_rng(1)
    n = 3000
    ids = [f"B{i:05d}" for i in range(n)]
    segment = rng.random(n) < 0.5
    recent, middle, old, ancient = (rng.poisson(lam, n) for lam in (0.7, 1.5, 1.5, 1.5))
    rows = []
    for lid, a, b, c, d in zip(ids, recent, middle, old, ancient):
        ages = np.concatenate([rng.uniform(0.2, 2, a), rng.uniform(20, 45, b), rng.uniform(300, 500, c), rng.uniform(2500, 3500, d)])
        for age in ages:
            rows.append((lid, "visit", iso(AS_OF - pd.Timedelta(seconds=int(age * 86400))), 1))
    eta = -1.0 + 0.3 * segment + 0.55 * recent + 0.39 * old
    won = rng.random(n) < 1 / (1 + np.exp(-eta))
    write_case("bimodal",
               pd.DataFrame({"lead_id": ids, "segment": np.where(segment, "b", "a")}),
               pd.DataFrame(rows, columns=["lead_id", "signal", "occurred_at", "value"]),
               pd.DataFrame({"lead_id": ids, "outcome": np.where(won, "won", "lost"), "as_of": iso(AS_OF)}),
               "name: bimodal\naxes:\n  fit:\n    attributes:\n      segment: categorical\n"
               "  engagement:\n    signals: [visit]\n    half_life_days: 8\n    fit_half_life: true\nl2: 0\n")

    # bound/ -----------------------------------------------------------------------------
    # The outcome depends on the number of events, whatever their age (0 to 2000 days):
    # the longer the half-life the better, so the profile peaks at the 3650-day bound.
    rng = np.random.default_rng(7)
    n = 2000
    ids = [f"D{i:05d}" for i in range(n)]
    segment = rng.choice(["a", "b"], size=n, p=[0.5, 0.5])
    counts = rng.poisson(2.0, size=n)
    rows = events(rng, ids, "call", counts, lambda c: rng.uniform(0.5, 2000, size=c))
    won = rng.random(n) < 1 / (1 + np.exp(-(-1.0 + 0.4 * counts)))
    write_case("bound",
               pd.DataFrame({"lead_id": ids, "segment": segment}),
               pd.DataFrame(rows, columns=["lead_id", "signal", "occurred_at", "value"]),
               pd.DataFrame({"lead_id": ids, "outcome": np.where(won, "won", "lost"), "as_of": iso(AS_OF)}),
               "name: bound\naxes:\n  fit:\n    attributes:\n      segment: categorical\n"
               "  history:\n    signals: [call]\n    half_life_days: 60\n    fit_half_life: true\nl2: 0\n")

    meta = {"source": "statsmodels Logit (l2 = 0) at fixed half-lives; profile maximised over the other half-life with scipy",
            "statsmodels": sm.__version__, "rise": RISE}

    case = Case("profile", [("engagement", ["open", "visit"], True), ("history", ["call"], False)], "segment")
    out = dict(meta)
    for a, axis in enumerate(["engagement", "history"]):
        u, ll, _, _ = case.maximum(a)
        lo, hi = case.ends(a, u, ll)
        out[axis] = {"half_life": float(np.exp(u)), "log_likelihood": ll, "interval": [lo, hi]}
        print(axis, out[axis])
    json.dump(out, open("profile/expected.json", "w"), indent=2)

    case = Case("flat", [("noise", ["ping"], False)], "segment")
    u, ll, grid, values = case.maximum(0)
    out = dict(meta, noise={"half_life": float(np.exp(u)), "log_likelihood": ll, "interval": case.ends(0, u, ll),
                            "profile_range": float(max(values) - min(values))})
    print("flat", out["noise"])
    json.dump(out, open("flat/expected.json", "w"), indent=2)

    case = Case("bound", [("history", ["call"], False)], "segment")
    u, ll, _, _ = case.maximum(0)
    out = dict(meta, history={"half_life": float(np.exp(u)), "log_likelihood": ll, "interval": case.ends(0, u, ll)})
    print("bound", out["history"])
    json.dump(out, open("bound/expected.json", "w"), indent=2)

    case = Case("bimodal", [("engagement", ["visit"], False)], "segment")
    u, ll, grid, values = case.maximum(0)
    # The local maxima of the profile on the grid, each refined.
    maxima = []
    for k in range(len(grid)):
        if (k == 0 or values[k] > values[k - 1]) and (k == len(grid) - 1 or values[k] > values[k + 1]):
            lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
            r = minimize_scalar(lambda v: -case.loglik([v]), bounds=(lo, hi), method="bounded", options={"xatol": 1e-8})
            maxima.append({"half_life": float(np.exp(r.x)), "log_likelihood": -r.fun})
    maxima.sort(key=lambda m: -m["log_likelihood"])
    out = dict(meta, engagement={"half_life": float(np.exp(u)), "log_likelihood": ll, "maxima": maxima})
    print("bimodal", out["engagement"])
    json.dump(out, open("bimodal/expected.json", "w"), indent=2)


if __name__ == "__main__":
    main()
