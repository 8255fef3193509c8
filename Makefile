# Two commands on a fresh machine: `make demo` and `make test`. Everything else is for developers and CI.
VENV ?= .venv
PY := $(VENV)/bin/python
GR := $(VENV)/bin/grassroots
PORT ?= 8000

# pytest-xdist: a worker per core, each test sent to whichever worker is free, except the tests of one
# `xdist_group` (the demo town's package, see grassroots/demo/tests/conftest.py), which run on one worker so that
# its package fixture is built once. `make test XDIST=` runs in one process.
XDIST ?= -n auto --dist loadgroup

.PHONY: demo test test-pg test-browser lint bench serve clean messages

$(VENV)/.installed: pyproject.toml
	@PYBIN=$$(scripts/find-python) && echo "using $$PYBIN" && \
	  ( [ -x $(PY) ] || $$PYBIN -m venv $(VENV) ) && \
	  $(PY) -m pip install -q --upgrade pip && \
	  $(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

demo: $(VENV)/.installed
	$(GR) demo --port $(PORT)
	$(GR) serve --port $(PORT)

# The whole suite but the browser tests and benchmarks, with lint, types and Django's checks.
test: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check grassroots tests benchmarks
	$(VENV)/bin/mypy
	$(PY) -m django check --settings=grassroots.settings
	$(PY) -m django makemigrations --check --dry-run --settings=grassroots.settings
	$(PY) -m pytest -q $(XDIST)

# The same suite against PostgreSQL (DATABASE_URL, default the local server's `test` database).
test-pg: $(VENV)/.dev-installed
	DATABASE_URL=$${DATABASE_URL:-postgres://root@127.0.0.1:5432/test} $(PY) -m pytest -q $(XDIST)

# Playwright driving Debian's Chromium (/usr/bin/chromium).
test-browser: $(VENV)/.dev-installed
	$(PY) -m pytest -q -m browser tests/browser

# The benchmarks, one after the other (each also runs alone: see benchmarks/README.md). Not part of `make test`.
bench: $(VENV)/.dev-installed
	$(PY) benchmarks/bench_stats.py
	$(PY) benchmarks/bench_pages.py

messages: $(VENV)/.dev-installed
	cd grassroots && ../$(PY) -m django makemessages -l zh_Hans --settings=grassroots.settings && ../$(PY) -m django compilemessages --settings=grassroots.settings

clean:
	rm -rf $(VENV) var .pytest_cache
