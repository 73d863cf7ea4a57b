PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-js lint bench clean

# Idempotent: re-installs only when pyproject.toml changes.
install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,sdk]'
	touch $(STAMP)

run: install
	$(BIN)/mockgraph serve $(ARGS)

test: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Microsoft's JavaScript clients against a live mock (examples/js; needs Node 20+ and npm).
JS := examples/js

test-js: install $(JS)/node_modules/.installed
	MOCKGRAPH=$(CURDIR)/$(BIN)/mockgraph $(JS)/run-tests.sh

$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --no-audit --no-fund
	touch $@

lint: install
	$(BIN)/ruff check mockgraph tests examples bench

bench: install
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
