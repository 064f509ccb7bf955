# `make run` sets up .venv and starts everything; `make test` runs the whole suite and `make test-faults` the
# fault tests (CI runs both: .ci/run).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL := postgresql://postgres@127.0.0.1:5432/test

export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-faults bench migrate worker api clean install chromium pango

run: install pango
	$(BIN)/alur dev

# PostgreSQL joins the SQLite runs when it answers (ALUR_TEST_DATABASE_URL, unless already set).
test: install chromium pango
	@if [ -z "$${ALUR_TEST_DATABASE_URL:-}" ] && $(BIN)/python -c \
	    "import psycopg; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  export ALUR_TEST_DATABASE_URL='$(PG_TEST_URL)'; \
	fi; \
	echo "PostgreSQL tests: $${ALUR_TEST_DATABASE_URL:-skipped (no server on 127.0.0.1:5432)}"; \
	$(BIN)/ruff check . && $(BIN)/python -m pytest -q -n $${ALUR_TEST_WORKERS:-2} -m "not alone" --ignore=tests/faults \
	  && $(BIN)/python -m pytest -q -m alone --ignore=tests/faults

# Faults survived, nothing lost (tests/faults, about a minute): the worker killed mid-flight, Temporal
# restarted on its file, the mail server down for two hours, the projection rebuilt; their figures last.
test-faults: install pango
	$(BIN)/python -m pytest -q tests/faults

# The product (alur api + alur worker over HTTP) against the bare Temporal engine, side by side in one
# run (4-6 minutes); sizes through ALUR_BENCH_* (docs/benchmarks.md). Not part of `make test`.
bench: install
	$(BIN)/python -m tests.bench

migrate: install
	$(BIN)/alur migrate

worker: install
	$(BIN)/alur worker

api: install
	$(BIN)/alur api

clean:
	rm -rf var

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

# The browser tests drive Debian's chromium; without it they skip.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) \
	      || echo "chromium could not be installed; the browser tests will skip"; \
	  else \
	    echo "chromium missing: run 'sudo apt-get install -y chromium' (the browser tests skip meanwhile)"; \
	  fi; \
	fi

# Generated PDF documents (WeasyPrint) need Debian's pango; without it generating a document fails.
pango:
	@if ! { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y libpango-1.0-0 libpangoft2-1.0-0) \
	      || echo "pango could not be installed; generated PDF documents will fail"; \
	  else \
	    echo "pango missing: run 'sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0' (generated PDFs fail meanwhile)"; \
	  fi; \
	fi
