PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean test-browser screenshot

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

lint: install
	$(BIN)/ruff check mockgraph tests examples bench

bench: install
	$(BIN)/python -m bench $(ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# The inspector in a real browser: Debian's chromium (apt-get install chromium), driven by Playwright.
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

# Regenerates docs/inspector.png from the browser test that takes it.
screenshot: $(BROWSER_STAMP)
	$(BIN)/python -m pytest -q tests/browser/test_screenshot.py --screenshot docs/inspector.png
