#!/usr/bin/env bash
# Runs each libFuzzer target (built by `make fuzz` in Fuzz/) for SECONDS,
# seeded from the corpus of broken and hostile inputs (Tests/LeadcalDataTests/Corpus)
# and Fuzz/seeds. A crash stops the run with a non-zero status; the input that
# crashed is kept in Fuzz/.artifacts/<target>/ and becomes a corpus case once fixed.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
bin=Fuzz/.build/debug
corpus=Tests/LeadcalDataTests/Corpus
work=Fuzz/.corpus
rm -rf "$work"
mkdir -p "$work"/{csv,spec,weights,request} Fuzz/.artifacts
# Seeds: every CSV of the corpus (its first byte chooses leads, signals or outcomes), every spec,
# every weights file, and the request samples.
n=0
while IFS= read -r -d '' f; do
  case "$(basename "$f")" in leads.csv) p='\x00';; signals.csv) p='\x01';; *) p='\x02';; esac
  { printf "$p"; head -c 65536 "$f"; } > "$work/csv/$n"; n=$((n + 1))
done < <(find "$corpus" -type f -name '*.csv' -size -2M -print0)
find "$corpus" -type f -name 'model.yaml' -print0 | while IFS= read -r -d '' f; do cp "$f" "$work/spec/$(echo "$f" | md5sum | cut -c1-12)"; done
find "$corpus" -type f -name '*.json' ! -name case.json -print0 | while IFS= read -r -d '' f; do cp "$f" "$work/weights/$(echo "$f" | md5sum | cut -c1-12)"; done
cp Fuzz/seeds/request/* "$work/request/"
export LEADCAL_FUZZ_WEIGHTS=$corpus/_shared/weights.json
status=0
for target in csv spec weights request; do
  name=Fuzz$(echo "${target:0:1}" | tr a-z A-Z)${target:1}
  [ "$target" = csv ] && name=FuzzCSV
  mkdir -p "Fuzz/.artifacts/$target"
  echo "== $name, ${seconds} s"
  if ! "$bin/$name" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="Fuzz/.artifacts/$target/" "$work/$target" 2> "Fuzz/.artifacts/$target.log"; then
    echo "$name FOUND A CRASH: $(ls -t Fuzz/.artifacts/$target/ | head -1)"; tail -40 "Fuzz/.artifacts/$target.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "Fuzz/.artifacts/$target.log" | tail -2
  fi
done
exit $status
