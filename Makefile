# Two commands on a fresh machine: `make demo` and `make test`.
VENV   ?= .venv
DEMO_ARGS ?=   # e.g. make demo DEMO_ARGS="--billing-port 5101 --reports-port 5102"
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
# What the demo runs on: the Flask extension, the FastAPI adapter (audit), the local IdP and
# provisioning (no dev tools).
DEMO_EXTRAS := flask,fastapi,local,provision
APT_PACKAGES := chromium redis-server

.PHONY: install system-deps demo test lint package-check format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(STAMP)

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[$(DEMO_EXTRAS)]'
	touch $@

# Debian packages the test-suite drives for real (Chromium for the browser tests, redis-server
# for the Redis session store). Installed when missing and we may use apt-get.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  echo "installing Debian packages:$$missing"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: $(DEMO_STAMP)
	$(BIN)/cognito-sso demo $(DEMO_ARGS)

test: install system-deps
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Build the sdist and wheel, twine-check them, and try the wheel in clean virtualenvs
# (no extras: verify a token; [flask]: a protected view), printing each installed size.
package-check: install
	$(BIN)/python tests/packaging/check_dist.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks and long load/fault runs (see bench/README.md); rewrites docs/performance.md and
# docs/reliability.md from the results. Needs Debian's wrk as the load generator.
bench: install system-deps
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run_all

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-output
