# Kotopolku: one command for the demo, one for the tests. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install browser-tools demo test lint messages clean-demo

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

# The browser tests also need Debian's Chromium (apt-get install chromium) and axe-core.
browser-tools:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	npm ci --no-audit --no-fund --loglevel=error

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Kotopolku runs at http://$(HOST)/  (Ctrl+C stops it)"
	$(BIN)/python manage.py runserver $(HOST)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# Update the translation catalogues and compile them (the .mo files are committed).
messages: install
	$(BIN)/python manage.py makemessages -l fi -l sv -l en --ignore "$(VENV)/*" --ignore "tests/*" --ignore "node_modules/*" --ignore "bench/*" --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore "$(VENV)/*"

clean-demo:
	rm -f db.sqlite3

# The performance benchmark on PostgreSQL (bench/README.md): fresh databases of each size on
# the server of BENCH_DATABASE_URL, a table on stdout and bench/results/latest.json. About
# 25 minutes for both sizes on 2 cores; BENCH_CLIENTS=10000 alone takes about 4.
BENCH_CLIENTS ?= 10000 100000
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: bench
bench: install
	$(BIN)/python bench/run.py $(foreach n,$(BENCH_CLIENTS),--clients $(n)) --database-url $(BENCH_DATABASE_URL) --json bench/results/latest.json
