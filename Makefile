# The two commands a newcomer needs: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup lint format

# pip warns about package index folders some machines list but lack ("WARNING: Location … is
# ignored"), dozens of lines that say nothing about this project: dropped, as .ci/run drops them.
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location" || true; }

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	set -o pipefail; $(BIN)/pip install --quiet --upgrade pip $(PIP_QUIET)
	set -o pipefail; $(BIN)/pip install --quiet -r requirements-dev.txt $(PIP_QUIET)
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo

# Web on http://127.0.0.1:8000 plus a Celery worker with beat on the embedded broker.
run: setup
	@$(BIN)/celery -A config worker -B -l info --concurrency 2 \
		-s var/celerybeat-schedule > var/worker.log 2>&1 & WORKER=$$!; \
	trap 'kill -TERM $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	echo "Celery worker and beat running (log: var/worker.log); emails land in var/mail/"; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The tests spread over every core; `make test PYTEST_WORKERS=0` runs them in one process.
PYTEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
