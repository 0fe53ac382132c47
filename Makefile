# Quick start: `make run` (install, demo data, whole pipeline, report) and `make test` (install, every test).
# Settings (environment variables, defaults in brackets): LANDING_DIR [data/landing],
# WAREHOUSE_PATH [warehouse/analytics.duckdb], DAGSTER_HOME [.dagster_home], PII_HASH_SALT [demo salt],
# DEMO_DATA [auto: generate demo data into an empty landing folder; never].

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
REPORT_PORT ?= 4173

# Every target runs with the project's virtual environment first on PATH (as if it were activated).
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_DISABLE_TELEMETRY := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

.PHONY: help install install-python install-report install-browser install-java run test lint dev report demo-data dbt-parse clean

help:
	@echo "make run        install everything, generate demo data if the landing folder is empty, run the pipeline, build the report"
	@echo "make test       install everything and run every test"
	@echo "make dev        Dagster UI with the asset graph (http://127.0.0.1:3000)"
	@echo "make report     serve the built report on http://127.0.0.1:$(REPORT_PORT)"
	@echo "make demo-data  (re)generate the demo landing files"

install: install-python install-report

install-python: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null; \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); }
	$(BIN)/uv sync --frozen --inexact --all-groups --python $(BIN)/python
	@touch $@

install-report: reports/node_modules/.installed

reports/node_modules/.installed: reports/package.json reports/package-lock.json
	cd reports && npm ci --no-audit --no-fund
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

run: install
	$(BIN)/python -m orchestration.run

test: install install-browser install-java lint
	$(BIN)/python -m pytest

# ruff for Python; sqlfluff (dbt templater, DuckDB dialect, rules in .sqlfluff) for the models' SQL.
lint: install-python
	$(BIN)/ruff check orchestration tests benchmarks
	WAREHOUSE_PATH=$(CURDIR)/target/sqlfluff.duckdb $(BIN)/sqlfluff lint models tests/singular

dev: install dbt-parse
	$(BIN)/dagster dev -m orchestration.definitions

report: install-python
	$(BIN)/python -m orchestration.reports.serve --port $(REPORT_PORT)

demo-data: install-python
	$(BIN)/python -m orchestration.demo_data --out $${LANDING_DIR:-data/landing}

clean:
	rm -rf warehouse target logs .dagster_home reports/build reports/.evidence reports/sources/warehouse/report.duckdb
