"""Celery tasks: thin, idempotent, ids in and a service call out (DESIGN rule 4).

The top of the app: tasks import services (and the sending task from ``outbox``), nothing in the
app imports them.
"""

import logging
from datetime import datetime

from celery import group, shared_task
from celery.signals import beat_init
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from . import contracts, services
from .outbox import deliver

__all__ = [
    "deliver",
    "fan_out_digests",
    "fan_out_reminders",
    "tick_contract_reminders",
    "tick_digests",
    "tick_reminders",
]

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def tick_reminders() -> dict:
    """Every minute (beat): due reminders, change notices, nudges, follow-ups, the stuck-row sweep.

    A reminder's recipients are handed to the workers in chunks (``fan_out_reminders``), so the
    first emails of a meeting with 50,000 invitees leave after one chunk is written, on every
    worker at once."""
    handed: list[services.ReminderChunk] = []
    report = services.run_reminder_tick(hand_out=lambda chunks: _hand_out_reminders(chunks, handed))
    return {
        "reminders": sum(len(chunk.user_ids) for chunk in handed),
        "changes": report.changes,
        "requeued": report.requeued,
    }


def _hand_out_reminders(chunks: list[services.ReminderChunk], handed: list) -> None:
    """After the marker commits, one ``fan_out_reminders`` task per chunk. If the broker cannot be
    reached, the marker is taken back so the next tick hands the fan-out out again."""
    handed.extend(chunks)
    now = timezone.now().isoformat()

    def publish() -> None:
        try:
            group(
                fan_out_reminders.s(
                    meeting_id=c.meeting_id, lead=c.lead, start=c.start, user_ids=c.user_ids, marker=c.marker, now=now
                )
                for c in chunks
            ).apply_async()
        except (OperationalError, RedisError, OSError):
            logger.exception("Broker unreachable: the reminder fan-out %s waits for the next tick", chunks[0].marker)
            services.forget_dispatch(marker=chunks[0].marker)

    transaction.on_commit(publish)


@shared_task(ignore_result=True)
def fan_out_reminders(meeting_id: int, lead: str, start: str, user_ids: list[int], marker: str, now: str) -> dict:
    """Write and enqueue one chunk of a reminder's recipients (safe to run twice: unique keys)."""
    chunk = services.ReminderChunk(marker=marker, meeting_id=meeting_id, lead=lead, start=start, user_ids=user_ids)
    keys = services.dispatch_reminder_chunk(chunk=chunk, now=datetime.fromisoformat(now))
    return {"reminders": len(keys)}


@shared_task(ignore_result=True)
def tick_contract_reminders() -> dict:
    """Every hour (beat): owners of a contract expiring in 90, then 30 days are told, once each."""
    return {"reminders": len(contracts.dispatch_contract_reminders())}


@shared_task(ignore_result=True)
def tick_digests() -> dict:
    """Every 15 minutes (beat): the members whose Monday (or 1st) 08:00 has come get their digest.

    The tick only picks the due members (one indexed query) and hands them to the workers in
    chunks, so 50,000 members start receiving within seconds, on every worker at once, instead of
    after one worker has written every row. A chunk whose message is lost leaves its members due:
    the next tick picks them up again.
    """
    now = timezone.now()
    services.ensure_preferences(now=now)
    due = services.due_digest_members(now=now)
    run = services.new_digest_run()
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    chunks = [due[i : i + size] for i in range(0, len(due), size)]
    if chunks:
        try:
            group(fan_out_digests.s(user_ids=chunk, now=now.isoformat(), run=run) for chunk in chunks).apply_async()
        except (OperationalError, RedisError, OSError):
            logger.exception("Broker unreachable: %d due digests wait for the next tick", len(due))
    return {"due": len(due), "chunks": len(chunks)}


@shared_task(ignore_result=True)
def fan_out_digests(user_ids: list[int], now: str, run: str) -> dict:
    """Create and enqueue one chunk's digests (those still due: safe to run twice)."""
    keys = services.dispatch_digest_chunk(user_ids=user_ids, now=datetime.fromisoformat(now), run=run)
    return {"digests": len(keys)}


@beat_init.connect(dispatch_uid="notifications.catch_up_at_beat_start")
def catch_up_at_beat_start(sender=None, **kwargs) -> None:
    """Run both ticks as beat starts, not one interval later.

    Beat first sends an interval task when its interval has passed since start, so after a deploy
    or on ``make run`` the digests that are due would wait 15 minutes. Both ticks are idempotent:
    running them once more is harmless.
    """
    tick_reminders.apply_async(expires=55)
    tick_digests.apply_async(expires=14 * 60)
