"""Tasks for shared needs: thin, idempotent, by id."""

from celery import shared_task

from . import similar


@shared_task(ignore_result=True)
def embed_needs(need_ids: list[int]) -> None:
    """(Re-)make the stored meaning vectors of these needs; safe to run twice or concurrently."""
    similar.embed_needs(need_ids)


@shared_task(ignore_result=True)
def tick_evaluation_reminders() -> dict:
    """Every hour (beat): evaluators whose scoring ends within three days are reminded, once each (the
    email's key names the evaluator)."""
    from . import services

    return {"due": services.run_evaluation_reminder_tick()}
