#!/usr/bin/env bash
# Prints the outputs the README shows for the demo dataset, each under a
# "### <command>" line, from a scratch folder (weights/ there), so the README's
# examples can be refreshed from real runs: scripts/readme_outputs.sh > outputs.md
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/.build/release/leadcal
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/datasets" && ln -s "$root/datasets/demo" "$work/datasets/demo"
cd "$work"
run() { echo "### ${*#$bin }"; "$@" 2>&1 | sed "s|$work/||g" || true; echo; }
run "$bin" inspect datasets/demo
run "$bin" fit datasets/demo --out early --train-before 2025-10-01
run "$bin" fit datasets/demo --out weights --train-before 2026-06-01
run "$bin" fit datasets/demo --out weights --train-before 2026-08-01
run "$bin" fit datasets/demo --out weights
a=$(ls weights/*2026-05*.json | head -1); b=$(ls weights/*2026-07*.json | head -1); c=$(ls weights/*2026-10*.json | head -1)
run "$bin" compare "$a" "$b" datasets/demo --capacity 100
run "$bin" compare "$b" "$c" datasets/demo --after 2026-08-01 --capacity 100
run "$bin" score --weights "$c" datasets/demo --as-of 2026-11-01 --out weights/scores.csv
echo "### head -4 weights/scores.csv"; head -4 weights/scores.csv; echo
run "$bin" evaluate --weights "$b" datasets/demo --after 2026-08-01
run "$bin" versions weights
run "$bin" backtest datasets/demo
run "$bin" fit datasets/demo --out auto --train-before 2026-08-01 --l2 auto
# A planted leak: a meeting one minute before as_of for every won deal.
mkdir leaky && cp datasets/demo/*.csv datasets/demo/model.yaml leaky/
python3 - <<'PY'
import csv, datetime
won = ("won", "closed won", "closedwon", "closed-won", "closed_won", "1", "true", "yes")
with open("leaky/outcomes.csv", newline="", encoding="utf-8-sig") as f:
    rows = [r for r in csv.DictReader(f) if r["outcome"].strip().lower() in won]
with open("leaky/signals.csv", encoding="utf-8") as f:
    header = f.readline().strip().split(",")
with open("leaky/signals.csv", "a", encoding="utf-8") as f:
    for r in rows:
        t = datetime.datetime.fromisoformat(r["as_of"].replace("Z", "+00:00")) - datetime.timedelta(minutes=1)
        cells = {"lead_id": r["lead_id"], "signal": "meeting", "occurred_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")}
        f.write(",".join(cells.get(c, "") for c in header) + "\n")
PY
echo "### inspect leaky (excerpt)"; "$bin" inspect leaky | sed -n '/Leakage alarms/,/^$/p'; echo
echo "### fit leaky (warnings)"; "$bin" fit leaky --out leaky-weights | sed -n '/^Warnings/,/^====/p'; echo
run "$bin" fit --recalibrate "$a" datasets/demo --out recal
cp datasets/demo/model.yaml prior.yaml && printf 'prior: parent\nprior_strength: 0.5\n' >> prior.yaml
run "$bin" backtest datasets/demo --spec prior.yaml
sed 's/^\(\s*\)half_life_days: \(.*\)$/\1half_life_days: \2\n\1breadth_days: 14/' datasets/demo/model.yaml > breadth.yaml
echo "### fit datasets/demo --spec breadth.yaml (excerpt)"; "$bin" fit datasets/demo --spec breadth.yaml --out breadth --no-intervals | grep -E "^(context|engagement|history) |_breadth"; echo
cp datasets/demo/model.yaml amount.yaml && printf 'weight_by: amount\namount_cap: 99\n' >> amount.yaml
run "$bin" fit datasets/demo --spec amount.yaml --out amount --train-before 2026-08-01
