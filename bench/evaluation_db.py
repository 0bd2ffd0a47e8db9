"""The throwaway database the discovery benchmarks share: Django set up on ``DATABASE_URL``, a test
database beside the configured one, ``tests/discovery``'s practices loaded through the services (and
embedded, as the task after a save would, in-process), dropped afterwards.

    with evaluation_database() as (evaluation, ids, user):
        ...  # evaluation: the labelled set; ids: {practice key: id}; user: a member who sees them all
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def evaluation_database():
    setup_django()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from config.celery import app as celery_app
    from tests.discovery.evaluation import evaluation_reader, load_practices, read_evaluation_set

    # What the services enqueue after a commit (embedding a practice) runs in-process, as a worker would.
    celery_app.conf.task_always_eager = True
    setup_test_environment()
    if connection.vendor == "postgresql":
        # Not test_<name>: the test suite may be using that one at the same time. Nor bench_<name>: that is
        # the catalogue bench/discovery_scale.py keeps between runs (--keepdb), which this would replace.
        connection.settings_dict["TEST"]["NAME"] = f"bench_evaluation_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        evaluation = read_evaluation_set()
        ids = load_practices(evaluation)
        yield evaluation, ids, evaluation_reader()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
