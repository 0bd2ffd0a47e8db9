"""Putting emails on the road: the pending ``Delivery`` rows' enqueue step and the task that sends them.

The enqueue step and its task live side by side, above the sending road (``mail.py``) and below
the services that decide which emails should exist, so no two modules of the app import each other.
"""

import logging
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from celery import group, shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from . import mail
from .models import Delivery

logger = logging.getLogger(__name__)


# The name it always had: messages already in the broker keep finding their task after a deploy.
@shared_task(name="notifications.tasks.deliver", bind=True, ignore_result=True, max_retries=None)
def deliver(self, keys: list[str]) -> dict:
    """Send one chunk of deliveries. Transient failures come back here with exponential backoff.

    Attempts are counted on the rows (``NOTIFICATIONS_MAX_ATTEMPTS``), not by Celery: a row that
    has used them up is marked failed and is not in ``retry_keys``.
    """
    report = mail.send_deliveries(keys=keys)
    if report.retry_keys:
        # throw=False: the retry message is published all the same; returning (not raising) also lets
        # eager mode (tests, CELERY_TASK_ALWAYS_EAGER) run the retry instead of propagating Retry.
        return self.retry(kwargs={"keys": report.retry_keys}, countdown=report.retry_countdown, throw=False)
    return {"sent": len(report.sent), "skipped": len(report.skipped), "failed": len(report.failed)}


def queue_email(
    *,
    key: str,
    kind: str,
    user=None,
    to_address: str | None = None,
    params: dict | None = None,
    meeting=None,
) -> Delivery | None:
    """Create the pending ``Delivery`` for one email and send it after commit.

    Returns None when a row with that key exists already: someone else has (or had) this email.
    """
    delivery = _pending(key=key, kind=kind, user=user, to_address=to_address, params=params, meeting=meeting)
    try:
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return None
    enqueue_keys([key])
    return delivery


def queue_emails(emails: Iterable[dict]) -> list[str]:
    """``queue_email`` for many emails at once, each given as its keyword arguments: three statements
    however many there are (the keys already used, one insert, one enqueue in chunks), where one at a time
    would take an insert and a broker message each. Returns the keys queued now; a key in use is skipped.
    A key taken by another process between the check and the insert is enqueued all the same, which is
    harmless: a send claims its row first."""
    return queue_unsent([_pending(**email) for email in emails])


def queue_unsent(deliveries: Iterable[Delivery]) -> list[str]:
    """Insert the pending ``deliveries`` whose key is not in use yet and enqueue them: the keys in use, one
    insert, one enqueue. Returns the keys queued now (see ``queue_emails`` on a key taken meanwhile)."""
    by_key: dict[str, Delivery] = {}
    for delivery in deliveries:
        by_key.setdefault(delivery.key, delivery)
    if not by_key:
        return []
    used = set(Delivery.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    new = [delivery for key, delivery in by_key.items() if key not in used]
    Delivery.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    keys = [delivery.key for delivery in new]
    enqueue_keys(keys)
    return keys


def _pending(*, key: str, kind: str, user=None, to_address: str | None = None, params=None, meeting=None) -> Delivery:
    address = to_address or (user.email if user is not None else "")
    if not address:
        raise ValueError("an email needs a user or a to_address")
    now = timezone.now()
    return Delivery(
        key=key,
        kind=kind,
        user=user,
        to_address=address,
        params=params or {},
        meeting=meeting,
        meeting_start=getattr(meeting, "start", None),
        next_attempt_at=now,
    )


# Set by ``collect_keys``: management commands send inline instead of through the queue.
_collected: ContextVar[list[str] | None] = ContextVar("notifications_collected_keys", default=None)


@contextmanager
def collect_keys():
    """Within the block, keys to send are gathered into the yielded list rather than enqueued."""
    keys: list[str] = []
    reset = _collected.set(keys)
    try:
        yield keys
    finally:
        _collected.reset(reset)


def enqueue_keys(keys: Sequence[str]) -> None:
    """After the current transaction commits, send ``keys`` through Celery in chunks (a group)."""
    if not keys:
        return
    collected = _collected.get()
    if collected is not None:
        collected.extend(keys)
        return
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    chunks = [list(keys[i : i + size]) for i in range(0, len(keys), size)]

    def publish() -> None:
        # The rows are already committed as pending: if the broker cannot be reached, the tick's
        # sweep (``requeue_stuck_deliveries``) enqueues them once it answers again. So a broker
        # outage is logged here and never turns the member's page or form post into a 500.
        try:
            group(deliver.s(keys=chunk) for chunk in chunks).apply_async()
        except (OperationalError, RedisError, OSError):
            logger.exception("Broker unreachable: %d deliveries stay pending for the next tick's sweep", len(keys))

    transaction.on_commit(publish)
