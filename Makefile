# casedesk — `make run` serves the app with the demo set up; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CASEDESK_BIND ?= 127.0.0.1:8000
DEMO_PASSWORD := demo-pass-2026

.PHONY: run test setup assets db demo bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed assets

# Browser assets (bpmn-js) come from npm, pinned by package-lock.json; node_modules is never committed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: node_modules/.package-lock.json

db: setup
	$(BIN)/casedesk migrate
	$(BIN)/casedesk deploy processes --user setup

# Demo organisation for the embedded default only; never part of a production set-up.
demo: db
	@$(BIN)/casedesk demo-org --password $(DEMO_PASSWORD)

# One job worker (timers, retries, timer starts) runs beside the web server; Ctrl-C stops both.
run: demo
	@echo "serving casedesk on http://$(CASEDESK_BIND) (health: /healthz) with one job worker"
	$(BIN)/casedesk serve --bind $(CASEDESK_BIND)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/timers.py

clean:
	rm -rf $(VENV) var *.egg-info
