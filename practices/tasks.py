"""Tasks for practices: thin, idempotent, by id."""

from collections.abc import Iterable

from celery import shared_task
from django.db import transaction

from . import discovery
from .selectors import forget_listed_counts


@shared_task(ignore_result=True)
def embed_practices(practice_ids: list[int]) -> None:
    """(Re-)make the stored meaning vectors of these practices; safe to run twice or concurrently."""
    discovery.embed_practices(practice_ids)
    # Their meaning changed, so their "similar practices" (and their neighbours') are made again.
    _refresh_similar(practice_ids)


@shared_task(ignore_result=True)
def refresh_similar_practices(practice_ids: list[int]) -> None:
    """Re-make the stored "similar practices" of these practices and their neighbours (after a practice
    is published, taken back or archived); safe to run twice or concurrently."""
    _refresh_similar(practice_ids)


def _refresh_similar(practice_ids) -> None:
    discovery.refresh_similar(practice_ids)
    # The pages kept in the shared cache show the lists just made: the next reader gets them.
    forget_listed_counts()


@shared_task(ignore_result=True)
def tick_adoption_confirmations() -> dict:
    """Every hour (beat): the yearly "is this adoption still current?" questions that are due, and the
    adoptions whose question went unanswered for 30 days. Idempotent: running it twice asks nobody twice."""
    from .services import run_adoption_confirmation_tick

    tick = run_adoption_confirmation_tick()
    return {"asked": tick.asked, "lapsed": tick.lapsed}


@shared_task(ignore_result=True)
def flush_practice_views() -> int:
    """Every five minutes (beat): the practice page views counted in the shared cache, added to the monthly
    counts. Safe to run twice or in two workers at once (practices.pageviews)."""
    from .pageviews import flush_practice_views as flush

    return flush()


class _Pending:
    """Practices a connection's transactions asked discovery about, not yet handed to a task."""

    def __init__(self):
        self.embed: dict[int, None] = {}
        self.refresh: dict[int, None] = {}


def after_commit(*, embed: Iterable[int] = (), refresh: Iterable[int] = ()) -> None:
    """Embed these practices (which re-makes their stored "similar practices" too), or re-make their
    lists alone, once the transaction commits: in ONE pair of task calls per transaction, however many
    practices it saved.

    A save asks for one practice; an import, ``seed_demo`` or a catalogue loaded in one transaction
    asks for hundreds. One call then embeds them in batches and re-makes the lists of them and of their
    neighbours once, instead of once per practice (each refresh re-ranks up to 40 neighbours: per
    practice, thousands of rankings that the next practice's refresh replaces).

    The ids wait on the connection; every request registers a callback, and the first to run takes
    them all, so the rest find nothing to do. (Registering each time, not once, is what a test's
    ``captureOnCommitCallbacks`` needs: it runs only the callbacks registered inside it, and leaves the
    ones it ran in the list.) When a transaction rolls back, Django drops its callbacks:
    the first request of the next transaction finds none of ours waiting and forgets the ids first.
    """
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault("practices_after_commit", _Pending())
    if not any(callback is _send_pending for _, callback, _ in connection.run_on_commit):
        # Nothing of ours waits for this transaction: what is left came from one that rolled back.
        pending.embed.clear()
        pending.refresh.clear()
    pending.embed.update(dict.fromkeys(int(pk) for pk in embed))
    pending.refresh.update(dict.fromkeys(int(pk) for pk in refresh))
    transaction.on_commit(_send_pending)  # outside a transaction: at once


def _send_pending() -> None:
    pending = transaction.get_connection().__dict__.get("practices_after_commit")
    if pending is None:
        return
    embed = list(pending.embed)
    refresh = [pk for pk in pending.refresh if pk not in pending.embed]
    pending.embed.clear()
    pending.refresh.clear()
    if embed:
        embed_practices.delay(embed)
    if refresh:
        refresh_similar_practices.delay(refresh)
