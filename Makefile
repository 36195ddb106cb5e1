# Jineng: the developer's entry points. Needs only python3.11 (with venv and pip), make and git.
#   make run      migrate and start the four processes in demo mode (127.0.0.1:8000-8003)
#   make migrate  migrate the four databases (DATABASE_URL / <SERVICE>_DATABASE_URL, or var/)
#   make lint     ruff, ruff format --check, mypy --strict, import-linter
#   make test     lint, then the whole suite on SQLite and PostgreSQL (tests/pg.py finds one)
#   make bench    the flow benchmark on PostgreSQL (BENCH_DATABASE_URL / TEST_DATABASE_URL)
#   make bench-scale  a million orders: the hot queries at 10k vs 1M orders, and their plans

SHELL := /bin/bash
.DEFAULT_GOAL := test

# The interpreter comes from the machine, never from a download (uv would fetch one otherwise).
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
PYTEST_ARGS ?=

.PHONY: venv run migrate lint test bench bench-scale

venv: $(VENV)/.synced

# Bootstrap: a plain venv with the pinned uv (the same version as uv.lock's dev group).
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Re-sync only when the lock or the project changes, so repeated runs are instant.
# Bytecode is compiled once here: each of the four processes then starts in about half the time.
$(VENV)/.synced: uv.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv sync --frozen --compile-bytecode --python $(BIN)/python
	touch $@

run: venv
	$(BIN)/python -m scripts.run

migrate: venv
	$(BIN)/python -m plumbing.migrate all

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Floor, services and gateway, interleaved; figures to var/bench/ (docs/PERFORMANCE.md).
# BENCH_ARGS=--quick for a few-second run, --profile enrolment for a pyinstrument report.
BENCH_ARGS ?=
bench: venv
	$(BIN)/python -m bench $(BENCH_ARGS)
# Issue 8: a million orders for 500,000 workers, and the four hot queries timed against
# 10,000 orders (docs/PERFORMANCE.md). BENCH_DATABASE_URL or TEST_DATABASE_URL picks the
# PostgreSQL server; SCALE_ARGS passes options (e.g. --orders 100000 --workers 50000 --keep).
SCALE_ARGS ?=
bench-scale: venv
	$(BIN)/python -m bench.scale $(SCALE_ARGS)
