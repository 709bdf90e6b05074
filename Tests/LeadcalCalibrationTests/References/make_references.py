#!/usr/bin/env python3
"""Reference values for leadcal's calibration tests, from independent implementations.

Run from this folder:  python3 make_references.py
Needs: statsmodels, scikit-learn, pandas (pip install statsmodels scikit-learn pandas).

1. spector/: Spector & Mazzeo (1980) grade data as shipped by statsmodels
   (Greene, Econometric Analysis, table F14.1), written as a leadcal dataset,
   and statsmodels' Logit fit at full precision -> spector/expected.json.
2. ridge/: a `leadcal synth --leads 1200 --seed 11` dataset with a spec at fixed
   half-lives and l2 = 2.5. The features are recomputed here with pandas from
   the CSVs (an independent implementation of the data contract's formula),
   standardized with the population sd, and fitted by scikit-learn's
   LogisticRegression with C = 1 / l2 (its objective C·Σ logloss + ½‖θ‖² is the
   contract's objective divided by l2) -> ridge/expected.json.
3. weighted/: the ridge data (its leads.csv and signals.csv) with a deal value per outcome (`amount`, drawn here,
   seeded; some empty) and `weight_by: amount` capped at the 95th percentile.
   The same features, the contract's weights (capped amounts, the median for a
   missing one, over their mean), scikit-learn's LogisticRegression with
   `sample_weight`, and the sandwich covariance H⁻¹ M H⁻¹ computed with NumPy
   -> weighted/expected.json.
"""
import json
import numpy as np
import pandas as pd
import statsmodels.api as sm
import yaml
from sklearn.linear_model import LogisticRegression

# 1. Spector & Mazzeo ---------------------------------------------------------
data = sm.datasets.spector.load_pandas().data
ids = [f"S{i + 1:02d}" for i in range(len(data))]
pd.DataFrame({"lead_id": ids, "GPA": data.GPA, "TUCE": data.TUCE, "PSI": data.PSI}).to_csv(
    "spector/leads.csv", index=False, float_format="%.17g")
pd.DataFrame({"lead_id": ids, "outcome": np.where(data.GRADE == 1, "won", "lost"), "as_of": "2026-01-01"}).to_csv(
    "spector/outcomes.csv", index=False)
with open("spector/signals.csv", "w") as f:
    f.write("lead_id,signal,occurred_at,value\n")
with open("spector/model.yaml", "w") as f:
    f.write("name: spector\naxes:\n  fit:\n    attributes:\n      GPA: numeric\n      TUCE: numeric\n      PSI: numeric\nl2: 0\n")
X = sm.add_constant(data[["GPA", "TUCE", "PSI"]])
res = sm.Logit(data.GRADE, X).fit(method="newton", tol=1e-14, maxiter=100, disp=0)
json.dump({
    "source": "statsmodels.api.Logit on statsmodels.datasets.spector (Greene table F14.1)",
    "statsmodels": sm.__version__,
    "intercept": res.params["const"], "intercept_se": res.bse["const"],
    "weights": {k: res.params[k] for k in ["GPA", "TUCE", "PSI"]},
    "std_errors": {k: res.bse[k] for k in ["GPA", "TUCE", "PSI"]},
    "log_likelihood": res.llf, "null_log_likelihood": res.llnull,
}, open("spector/expected.json", "w"), indent=2)

# 2. Ridge at fixed half-lives --------------------------------------------------
spec = yaml.safe_load(open("ridge/model.yaml"))
leads = pd.read_csv("ridge/leads.csv", encoding="utf-8-sig", dtype={"lead_id": str})
signals = pd.read_csv("ridge/signals.csv", dtype={"lead_id": str})
outcomes = pd.read_csv("ridge/outcomes.csv", dtype={"lead_id": str})
won = {"won", "closed won", "closedwon", "closed-won", "closed_won", "1", "true", "yes"}
outcomes["y"] = outcomes.outcome.astype(str).str.strip().str.lower().isin(won).astype(float)
outcomes = outcomes[outcomes.lead_id.isin(leads.lead_id)].drop_duplicates("lead_id", keep="first")
outcomes["as_of"] = pd.to_datetime(outcomes.as_of, utc=True, format="ISO8601")
rows = leads.merge(outcomes[["lead_id", "y", "as_of"]], on="lead_id", how="inner")  # leads.csv order

signals["t"] = pd.to_datetime(signals.occurred_at, utc=True, format="ISO8601")
signals["value"] = signals["value"].fillna(1.0)
ev = signals.merge(rows[["lead_id", "as_of"]], on="lead_id", how="inner")
ev = ev[ev.t < ev.as_of]
ev["age"] = (ev.as_of - ev.t).dt.total_seconds() / 86400.0

columns, names = [], []
for axis_name, axis in spec["axes"].items():
    for col, kind in (axis.get("attributes") or {}).items():
        if kind == "categorical":
            levels = rows[col].fillna("").astype(str)
            counts = levels.value_counts()
            reference = sorted(counts[counts == counts.max()].index)[0]
            for level in sorted(set(levels) - {reference}):
                columns.append((levels == level).astype(float).to_numpy()); names.append(f"{col}={level}")
        elif kind == "log":
            columns.append(np.log1p(rows[col].astype(float).to_numpy())); names.append(col)
        else:
            columns.append(rows[col].astype(float).to_numpy()); names.append(col)
    for s in axis.get("signals") or []:
        h = float(axis["half_life_days"])
        e = ev[ev.signal == s]
        sums = (e.value * np.exp2(-e.age / h)).groupby(e.lead_id).sum()
        x = rows.lead_id.map(sums).fillna(0.0).to_numpy()
        if axis.get("saturation") == "log1p":
            x = np.log1p(x)
        columns.append(x); names.append(s)
X = np.column_stack(columns)
y = rows.y.to_numpy()
mean, sd = X.mean(axis=0), X.std(axis=0)  # population sd
Z = (X - mean) / sd
l2 = float(spec["l2"])
model = LogisticRegression(C=1.0 / l2, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(Z, y)
theta = model.coef_[0]
w = theta / sd
b0 = model.intercept_[0] - np.sum(theta * mean / sd)
json.dump({
    "source": "sklearn.linear_model.LogisticRegression(C=1/l2, solver='newton-cholesky') on standardized features recomputed with pandas",
    "sklearn": __import__("sklearn").__version__,
    "rows": int(len(y)), "won": int(y.sum()), "l2": l2,
    "intercept": b0, "weights": dict(zip(names, w.tolist())),
}, open("ridge/expected.json", "w"), indent=2)

# 3. Weighted by deal value -----------------------------------------------------
import os
os.makedirs("weighted", exist_ok=True)   # outcomes.csv and model.yaml; leads.csv and signals.csv are ridge's
raw = pd.read_csv("ridge/outcomes.csv", dtype=str, keep_default_na=False)
rng = np.random.default_rng(7)
amounts = np.exp(9.0 + 0.9 * rng.standard_normal(len(raw)))
text = [f"{a:.2f}" for a in amounts]
for i in rng.choice(len(raw), size=len(raw) // 20, replace=False):
    text[i] = ""   # a deal without a value: it takes the median
raw["amount"] = text
raw.to_csv("weighted/outcomes.csv", index=False)
with open("ridge/model.yaml") as f, open("weighted/model.yaml", "w") as g:
    g.write(f.read().replace("name: ridge-reference", "name: weighted-reference") + "weight_by: amount\namount_cap: 95\n")
# The training rows' amounts, in the rows' order (the first outcome row of each known lead).
amount_of = dict(zip(raw.lead_id, raw.amount))
first = raw[raw.lead_id.isin(leads.lead_id)].drop_duplicates("lead_id", keep="first")
amount_of = dict(zip(first.lead_id, first.amount))
a = np.array([float(amount_of[i]) if amount_of[i] != "" else np.nan for i in rows.lead_id])
known = a[~np.isnan(a)]
cap, median = np.percentile(known, 95), np.percentile(known, 50)   # linear interpolation
sw = np.where(np.isnan(a), median, np.minimum(a, cap))
sw = sw / sw.mean()
model = LogisticRegression(C=1.0 / l2, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(Z, y, sample_weight=sw)
theta = np.concatenate([model.intercept_, model.coef_[0]])
Z1 = np.column_stack([np.ones(len(y)), Z])
p = 1 / (1 + np.exp(-(Z1 @ theta)))
H = (Z1 * (sw * p * (1 - p))[:, None]).T @ Z1 + l2 * np.diag([0.0] + [1.0] * Z.shape[1])
G = Z1 * (sw * (p - y))[:, None]
Hinv = np.linalg.inv(H)
cov = Hinv @ (G.T @ G) @ Hinv
se_theta = np.sqrt(np.diag(cov))[1:]
json.dump({
    "source": "sklearn LogisticRegression(C=1/l2, solver='newton-cholesky').fit(Z, y, sample_weight=w) on the ridge features; sandwich covariance by NumPy",
    "sklearn": __import__("sklearn").__version__,
    "rows": int(len(y)), "l2": l2, "cap": cap, "median": median,
    "intercept": theta[0] - np.sum(theta[1:] * mean / sd),
    "weights": dict(zip(names, (theta[1:] / sd).tolist())),
    "std_errors": dict(zip(names, (se_theta / sd).tolist())),
}, open("weighted/expected.json", "w"), indent=2)
print("wrote spector/expected.json, ridge/expected.json and weighted/expected.json")
