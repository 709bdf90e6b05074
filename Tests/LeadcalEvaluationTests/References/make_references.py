#!/usr/bin/env python3
"""Reference values for leadcal's metric functions, from scikit-learn.
Run from this folder:  python3 make_references.py   (pip install scikit-learn)
Writes sklearn.json: roc_auc_score, log_loss and brier_score_loss on fixed
vectors, with tied scores and probabilities at 0 and 1."""
import json
import sklearn
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score

y = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0]
p = [0.9, 0.1, 0.8, 0.4, 0.4, 0.2, 0.4, 0.7, 0.05, 0.6, 0.3, 0.95, 0.3, 0.5, 0.5, 0.0]
q = [1.0, 0.2, 0.6, 0.6, 0.6, 0.1, 0.3, 0.3, 0.2, 0.8, 0.2, 0.7, 0.4, 0.45, 0.9, 0.01]
out = {"sklearn": sklearn.__version__, "y": y, "p": p, "q": q}
for name, s in [("p", p), ("q", q)]:
    out[name + "_metrics"] = {"auc": roc_auc_score(y, s), "log_loss": log_loss(y, s), "brier": brier_score_loss(y, s)}
json.dump(out, open("sklearn.json", "w"), indent=2)
