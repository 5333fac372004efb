# `make run` and `make test` set everything up from a clean clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/newsroom

.PHONY: install run test test-postgres lint format browser-deps bench bench-deps bench-admin clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(INSTALLED)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

AXE := tests/browser/node_modules/axe-core/axe.min.js

# Browser tests drive Debian's Chromium and inject axe-core (npm) for accessibility checks.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

browser-deps: $(AXE)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Chromium at /usr/bin/chromium: apt-get install chromium" >&2; exit 1; \
	  fi; }

test: install browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (browser tests run once, in `make test`).
test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Page benchmark (bench/run.py): seeds BENCH_ARTICLES stories (PostgreSQL when DATABASE_URL is
# set), runs gunicorn as production would and drives wrk; prints the table, writes bench/results/.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "The benchmark needs wrk: apt-get install wrk" >&2; exit 1; \
	  fi; }

bench: install bench-deps
	$(PY) bench/run.py

# Admin server times and the no-whole-table-COUNT check on the current database.
bench-admin: install
	$(PY) bench/admin_scale.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles test-artifacts
