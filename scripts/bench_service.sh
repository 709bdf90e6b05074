#!/usr/bin/env bash
# Service benchmark: `leadcal serve` on loopback, loaded by wrk (Debian's
# package) with single-lead POST /score requests, server and load generator
# sharing the machine's cores. One wrk thread; 16, 32 and 64 connections,
# 10 s each after a 3 s warm-up. Prints requests per second, p50 and p99.
# Usage: scripts/bench_service.sh WEIGHTS.json [BIN]
set -euo pipefail
weights=$1
bin=${2:-.build/release/leadcal}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
port=$((20000 + RANDOM % 20000))
"$bin" serve --weights "$weights" --port "$port" > /dev/null &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done
lua="$(dirname "$0")/bench/score-one-lead.lua"
wrk -t1 -c16 -d3s -s "$lua" "http://127.0.0.1:$port/score" >/dev/null
echo "| connections | requests/s | p50 ms | p99 ms |"
echo "| ---: | ---: | ---: | ---: |"
for c in 16 32 64; do
  wrk -t1 -c$c -d10s --latency -s "$lua" "http://127.0.0.1:$port/score" | awk -v c=$c '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ { p50 = ms($2) } /^ +99%/ { p99 = ms($2) } /^Requests\/sec/ { rps = $2 }
    END { printf "| %d | %.0f | %.2f | %.2f |\n", c, rps, p50, p99 }'
done
