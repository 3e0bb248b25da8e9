# tanlian — the two front-door commands are `make run` and `make test`; both install on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: install run test lint typecheck pytest compile-contracts clean

install: $(STAMP) $(NPM_STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[node,dev]'
	@touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	$(BIN)/tanlian serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy node_service footprint_engine identifier_resolver supplier_portal meter_gateway contracts

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

compile-contracts: install
	$(BIN)/python -m contracts.compile

clean:
	rm -rf $(VENV) node_modules
