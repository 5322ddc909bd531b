# 绩效评价工作台 — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# The PostgreSQL test database; override with TEST_DATABASE_URL.
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test setup system-packages translations migrate demo test-sqlite test-postgres extract-messages clean

run: setup migrate
	$(FLASK) demo --if-empty
	@echo "绩效评价工作台: http://$(HOST):$(PORT)/"
	$(BIN)/gunicorn --workers 1 --threads 8 --bind $(HOST):$(PORT) --access-logfile - \
		--logger-class workflow.access_log.Logger wsgi:app

# The two databases' runs go side by side (the machine has two cores and each pytest run is
# mostly one); each writes its own log, printed whole when both are done, so the output stays
# readable. Without PostgreSQL (and not on CI) only SQLite runs. Tests marked `any_database`
# (the browser tests, which drive the pages' script and layout, and the request-schema check)
# run once, on SQLite, the database `make run` serves; every endpoint is still requested on
# PostgreSQL (the route table, the schemathesis sweep). Run alone, `make test-postgres` runs
# them too.
test: setup
	@if [ -n "$$TEST_DATABASE_URL" ]; then url="$$TEST_DATABASE_URL"; else url="$(PG_TEST_URL)"; fi; \
	if ! $(BIN)/python scripts/pg_check.py "$$url"; then \
		if [ "$$CI" = "true" ]; then echo "CI=true but PostgreSQL is unreachable at $$url: failing." >&2; exit 1; fi; \
		$(MAKE) --no-print-directory test-sqlite || exit 1; \
		echo "PostgreSQL unreachable at $$url: tests ran on SQLite only."; exit 0; \
	fi; \
	logs=$$(mktemp -d); \
	$(MAKE) --no-print-directory test-sqlite > $$logs/sqlite.log 2>&1 & sqlite=$$!; \
	$(MAKE) --no-print-directory test-postgres TEST_DATABASE_URL="$$url" \
		PYTEST_ARGS='$(PYTEST_ARGS) -m "not any_database"' > $$logs/postgres.log 2>&1 & postgres=$$!; \
	wait $$sqlite; sqlite_rc=$$?; wait $$postgres; postgres_rc=$$?; \
	cat $$logs/sqlite.log $$logs/postgres.log; rm -rf $$logs; \
	echo "SQLite: exit $$sqlite_rc; PostgreSQL: exit $$postgres_rc"; \
	[ $$sqlite_rc -eq 0 ] && [ $$postgres_rc -eq 0 ]

test-sqlite:
	@echo "== tests on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== tests on PostgreSQL ($(TEST_DATABASE_URL)) =="
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS)

setup: system-packages $(VENV)/.installed translations
	@$(BIN)/python scripts/prepare_fonts.py
	@$(BIN)/python scripts/signing_key.py

system-packages:
	@scripts/system-packages.sh

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt 2> >(grep -v "is ignored: it is neither" >&2)
	$(BIN)/python -c "import flask, flask_babel, psycopg, playwright"
	touch $@

translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d workflow/translations 2> >(grep -v "^compiling catalog" >&2)

migrate: $(VENV)/.installed
	$(FLASK) db upgrade

demo: $(VENV)/.installed
	$(FLASK) demo

# Refresh the message catalogue after changing user-facing text; then translate the new
# entries in workflow/translations/en/LC_MESSAGES/messages.po.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 --no-location --sort-output -o workflow/translations/messages.pot .
	$(BIN)/pybabel update -i workflow/translations/messages.pot -d workflow/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache
