# Quick start: `make run` (install the runtime, demo data, whole pipeline, report) and `make test` (install everything,
# every test).
# Settings (environment variables, defaults in brackets): LANDING_DIR [data/landing],
# WAREHOUSE_PATH [warehouse/analytics.duckdb], DAGSTER_HOME [.dagster_home], PII_HASH_SALT [demo salt],
# DEMO_DATA [auto: generate demo data into an empty landing folder; never].

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
REPORT_PORT ?= 4173
DAGSTER_PORT ?= 3000
DOCS_PORT ?= 8580

# Every target runs with the project's virtual environment first on PATH (as if it were activated).
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

.PHONY: help prerequisites install install-runtime install-python install-python-all install-report install-browser install-java run test lint dev report demo-data dbt-parse clean serve docs docs-serve

help:
	@echo "make run        install the runtime, generate demo data if the landing folder is empty, run the pipeline, build the report"
	@echo "make test       install everything (runtime, test tools, linters, the Spark target) and run every test"
	@echo "make install    install everything without running anything (make install-runtime: what make run needs)"
	@echo "make dev        Dagster UI with the asset graph (http://127.0.0.1:3000)"
	@echo "make report     serve the built report on http://127.0.0.1:$(REPORT_PORT)"
	@echo "make demo-data  (re)generate the demo landing files"
	@echo "make serve      the long-running deployment: Dagster daemon (schedules, sensors, alerts) + UI (http://127.0.0.1:$(DAGSTER_PORT))"
	@echo "make docs       dbt's documentation site with lineage to the report pages, built offline into target/"
	@echo "make docs-serve serve that site on http://127.0.0.1:$(DOCS_PORT)"

# What the project needs from the machine; each missing or too old one is named, with what to install.
# Tested: Linux x86-64, Python 3.11, Node.js 20, npm 11 (docs/running.md, "Where it runs").
prerequisites:
	@missing=0; \
	if ! command -v $(PYTHON) >/dev/null 2>&1; then \
	  echo "make: $(PYTHON) not found. This project needs Python 3.11 (Debian/Ubuntu: apt-get install python3.11 python3.11-venv; or pyenv install 3.11), or set PYTHON=/path/to/python3.11." >&2; missing=1; \
	elif ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  echo "make: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())' 2>/dev/null || echo '(it does not run)'), this project needs 3.11 (dbt-core 1.11, dagster 1.13 and great-expectations 1.24 are pinned together on it); set PYTHON=/path/to/python3.11." >&2; missing=1; \
	elif ! $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
	  echo "make: $(PYTHON) has no venv/ensurepip module (Debian/Ubuntu: apt-get install python3.11-venv)." >&2; missing=1; \
	fi; \
	if ! command -v node >/dev/null 2>&1; then \
	  echo "make: node not found. The report (Evidence) needs Node.js 18 or later, 20 is tested (Debian/Ubuntu: apt-get install nodejs npm)." >&2; missing=1; \
	elif ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'; then \
	  echo "make: node is $$(node --version), the report (Evidence 40) needs Node.js 18 or later (20 is tested)." >&2; missing=1; \
	fi; \
	if ! command -v npm >/dev/null 2>&1; then \
	  echo "make: npm not found. It installs the report's packages from reports/package-lock.json (apt-get install npm)." >&2; missing=1; \
	elif [ "$$(npm --version | cut -d. -f1)" -lt 7 ]; then \
	  echo "make: npm is $$(npm --version), reports/package-lock.json (lockfileVersion 3) needs npm 7 or later (11 is tested)." >&2; missing=1; \
	fi; \
	if [ "$$(uname -s)/$$(uname -m)" != "Linux/x86_64" ]; then \
	  echo "make: note: $$(uname -s)/$$(uname -m) is not tested here (Linux x86-64 is); see docs/running.md, \"Where it runs\"." >&2; \
	fi; \
	exit $$missing

# `make run` installs the runtime (install-runtime); `make install` and `make test` install everything (the dev and
# spark groups too). npm ci always runs with an empty, temporary cache; under `make test` uv does as well, so a
# package the registry no longer serves fails CI instead of hiding in a warm cache.
FRESH_CACHE ?=
test: FRESH_CACHE = 1

install: install-python-all install-report
install-runtime: install-python install-report

install-python: $(VENV)/.installed-runtime
install-python-all: $(VENV)/.installed-all

$(VENV)/bin/uv: | prerequisites
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# $(1): the groups to sync. The runtime has none; everything is --all-groups (dev: pytest, ruff, sqlfluff; spark).
define uv_sync
	@if [ -n "$(FRESH_CACHE)" ]; then cache=$$(mktemp -d); else cache=; fi; \
	trap '[ -n "$$cache" ] && rm -rf "$$cache"' EXIT; \
	echo "$(BIN)/uv sync --frozen --inexact $(1)$${cache:+ (empty cache $$cache)}"; \
	$(BIN)/uv sync --frozen --inexact $(1) --python $(BIN)/python $${cache:+--cache-dir "$$cache"}
endef

$(VENV)/.installed-runtime: pyproject.toml uv.lock | $(VENV)/bin/uv
	$(call uv_sync,--no-default-groups)
	@touch $@

$(VENV)/.installed-all: pyproject.toml uv.lock | $(VENV)/bin/uv
	$(call uv_sync,--all-groups)
	@touch $@ $(VENV)/.installed-runtime

install-report: reports/node_modules/.installed

# Always an empty, temporary npm cache: what installs here installs on a fresh machine (reports/README.md, Lockfile).
reports/node_modules/.installed: reports/package.json reports/package-lock.json | prerequisites
	node reports/scripts/check-lock.mjs
	@cache=$$(mktemp -d); trap 'rm -rf "$$cache"' EXIT; \
	echo "cd reports && npm ci --no-audit --no-fund (empty cache $$cache)"; \
	cd reports && npm ci --no-audit --no-fund --cache "$$cache"
	@touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download does not work offline).
install-browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; }

# Java 17 for the Spark target (pyspark carries Spark itself; a local session needs only a JRE).
install-java:
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless; }

dbt-parse: install-python
	$(BIN)/dbt parse --quiet --project-dir . --profiles-dir .

run: install-runtime
	$(BIN)/python -m orchestration.run

test: install install-browser install-java lint
	$(BIN)/python -m pytest

# ruff for Python; sqlfluff (dbt templater, DuckDB dialect, rules in .sqlfluff) for the models' SQL.
lint: install-python-all
	$(BIN)/ruff check orchestration tests benchmarks
	WAREHOUSE_PATH=$(CURDIR)/target/sqlfluff.duckdb $(BIN)/sqlfluff lint models tests/singular

dev: install-runtime dbt-parse
	$(BIN)/dagster dev -m orchestration.definitions

report: install-python
	$(BIN)/python -m orchestration.reports.serve --port $(REPORT_PORT)

demo-data: install-python
	$(BIN)/python -m orchestration.demo_data --out $${LANDING_DIR:-data/landing}

# The long-running deployment (docs/deployment.md): Dagster's daemon (the 02:00 schedule, the sensors, the run queue,
# run retries, the alerts) and its webserver, on DAGSTER_HOME with deploy/dagster.yaml, until stopped (Ctrl-C).
serve: install-runtime
	DAGSTER_PORT=$(DAGSTER_PORT) bash deploy/serve.sh

# dbt's documentation site (lineage from the raw sources to the report pages, models/marts/exposures.yml), offline:
# target/static_index.html is one self-contained file; target/index.html + manifest.json + catalog.json for docs-serve.
docs: install-python
	$(BIN)/dbt docs generate --static --project-dir . --profiles-dir .

docs-serve: docs
	$(BIN)/dbt docs serve --project-dir . --profiles-dir . --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

clean:
	rm -rf warehouse target logs .dagster_home reports/build reports/.evidence reports/sources/warehouse/report.duckdb
