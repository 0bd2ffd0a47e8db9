#!/bin/sh
# Once per release, on one machine, before the new code serves: schema, the database cache's table
# (used when there is no REDIS_URL; harmless otherwise), static files, and the production checks.
set -eu
cd "$(dirname "$0")/.."
# The project's venv where there is one (systemd units), else the python on PATH (Procfile platforms).
if [ -x .venv/bin/python ]; then PY="${PYTHON:-.venv/bin/python}"; else PY="${PYTHON:-python}"; fi
"$PY" manage.py migrate --noinput
"$PY" manage.py createcachetable
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py check --deploy --fail-level WARNING
