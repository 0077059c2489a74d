# The two commands of the README: `make run` and `make test`. Both set up from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CLIENTS := .venv-clients
CLIENTS_STAMP := $(CLIENTS)/.installed-stamp
NODE_CLIENTS := tests/clients/node_modules/.installed-stamp
APT_PACKAGES := chromium postgresql redis-server poppler-utils curl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
## pytest processes (pytest-xdist; each test file runs whole in one, beside the others;
## the longest files first, as tests/file_costs.json has them).
TEST_WORKERS ?= 2

.PHONY: run test lint typecheck system-deps venv clients bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

## The third-party ClickHouse clients the compatibility tests drive, each in its own
## environment: a Python venv (clickhouse-connect, clickhouse-sqlalchemy + pandas,
## openapi-python-client) and the official Node client from npm.
$(CLIENTS_STAMP): tests/clients/requirements.txt
	$(PYTHON) -m venv $(CLIENTS)
	$(CLIENTS)/bin/pip install --quiet --upgrade pip
	$(CLIENTS)/bin/pip install --quiet -r tests/clients/requirements.txt
	touch $(CLIENTS_STAMP)

$(NODE_CLIENTS): tests/clients/package.json tests/clients/package-lock.json
	cd tests/clients && npm ci --silent --no-audit --no-fund
	touch $(NODE_CLIENTS)

clients: $(CLIENTS_STAMP) $(NODE_CLIENTS)

## Debian packages the tests drive for real (Chromium, PostgreSQL, Redis); installed only if missing.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

## Set up, migrate, load the demo data on first start, and serve http://127.0.0.1:8050
run: $(STAMP)
	$(BIN)/python -m lyceum run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy services data auth lyceum api callbacks components pages app.py bench tests

## Set up from nothing, then ruff, the import contracts, mypy and every test (unit, chDB,
## SQLite, PostgreSQL, browser).
test: system-deps $(STAMP) $(CLIENTS_STAMP) $(NODE_CLIENTS)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy services data auth lyceum api callbacks components pages app.py bench tests
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) $(CLIENTS) tests/clients/node_modules .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
