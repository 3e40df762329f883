# Territoires connectés — the two commands of the README, and their helpers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCALE := service/locale
export TERRITOIRES_DATA_DIR ?= $(CURDIR)/var

.PHONY: install run test lint format bench clean messages catalogues

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

## test: set everything up and run the whole test suite, on TEST_WORKERS processes
TEST_WORKERS ?= 3
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## lint: ruff (lint and format check), mypy strict on every package, the layer contracts
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## messages: extract the interface texts (French) and update the English catalogue to translate
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --add-comments=TRANSLATORS: --add-location=file \
		--sort-output --project="Territoires connectés" --copyright-holder="Territoires connectés" \
		-o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -l en --init-missing \
		--ignore-obsolete

## catalogues: compile the translated catalogues (.po) into the .mo files the service reads
catalogues: install
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: run the performance and quality benchmarks (prints their figures)
bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
