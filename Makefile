# Symfonie: `make run` and `make test` are the two commands of the README; `make check` is CI.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/symfonie
PYTEST_ARGS ?= -n 2

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies (requirements.lock)

run: $(STAMP) ## set up (migrate, demo data once) and serve http://127.0.0.1:8000 on SQLite
	$(BIN)/symfonie migrate
	$(BIN)/symfonie demo
	$(BIN)/symfonie serve --host 127.0.0.1 --port 8000

test: $(STAMP) ## run the whole test suite (SQLite)
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) ## run the whole test suite on PostgreSQL ($$PG_URL)
	@$(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=5).close()" \
		|| (echo "PostgreSQL at $(PG_URL) is unreachable: failing, not skipping" >&2; exit 1)
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff, mypy (strict on the domain core), import contracts, migrations in step
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	SYMFONIE_DATA_DIR=$$(mktemp -d) $(BIN)/symfonie manage makemigrations --check --dry-run

check: lint test test-postgres ## what CI runs: lint + the suite on SQLite and on PostgreSQL

BENCH_VENV := .venv-bench
$(BENCH_VENV)/.installed: requirements.lock pyproject.toml
	test -d $(BENCH_VENV) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -r requirements.lock pyworkforce==0.5.1 simpy==4.1.2
	$(BENCH_VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

bench: $(BENCH_VENV)/.installed ## run the benchmarks (peers installed in .venv-bench); JSON in bench/results/
	$(BENCH_VENV)/bin/python bench/run.py

messages: $(STAMP) ## update and compile the Dutch translations
	cd src/symfonie && ../../$(BIN)/symfonie manage makemessages -l nl --ignore 'domain/*' && ../../$(BIN)/symfonie manage compilemessages

clean: ## remove the virtualenv and local data
	rm -rf $(VENV) $(BENCH_VENV) var

.PHONY: help install run test test-postgres lint check bench messages clean
