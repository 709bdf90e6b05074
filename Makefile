# leadcal: the two newcomer commands are `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/release/leadcal
DEMO := datasets/demo
DEMO_SEED := 20261101
SYSTEM_PACKAGES := libopenblas-dev liblapacke-dev

.PHONY: demo test build deps demo-data bench coverage notebook check-exports check-sql venv install fuzz clean

# Installs the BLAS/LAPACK development packages when missing (as root), or
# says how to.
deps:
	@if ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(SYSTEM_PACKAGES)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else \
	    echo "leadcal needs OpenBLAS and LAPACKE. Run:"; \
	    echo "  sudo apt-get install -y $(SYSTEM_PACKAGES)"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build -c release --product leadcal

WEIGHTS := weights
NOTEBOOK := notebooks-export/demo-report
LATEST = $$(ls -t $(WEIGHTS)/b2b-default-*.json | sed -n 1p)
PREVIOUS = $$(ls -t $(WEIGHTS)/b2b-default-*.json | sed -n 2p)

# The monthly routine on the shipped demo dataset: check the data; fit last
# month's version and this month's (trained up to a later cut); compare them on
# the outcomes neither trained on; score every lead with the new one; export
# the analysts' notebook (with the monthly backtest).
demo: build
	$(BIN) inspect $(DEMO)
	$(BIN) fit $(DEMO) --out $(WEIGHTS) --train-before 2026-06-01
	$(BIN) fit $(DEMO) --out $(WEIGHTS) --train-before 2026-08-01
	$(BIN) versions $(WEIGHTS)
	$(BIN) compare "$(PREVIOUS)" "$(LATEST)" $(DEMO) --after 2026-08-01 --capacity 100
	$(BIN) score --weights "$(LATEST)" $(DEMO) --as-of 2026-11-01 --out $(WEIGHTS)/demo-scores.csv --force
	$(BIN) report --weights "$(LATEST)" --baseline "$(PREVIOUS)" $(DEMO) --after 2026-08-01 --backtest --out $(WEIGHTS)/demo-report --force

# Python tools around the product (notebook execution, SQL engines, reference
# scripts, the benchmark peer), in a virtual environment: `make venv`.
VENV := .venv
PY := $(VENV)/bin/python
PYTHON_PACKAGES := nbformat nbclient ipykernel pandas matplotlib jsonschema duckdb pyspark numpy scipy \
	scikit-learn statsmodels pyarrow pyyaml
$(PY):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q $(PYTHON_PACKAGES)
venv: $(PY)
# The venv's Python when there is one, else the system's (the SQL checks skip what it lacks).
PYTHON = $$([ -x $(PY) ] && echo $(PY) || echo python3)

# Regenerates notebooks-export/demo-report.ipynb, executed, with its outputs.
notebook: demo $(PY)
	rm -rf $(NOTEBOOK) $(NOTEBOOK).ipynb
	$(BIN) report --weights "$(LATEST)" --baseline "$(PREVIOUS)" $(DEMO) --after 2026-08-01 --backtest --out $(NOTEBOOK)
	$(PY) scripts/execute_notebook.py $(NOTEBOOK).ipynb --inplace

# What CI checks beyond the tests: the exported notebook runs, and a written
# weights file matches the schema and its checksum.
check-exports: demo $(PY)
	$(PY) scripts/execute_notebook.py $(WEIGHTS)/demo-report.ipynb
	$(PY) scripts/check_weights.py "$(LATEST)"
	cd Examples/embedded-scorer && $(SWIFT) build -c release
	Examples/embedded-scorer/.build/release/score-one "$(LATEST)"

# The Swift test suites (the corpus of broken inputs among them), then the
# exported SQL on real engines against the Swift scorer, on the demo data and on
# a dataset whose every name is hostile (an engine that is absent is skipped,
# saying why; CI sets LEADCAL_REQUIRE_ENGINES=1, which makes that a failure).
test: deps
	$(SWIFT) test
	$(MAKE) check-sql

check-sql: build
	$(PYTHON) scripts/check_sql.py $(DEMO) --leadcal $(BIN)
	$(PYTHON) scripts/check_sql.py $(DEMO) --leadcal $(BIN) --breadth 14
	$(PYTHON) scripts/check_hostile.py --leadcal $(BIN)

# Regenerates datasets/demo (checked in; same seed, same bytes).
demo-data: build
	$(BIN) synth --leads 5000 --seed $(DEMO_SEED) --out $(DEMO) --force

# Benchmarks (release builds): leadcal on a 500,000-lead export in time order and
# grouped by lead, beside the Python peer, DuckDB, PostgreSQL, CSV.swift and wrk,
# in one invocation. See README, Performance.
bench: deps
	scripts/bench.sh

# Coverage of the 95% intervals on 40 time-ordered synthetic datasets of 50,000
# leads, at l2 0 and the default, joint and conditional standard errors.
coverage: build
	python3 scripts/coverage.py --leads 50000 --seeds 40

# libFuzzer on the parsers of untrusted input (CSV, spec, weights file, service
# requests), FUZZ_SECONDS each, seeded from the corpus of broken inputs.
FUZZ_SECONDS ?= 30
fuzz: deps
	cd Fuzz && $(SWIFT) build -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
	scripts/fuzz.sh $(FUZZ_SECONDS)

# Installs the binary and its shell completions under PREFIX (default ~/.local).
PREFIX ?= $(HOME)/.local
install: build
	install -d $(PREFIX)/bin $(PREFIX)/share/bash-completion/completions $(PREFIX)/share/zsh/site-functions $(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(PREFIX)/bin/leadcal
	$(BIN) --generate-completion-script bash > $(PREFIX)/share/bash-completion/completions/leadcal
	$(BIN) --generate-completion-script zsh > $(PREFIX)/share/zsh/site-functions/_leadcal
	$(BIN) --generate-completion-script fish > $(PREFIX)/share/fish/vendor_completions.d/leadcal.fish
	@echo "installed $(PREFIX)/bin/leadcal; make sure $(PREFIX)/bin is on your PATH"

clean:
	rm -rf .build weights $(VENV)
