"""Periodic work for meetings. Thin: find ids, call a service; safe to run twice or at once."""

from celery import shared_task

from .models import MeetingSeries
from .services import extend_series_horizon


@shared_task
def extend_horizons() -> int:
    """Keep every series planned twelve months ahead (beat runs this daily)."""
    added = 0
    for series in MeetingSeries.objects.iterator():
        added += extend_series_horizon(series=series)
    return added
