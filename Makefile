# Territoires connectés — the two commands of the README, and their helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export TERRITOIRES_DATA_DIR ?= $(CURDIR)/var

.PHONY: install run test lint format bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## install: create .venv and install the project with its pinned dependencies
install: $(STAMP)

## run: set everything up, load reference and demo data, serve on http://127.0.0.1:8000
run: install
	$(BIN)/territoires prepare
	$(BIN)/territoires serve

## test: set everything up and run the whole test suite
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

## lint: ruff (lint and format check) and mypy strict on the pure packages
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: run the performance and quality benchmarks (prints their figures)
bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
