"""A real Celery worker on Redis sends a reminder through a real SMTP server on loopback.

Runs when REDIS_URL is set and the database is PostgreSQL (as in CI's second pass); the worker is
a separate process, so it reads the committed test database over its own connection.
"""

import asyncio
import datetime as dt
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from email.policy import default as default_policy
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from meetings.timefmt import format_meeting_time
from notifications.mail import send_deliveries, stale_claim_age
from notifications.models import Delivery
from notifications.outbox import collect_keys
from notifications.services import run_reminder_tick
from notifications.tasks import deliver
from tests.factories import MeetingFactory

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis broker: set REDIS_URL"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the worker process needs a shared PostgreSQL database"
    ),
]

BASE_DIR = Path(settings.BASE_DIR)
WAIT_SECONDS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps what it receives; ``hold_next`` stalls the next message's DATA."""

    def __init__(self):
        self.messages = []
        self.hold_next = False
        self.held = threading.Event()  # a sender is stuck inside DATA
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if self.hold_next:
            self.hold_next = False
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 Try again later"  # never accepted: its sender was killed meanwhile
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    inbox.release.set()
    controller.stop()


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition, what: str, log: Path):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)  # polling another process: there is nothing to wait on but time
    pytest.fail(f"Timed out after {WAIT_SECONDS}s waiting for {what}. Worker log:\n{log.read_text()[-4000:]}")


@dataclass
class Worker:
    queue: str
    log: Path
    process: subprocess.Popen


@pytest.fixture
def worker(smtp_server, tmp_path):
    controller, _ = smtp_server
    queue = f"test-{uuid.uuid4().hex[:8]}"  # our own queue: other workers on this Redis never take our task
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "SITE_URL": settings.SITE_URL,
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    celery = Path(sys.executable).with_name("celery")
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "--concurrency",
                "1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: a test can kill the worker and its pool at once
        )
    try:
        wait_for(lambda: "ready." in log.read_text(), "the worker to be ready", log)
        yield Worker(queue=queue, log=log, process=process)
    finally:
        process.terminate()  # TERM: warm shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def meeting_in_real_time(coalition):
    """Not frozen in time: the worker process lives in real time."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1) - dt.timedelta(minutes=1)
    return MeetingFactory(start=start, end=start + dt.timedelta(hours=1), host_coalition=coalition)


def test_real_worker_sends_a_reminder_over_smtp_once(smtp_server, worker, meeting_in_real_time, member, settings):
    _, inbox = smtp_server
    queue, log = worker.queue, worker.log
    with collect_keys() as keys:
        run_reminder_tick()  # the fan-out, committed; the send goes to the real worker below

    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        deliver.apply_async(kwargs={"keys": keys}, queue=queue)
        deliver.apply_async(kwargs={"keys": keys}, queue=queue)  # a duplicate message: still one email
    finally:
        celery_app.conf.task_always_eager = was_eager

    wait_for(lambda: inbox.messages, "the SMTP server to receive the reminder", log)
    wait_for(lambda: log.read_text().count("succeeded") >= 2, "both tasks to finish", log)

    assert len(inbox.messages) == 1
    rcpt_tos, raw = inbox.messages[0]
    assert rcpt_tos == ["alice@example.org"]
    message = email.message_from_bytes(raw, policy=default_policy)

    def header(name):
        return str(message[name]).strip()

    assert header("Subject").startswith("Reminder: Partnership monthly call tomorrow")
    assert header("List-Unsubscribe").startswith(f"<{settings.SITE_URL}/email/unsubscribe/")
    assert header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    types = [part.get_content_type() for part in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    expected_time = format_meeting_time(meeting_in_real_time, "America/Denver")  # Alice's coalition's zone
    assert expected_time in message.get_body(preferencelist=("plain",)).get_content()
    delivery = Delivery.objects.get(user=member)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 1)


def send_through_worker(keys, queue):
    was_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        deliver.apply_async(kwargs={"keys": keys}, queue=queue)
    finally:
        celery_app.conf.task_always_eager = was_eager


def test_worker_killed_inside_smtp_leaves_a_claim_that_a_later_run_completes_once(
    smtp_server, worker, meeting_in_real_time, member, settings
):
    controller, inbox = smtp_server
    inbox.hold_next = True
    with collect_keys() as keys:
        run_reminder_tick()
    send_through_worker(keys, worker.queue)
    wait_for(inbox.held.is_set, "the worker to be inside the SMTP conversation", worker.log)

    os.killpg(worker.process.pid, signal.SIGKILL)  # the worker and its pool, with no chance to clean up
    worker.process.wait(timeout=10)

    delivery = Delivery.objects.get(user=member)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENDING, 1)  # claimed, never marked
    assert send_deliveries(keys=keys).sent == []  # a fresh claim may be a slow, living worker: left alone

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    later = timezone.now() + stale_claim_age() + dt.timedelta(seconds=1)
    report = send_deliveries(keys=keys, now=later)  # e.g. the sweep of a tick ten minutes on

    assert report.sent == keys
    assert [rcpt for rcpt, _ in inbox.messages] == [["alice@example.org"]]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
