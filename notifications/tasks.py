"""Celery tasks: thin, idempotent, ids in and a service call out (DESIGN rule 4)."""

from celery import shared_task
from celery.signals import beat_init

from . import mail, services


@shared_task(ignore_result=True)
def tick_reminders() -> dict:
    """Every minute (beat): due reminders, change notices, nudges, follow-ups, the stuck-row sweep."""
    report = services.run_reminder_tick()
    return {"reminders": report.reminders, "changes": report.changes, "requeued": report.requeued}


@shared_task(ignore_result=True)
def tick_digests() -> dict:
    """Every 15 minutes (beat): the members whose Monday (or 1st) 08:00 has come get their digest."""
    report = services.run_digest_tick()
    return {"digests": report.digests}


@shared_task(bind=True, ignore_result=True, max_retries=None)
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


@beat_init.connect(dispatch_uid="notifications.catch_up_at_beat_start")
def catch_up_at_beat_start(sender=None, **kwargs) -> None:
    """Run both ticks as beat starts, not one interval later.

    Beat first sends an interval task when its interval has passed since start, so after a deploy
    or on ``make run`` the digests that are due would wait 15 minutes. Both ticks are idempotent:
    running them once more is harmless.
    """
    tick_reminders.apply_async(expires=55)
    tick_digests.apply_async(expires=14 * 60)
