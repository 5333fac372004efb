# `make run`, `make test` and `make production` set everything up from a clean clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/newsroom
PORT ?= 8000

.PHONY: install run production production-stop production-deps html-check-deps test test-postgres lint \
	format browser-deps bench bench-deps bench-admin clean

$(INSTALLED): pyproject.toml
	@echo "Installing into $(VENV) (a few minutes the first time) ..."
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(INSTALLED)

# The port is checked first, so a busy one is reported before anything is installed. The demo
# content loads into an empty database only; the logins are kept in .demo-logins.
run:
	@$(PYTHON) deploy/check_port.py $(PORT)
	@$(MAKE) --no-print-directory --silent install
	$(PY) manage.py migrate --noinput --verbosity 0
	@$(PY) manage.py seed_demo --admin-url http://127.0.0.1:$(PORT)/admin/
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The production stack on this machine: nginx (TLS, HTTP/2, buffering, gzip/brotli, static
# files and media) in front of gunicorn, on https://127.0.0.1:8443 (HTTPS_PORT) with
# http://127.0.0.1:8080 (HTTP_PORT) redirecting; see deploy/stack.py. Ctrl-C stops it;
# `make production-stop` stops a run started in the background.
production: install production-deps
	$(PY) -m deploy.stack run

production-stop: install
	$(PY) -m deploy.stack stop

# Debian's nginx with its brotli module, and openssl for the self-signed certificate.
NGINX_BROTLI := /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so
production-deps:
	@{ command -v nginx && command -v openssl && test -e $(NGINX_BROTLI); } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      nginx libnginx-mod-http-brotli-filter openssl >/dev/null; \
	  else \
	    echo "The production stack needs nginx, its brotli module and openssl:" \
	      "apt-get install nginx libnginx-mod-http-brotli-filter openssl" >&2; exit 1; \
	  fi; }

VNU := tests/htmlcheck/node_modules/vnu-jar/build/dist/vnu.jar

# The HTML validity test runs the Nu Html Checker (npm's vnu-jar) with the machine's Java.
$(VNU): tests/htmlcheck/package.json tests/htmlcheck/package-lock.json
	npm ci --prefix tests/htmlcheck --no-audit --no-fund --silent
	touch $@

html-check-deps: $(VNU)
	@command -v java >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
	  else \
	    echo "The HTML check needs Java: apt-get install default-jre-headless" >&2; exit 1; \
	  fi; }

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

test: install browser-deps html-check-deps production-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite on PostgreSQL (browser, stack and HTML checks run once, in `make test`).
test-postgres: install
	DATABASE_URL=$(POSTGRES_URL) $(PY) -m pytest -m "not browser and not stack and not html_check" \
	  $(PYTEST_ARGS)

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
	rm -rf $(VENV) db.sqlite3 media staticfiles test-artifacts .production
