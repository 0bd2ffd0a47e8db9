"""Reads for shared needs beyond the QuerySet's filters."""

from coalitions import permissions

from .models import Need

SHARED_SHOWN = 20


def shared_needs_for_admins(user) -> list:
    """Open shared needs, most co-signed first, for partnership admins (empty for everyone else)."""
    if not permissions.is_partnership_admin(user):
        return []
    return list(Need.objects.open().shared().for_list().order_by("-cosigning_coalitions", "-created")[:SHARED_SHOWN])
