# Two commands: `make run` (set up and serve the demo) and `make test` (set up and run
# the whole suite). Both create the virtual environment and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development defaults; real deployments set real environment variables.
DEV_ENV := DEBUG=$${DEBUG:-true}
# `make serve` runs the production stack locally (gunicorn, Celery worker and beat).
SERVE_ENV := DEBUG=false SECRET_KEY=$${SECRET_KEY:-local-serve-only-not-secret} \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false \
	SECURE_HSTS_SECONDS=0 ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} PORT=$(PORT) BIND=$(HOST)

.PHONY: run test serve install install-dev lint format migrate demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: virtual environment, install, migrate, load the demo partnership, serve on 127.0.0.1:8000
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "Open http://$(HOST):$(PORT)/ and sign in with one of the demo accounts above."
	$(DEV_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test: virtual environment, install, the whole suite (SQLite unless DATABASE_URL is set)
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make serve: the Procfile (gunicorn web, Celery worker and beat) against PostgreSQL/Redis
serve: install
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	PATH="$(CURDIR)/$(BIN):$$PATH" $(SERVE_ENV) $(BIN)/honcho start

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-dev
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
