# Pyrewatch developer tasks. Every target bootstraps its own virtual environment (.venv) with
# the python3 on PATH (3.11+), so a fresh clone needs nothing else.
#   make serve   install and run the server (SQLite in ~/.pyrewatch unless configured)
#   make test    install test dependencies, then lint, type-check and run the whole suite

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.DEFAULT_GOAL := help
.PHONY: help install install-test serve test lint typecheck fmt check bench vendor

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.runtime: $(BIN)/python pyproject.toml
	$(PIP) install -e .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(PIP) install -e '.[test]'
	@touch $@

install: $(VENV)/.runtime ## install the server into .venv

install-test: $(VENV)/.test ## install the server and the test dependencies into .venv

serve: install ## install, then run `pyrewatch serve` (configure with PHOENIX_* variables)
	$(BIN)/pyrewatch serve

lint: install-test ## ruff (format and lint) and the import-layer contracts
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/lint-imports

typecheck: install-test ## mypy --strict on the package and the tests
	$(BIN)/mypy

# Tests run in parallel worker processes (pytest-xdist); each worker has its own PostgreSQL
# database. Much of a test's time is spent waiting on databases and server processes, so more
# workers than cores pays. Override with `make test TEST_WORKERS=0` to run in one process.
TEST_WORKERS ?= 4

test: lint typecheck ## the whole gate: lint, types, then every test on SQLite and PostgreSQL
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=10

check: test ## alias of test

fmt: install-test ## format and fix what ruff can
	$(BIN)/ruff format src tests $(wildcard bench)
	$(BIN)/ruff check --fix src tests $(wildcard bench)

bench: install-test ## run the benchmarks in bench/ (see bench/README.md)
	$(BIN)/python bench/run.py

vendor: ## re-fetch the web UI's vendored assets from npm (pinned versions, integrity-checked)
	scripts/vendor.sh
