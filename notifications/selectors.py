"""Reads the notification pages need beyond one chain of QuerySet methods.

Nothing here writes: a GET on an unsubscribe page must change no state, so these never create
a ``Preference``.
"""

from . import tokens
from .models import DEFAULT_REMINDER_LEADS, BouncedAddress, Delivery, Preference


def subscription_state(user, kind: str) -> dict:
    """What the member gets now, read without creating anything (a GET changes no state)."""
    preference = Preference.objects.filter(user=user).first()
    if kind == tokens.DIGEST:
        frequency = preference.digest_frequency if preference else Preference.Frequency.WEEKLY
        return {"is_on": frequency != Preference.Frequency.OFF, "frequency": frequency}
    wants = preference.wants_reminders if preference else True
    leads = preference.reminder_leads if preference else DEFAULT_REMINDER_LEADS
    return {"is_on": bool(wants and leads), "frequency": ""}


def undelivered(*, kind: str = "", status: str = ""):
    """Emails that did not get through, newest first, with each member's profile: failed and
    bounced ones, or only those of ``status`` (a pending one only once it was tried and is waiting
    for a retry); only those of ``kind`` when given. Lazy: the page paginates it.
    """
    rows = Delivery.objects.select_related("user__profile").order_by("-created")
    statuses = [Delivery.Status.FAILED, Delivery.Status.BOUNCED]
    if kind:
        rows = rows.filter(kind=kind)
    if status:
        statuses = [status]
    rows = rows.filter(status__in=statuses)
    if Delivery.Status.PENDING in statuses:
        rows = rows.filter(attempts__gt=0)
    return rows


def bounced_addresses(limit: int = 50) -> dict:
    """``bounced``: the first ``limit`` bounced addresses with their members; ``bounced_total``: how
    many there are. Two queries."""
    return {
        "bounced": BouncedAddress.objects.select_related("user__profile")[:limit],
        "bounced_total": BouncedAddress.objects.count(),
    }
