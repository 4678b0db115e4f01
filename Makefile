# casedesk — `make run` serves the app with the demo set up; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
CASEDESK_BIND ?= 127.0.0.1:8000
DEMO_PASSWORD := demo-pass-2026

.PHONY: run test test-deps setup assets db demo bench clean translations messages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed assets translations

# Browser assets (bpmn-js) come from npm, pinned by package-lock.json; node_modules is never committed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The owner modeler (bpmn-js + properties panel + casedesk's provider) bundled from web/owner/js by esbuild.
build/assets/owner-modeler.js: node_modules/.package-lock.json $(wildcard web/owner/js/*.js)
	node_modules/.bin/esbuild web/owner/js/owner-modeler.js --bundle --minify --format=iife --target=es2019 --outfile=$@ --log-level=warning

# The owner's decision-table editor (dmn-js with its CSS) bundled the same way into build/assets/owner-dmn.{js,css}.
build/assets/owner-dmn.js: node_modules/.package-lock.json web/owner/js/owner-dmn.js
	node_modules/.bin/esbuild web/owner/js/owner-dmn.js --bundle --minify --format=iife --target=es2019 --loader:.woff=file --loader:.woff2=file --loader:.eot=file --loader:.ttf=file --loader:.svg=file --asset-names=[name] --outfile=$@ --log-level=warning

assets: node_modules/.package-lock.json build/assets/owner-modeler.js build/assets/owner-dmn.js

db: setup
	$(BIN)/casedesk migrate
	$(BIN)/casedesk deploy processes --user setup

# Demo organisation for the embedded default only; never part of a production set-up.
demo: db
	@$(BIN)/casedesk demo-org --embedded-only --password $(DEMO_PASSWORD)

# One job worker (timers, retries, timer starts) runs beside the web server; Ctrl-C stops both.
# Customer notices go to the local outbox (administrators read it at /admin/outbox) unless set otherwise.
run: demo
	@echo "serving casedesk on http://$(CASEDESK_BIND) (health: /healthz) with one job worker"
	CASEDESK_NOTIFY_TRANSPORT=$${CASEDESK_NOTIFY_TRANSPORT:-outbox} $(BIN)/casedesk serve --bind $(CASEDESK_BIND)

# Debian packages the suite needs (python3.11, npm, PostgreSQL, chromium, CJK fonts), installed when missing.
test-deps:
	@PYTHON=$(PYTHON) tools/system_deps.sh

test: test-deps setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/timers.py
	$(BIN)/python bench/replay.py
	$(BIN)/python bench/http.py

clean:
	rm -rf $(VENV) var *.egg-info

# Translation catalogues: web/translations/*/LC_MESSAGES/messages.po are the sources; .mo files are built.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d web/translations

# After changing user-facing text: refresh the catalogue, then translate the new entries in the .po file.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F web/babel.cfg -k _l -k N_ -o var/messages.pot web forms casework handlers engine
	$(BIN)/pybabel -q update -i var/messages.pot -d web/translations
