#!/usr/bin/env bash
# Benchmarks of leadcal in a release build: fit time and peak memory at 5,000,
# 50,000 and 500,000 synthetic leads (median of 3 runs, CSV to written output),
# then the hot paths on the largest dataset. Datasets are generated once into
# ${LEADCAL_BENCH_DIR:-/tmp/leadcal-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/leadcal
dir=${LEADCAL_BENCH_DIR:-/tmp/leadcal-bench}
sizes=${SIZES:-"5000 50000 500000"}
swift build -c release --product leadcal >/dev/null
swift build -c release --product leadcal-bench >/dev/null
mkdir -p "$dir"
echo "| leads | signal rows | CSV MB | total s | load s | features s | solver s | intervals s | peak MB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in $sizes; do
  d="$dir/$n"
  [ -f "$d/truth.json" ] || "$bin" synth --leads "$n" --seed 5 --out "$d" >/dev/null
  rows=$(($(wc -l < "$d/signals.csv") - 1))
  mb=$(du -cm "$d"/leads.csv "$d"/signals.csv "$d"/outcomes.csv | tail -1 | cut -f1)
  runs=()
  for r in 1 2 3; do
    rm -rf "$d/weights"
    out=$( { /usr/bin/time -f "%M" "$bin" fit "$d" --out "$d/weights" --json > "$d/fit.json"; } 2>&1 | tail -1)
    runs+=("$(python3 -c "import json;s=json.load(open('$d/fit.json'))['seconds'];print(s['total'],s['load'],s['features'],s['solver'],s['intervals'],$out/1024)")")
  done
  python3 - "$n" "$rows" "$mb" "${runs[@]}" <<'PY'
import sys, statistics
n, rows, mb, *runs = sys.argv[1:]
cols = list(zip(*[map(float, r.split()) for r in runs]))
med = [statistics.median(c) for c in cols]
print(f"| {int(n):,} | {int(rows):,} | {mb} | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.2f} | {med[3]:.2f} | {med[4]:.2f} | {med[5]:.0f} |")
PY
done
echo
last=$(echo $sizes | awk '{print $NF}')
# Scoring from CSV to CSV with the last fit's weights, median of 3.
w=$(ls -t "$dir/$last/weights"/*.json | head -1)
for r in 1 2 3; do
  { /usr/bin/time -f "%e %M" "$bin" score --weights "$w" "$dir/$last" --as-of 2026-11-01 --out "$dir/$last/scores.csv" >/dev/null; } 2>&1 | tail -1
done | sort -n | sed -n 2p | awk -v n="$last" '{printf "score, CSV to CSV, %d leads: %.2f s, peak %.0f MB (median of 3)\n", n, $1, $2/1024}'
.build/release/leadcal-bench "$dir/$last"

# Bulk scoring beside the same model as SQL (DuckDB over the CSVs, PostgreSQL on
# loaded tables), and the scoring service under wrk, in the same run.
python=$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)
echo
"$python" scripts/bench_sql.py "$dir/$last" --weights "$w" --leadcal "$bin"
echo
scripts/bench_service.sh "$w" "$bin" 2>/dev/null
