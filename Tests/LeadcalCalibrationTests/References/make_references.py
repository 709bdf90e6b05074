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
print("wrote spector/expected.json and ridge/expected.json")
