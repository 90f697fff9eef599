# Kotopolku: one command for the demo, one for the tests. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install browser-tools demo serve test lint messages clean-demo

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

# The production configuration on one's own machine, against the demo's database: gunicorn
# (config/gunicorn.conf.py) with DEBUG off, static files with hashed names served by
# WhiteNoise. Plain HTTP on localhost only, hence the secure-cookie and HTTPS settings
# turned off here; README "Running in production" says what a real installation sets.
SERVE_ENV = DEBUG=false SECRET_KEY="$$(cat .secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost \
	SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

serve: install .secret_key
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Kotopolku (production configuration) runs at http://$(HOST)/  (Ctrl+C stops it)"
	$(SERVE_ENV) GUNICORN_BIND=$(HOST) $(BIN)/gunicorn -c config/gunicorn.conf.py config.wsgi

# A secret key of this machine's own, made once (not in git).
.secret_key: $(BIN)/python
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

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

# The same through HTTP: Locust against gunicorn (bench/README.md, "Through HTTP").
.PHONY: bench-web
bench-web: install
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/web.py $(foreach n,$(BENCH_CLIENTS),--clients $(n)) --database-url $(BENCH_DATABASE_URL) --json bench/results/web.json
