# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install migrate demo check-migrations bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The Spanish catalogue, compiled with Babel (installed above), so a bare clone
# needs no gettext tools; `make messages` (which does need GNU gettext) updates it.
CATALOGUE := locale/es/LC_MESSAGES/django
$(CATALOGUE).mo: $(CATALOGUE).po $(STAMP)
	$(BIN)/pybabel -q compile -d locale -D django

install: $(STAMP) $(CATALOGUE).mo

messages: install
	$(BIN)/python manage.py makemessages -l es --no-obsolete --add-location=file --ignore=.venv --ignore=bench --ignore=tests
	$(BIN)/pybabel -q compile -d locale -D django

migrate: install
	$(BIN)/python manage.py migrate --noinput

# `make run PORT=8123` serves elsewhere; links in emails, the demo's included,
# follow the same port.
PORT ?= 8000

demo: migrate
	SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py seed_demo

run: demo
	SITE_URL=http://127.0.0.1:$(PORT) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# -rs lists every skipped test with its reason: without Chromium the browser
# tests are skipped, and the reason says how to install it.
test: install
	$(BIN)/pytest -rs $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Benchmarks at practice scale on PostgreSQL (not part of the tests): seeds
# 200 therapists x 30 clients x 104 weeks into DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/portal_bench) on first use.
bench: install
	$(BIN)/python bench/run.py
