# leadcal: the two newcomer commands are `make demo` and `make test`.
SWIFT ?= swift
BIN := .build/release/leadcal
DEMO := datasets/demo
DEMO_SEED := 20261101
SYSTEM_PACKAGES := libopenblas-dev liblapacke-dev

.PHONY: demo test build deps demo-data clean

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

# The main job on the shipped demo dataset.
demo: build
	$(BIN) inspect $(DEMO)

test: deps
	$(SWIFT) test

# Regenerates datasets/demo (checked in; same seed, same bytes).
demo-data: build
	$(BIN) synth --leads 5000 --seed $(DEMO_SEED) --out $(DEMO)

clean:
	rm -rf .build weights
