import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.factories import MeetingFactory
from tests.notifications.backends import ScriptedBackend

# A Tuesday in November: standard time everywhere (MST in Denver and Phoenix, EST in New York).
NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def frozen():
    """Time stands still at NOW; ``frozen.move_to(...)`` jumps."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and then the Celery tasks it enqueued after commit (eagerly, as a worker would)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


@pytest.fixture
def smtp(settings):
    """The scripted backend: set ``smtp.script`` to make sends fail, then recover."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.ScriptedBackend"
    ScriptedBackend.script = []
    ScriptedBackend.calls = 0
    yield ScriptedBackend
    ScriptedBackend.script = []


@pytest.fixture
def meeting_tomorrow(frozen, coalition):
    """A meeting whose day-before reminder is due now (starts in 23h59m)."""
    start = timezone.now() + dt.timedelta(days=1) - dt.timedelta(minutes=1)
    return MeetingFactory(
        title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1), host_coalition=coalition
    )


def subjects(prefix):
    """The subjects of the emails sent so far that start with ``prefix``."""
    return [message.subject for message in mail.outbox if message.subject.startswith(prefix)]
