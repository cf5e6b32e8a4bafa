# Two entry points: `make run` (install, import the sample letters, serve) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
SHARED ?= ../shared
SAMPLE := var/sample-corpus
# Letters imported by `make run`: the shared real letters when they sit beside the checkout,
# otherwise a synthetic corpus generated on the spot. Override: make run LETTERS=/my/letters
LETTERS ?= $(if $(wildcard $(SHARED)/seeds),$(SHARED)/seeds $(SHARED)/imr-real/pdf,$(SAMPLE))
HOST ?= 127.0.0.1:8000
# Web worker processes of `make serve` (gunicorn's own variable WEB_CONCURRENCY, if set).
WORKERS ?= $(or $(WEB_CONCURRENCY),2)
# Threads per worker: 1 runs gunicorn's sync workers, more its gthread workers (README,
# "Deployment", compares them).
THREADS ?= 1
# pytest processes of `make test` and `make test-postgres` (pytest-xdist; 0: one process).
# Each takes whole test files, so a file's module fixtures are built once and its tests
# keep their order; the suite is mostly one-core Python, so two halve much of it on two.
TEST_WORKERS ?= 2
TEST_WORKERS_ARGS := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)

.PHONY: install run serve test lint sample

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

$(SAMPLE)/ground_truth.jsonl: | install
	$(PY) manage.py generate_corpus $(SAMPLE) --count 2000 --seed 2013

sample: $(SAMPLE)/ground_truth.jsonl

run: install
	$(PY) manage.py migrate --noinput
	$(if $(filter $(SAMPLE),$(LETTERS)),$(MAKE) sample)
	-$(PY) manage.py import_determinations $(LETTERS)
	$(PY) manage.py runserver $(HOST)

# Production serving: DEBUG off, gunicorn, static files collected for WhiteNoise. The
# environment gives the rest (README, "Deployment"); only DJANGO_SECRET_KEY is required.
serve: export DJANGO_DEBUG := 0
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || { echo "make serve: set DJANGO_SECRET_KEY" >&2; exit 1; }
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	exec $(VENV)/bin/gunicorn imrsite.wsgi:application --workers $(WORKERS) --bind $(HOST) \
		$(if $(filter-out 1,$(THREADS)),--worker-class gthread --threads $(THREADS)) \
		--no-control-socket --access-logfile -

# The suite on SQLite, browser journeys included. Debian's chromium is installed with apt-get
# when missing: as root or with password-less sudo; otherwise the browser tests skip, saying so.
test: install
	@.ci/system-packages chromium
	$(PY) -m pytest $(TEST_WORKERS_ARGS)

.PHONY: test-browser test-postgres
# Only the browser journeys; IMRSITE_UPDATE_SCREENSHOTS=1 also refreshes the README's screenshots.
test-browser: install
	@.ci/system-packages chromium
	$(PY) -m pytest -m browser

# The suite, but the browser journeys, on a throwaway PostgreSQL server on 127.0.0.1.
test-postgres: install
	@.ci/system-packages --require postgresql
	.ci/with-postgres $(PY) -m pytest $(TEST_WORKERS_ARGS) -m "not browser"

lint: install
	$(VENV)/bin/ruff check .
