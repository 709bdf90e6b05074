#!/usr/bin/env bash
# `make bench`: release builds, then scripts/bench.py (leadcal on time-ordered and
# lead-grouped exports, beside the expert Python peer, DuckDB, PostgreSQL,
# yaslab/CSV.swift and wrk, in one invocation). Datasets are generated once into
# ${LEADCAL_BENCH_DIR:-/tmp/leadcal-bench}. Extra arguments go to bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product leadcal >/dev/null
swift build -c release --product leadcal-bench >/dev/null
python=$([ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)
exec "$python" scripts/bench.py "$@"
