# Two commands for a fresh machine with Python 3.11, make and git:
#   make run    the app with the Bamako demo on SQLite and in-process tasks, at http://127.0.0.1:8000
#   make test   the whole test suite (SQLite by default; DATABASE_URL/REDIS_URL point it elsewhere)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SCENARIO ?= seeds/bamako-2025.yaml
# The demo shows the Bamako crisis as the crisis centre saw it on this day, moved to today.
DEMO_DAY ?= 2025-11-19
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev lint format bench bench-live replay clean lock openapi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/python manage.py migrate --no-input -v 0
	# --over-live: the demo's own records (decisions, route checks made while trying it) are
	# kept, never undone, when the scenario is loaded again.
	$(BIN)/python manage.py load_scenario $(SCENARIO) --as-if-today $(DEMO_DAY) --over-live
	$(BIN)/python manage.py rescore
	$(BIN)/python manage.py demo_admin --host $(HOST)
	$(BIN)/python manage.py runserver $(HOST)

test: install-dev
	$(BIN)/pytest --cov --cov-report=term

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The feeds' API's OpenAPI document, docs/openapi.json, from its models (a test checks it).
openapi: install
	$(BIN)/python manage.py openapi_schema

replay: install
	$(BIN)/python manage.py replay $(SCENARIO)

bench: install-dev
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_rescore.py
	$(BIN)/python bench/bench_pages.py

# Needs a real worker's path: REDIS_URL and a PostgreSQL DATABASE_URL.
bench-live: install-dev
	$(BIN)/python bench/bench_live_update.py
	$(BIN)/python bench/bench_ingest.py

clean:
	rm -rf $(VENV) var staticfiles

# The production image installs exactly these versions, checked by hash (see Dockerfile).
lock: install-dev
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links --quiet -o requirements.lock pyproject.toml
