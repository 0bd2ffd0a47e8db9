"""Tasks for practices: thin, idempotent, by id."""

from celery import shared_task

from . import discovery


@shared_task(ignore_result=True)
def embed_practices(practice_ids: list[int]) -> None:
    """(Re-)make the stored meaning vectors of these practices; safe to run twice or concurrently."""
    discovery.embed_practices(practice_ids)
