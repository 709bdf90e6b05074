# leadcal: the two newcomer commands are `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/release/leadcal
DEMO := datasets/demo
DEMO_SEED := 20261101
SYSTEM_PACKAGES := libopenblas-dev liblapacke-dev

.PHONY: demo test build deps demo-data bench coverage clean

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

# The main job on the shipped demo dataset: check the data, fit a version,
# score every lead with it.
demo: build
	$(BIN) inspect $(DEMO)
	$(BIN) fit $(DEMO) --out $(WEIGHTS)
	$(BIN) score --weights "$$(ls -t $(WEIGHTS)/b2b-default-*.json | head -1)" $(DEMO) --as-of 2026-11-01 --out $(WEIGHTS)/demo-scores.csv

test: deps
	$(SWIFT) test

# Regenerates datasets/demo (checked in; same seed, same bytes).
demo-data: build
	$(BIN) synth --leads 5000 --seed $(DEMO_SEED) --out $(DEMO)

# Benchmarks (release build): fit at 5k/50k/500k leads, hot paths. See README.
bench: deps
	scripts/bench.sh

# Coverage of the 95% intervals on 10 synthetic datasets of 50,000 leads.
coverage: build
	python3 scripts/coverage.py --leads 50000 --seeds 10

clean:
	rm -rf .build weights
