PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: serving needs only the package; tests, lint and bench need the extras too.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# Idempotent: re-installs only when pyproject.toml changes.
.PHONY: install
install: $(DEV_STAMP)

.PHONY: install-run
install-run: $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(PIP) -e '.[dev,sdk]'
	touch $(DEV_STAMP)

.PHONY: run
run: install-run
	$(BIN)/mockgraph serve $(ARGS)

.PHONY: test
test: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Microsoft's JavaScript clients against a live mock (examples/js; needs Node 20+ and npm).
JS := examples/js

.PHONY: test-js
test-js: install-run $(JS)/node_modules/.installed
	MOCKGRAPH=$(CURDIR)/$(BIN)/mockgraph $(JS)/run-tests.sh

$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && npm ci --no-audit --no-fund
	touch $@

.PHONY: lint
lint: install
	$(BIN)/ruff check mockgraph tests examples bench

.PHONY: bench
bench: install
	$(BIN)/python -m bench $(ARGS)

.PHONY: clean
clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache

# The inspector in a real browser: Debian's chromium (apt-get install chromium), driven by Playwright.
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[browser]'
	touch $(BROWSER_STAMP)

.PHONY: test-browser
test-browser: $(BROWSER_STAMP)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

# Regenerates docs/inspector.png from the browser test that takes it.
.PHONY: screenshot
screenshot: $(BROWSER_STAMP)
	$(BIN)/python -m pytest -q tests/browser/test_screenshot.py --screenshot docs/inspector.png
