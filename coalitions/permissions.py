"""Who may do what. Every app asks here; no view carries its own copy of a rule.

The helpers take the objects they judge and read only ids from them, so higher apps
(practices, meetings) can ask about their own objects without this app importing them.
"""

import contextlib

from allauth.account.models import EmailAddress
from django.db.models import Prefetch, prefetch_related_objects

from .models import Membership


def is_partnership_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def has_verified_email(user) -> bool:
    if not user.is_authenticated:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def coalition_ids(user) -> set[int]:
    """Ids of the coalitions the user belongs to (any role). Cached on the user object."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_coalition_roles"):
        user._coalition_roles = dict(Membership.objects.filter(user=user).values_list("coalition_id", "role"))
    return set(user._coalition_roles)


def admin_coalition_ids(user) -> set[int]:
    coalition_ids(user)  # fills the cache
    return {cid for cid, role in getattr(user, "_coalition_roles", {}).items() if role == Membership.Role.ADMIN}


def is_member(user) -> bool:
    """Belongs to at least one coalition, or runs the partnership."""
    return is_partnership_admin(user) or bool(coalition_ids(user))


def is_member_of(user, coalition_id: int) -> bool:
    return coalition_id in coalition_ids(user)


def is_coalition_admin(user, coalition_id: int) -> bool:
    """Admin of that coalition, or a partnership admin (who may act for every coalition)."""
    return is_partnership_admin(user) or coalition_id in admin_coalition_ids(user)


def can_manage_coalition(user, coalition) -> bool:
    return user.is_authenticated and is_coalition_admin(user, coalition.pk)


def can_create_coalition(user) -> bool:
    return is_partnership_admin(user)


def load_memberships(user) -> None:
    """Fetch the user's memberships with their coalitions in one query, for the whole request.

    Fills the role cache above and ``user.memberships.all()`` (as a prefetch), so the time-zone
    middleware, permission checks and templates share one query instead of one each.
    """
    prefetch_related_objects([user], Prefetch("memberships", queryset=Membership.objects.select_related("coalition")))
    user._coalition_roles = {m.coalition_id: m.role for m in user.memberships.all()}


def forget_cached_roles(user) -> None:
    """Call after changing the user's memberships within one request."""
    # Not ``user.__dict__``: request.user is a lazy wrapper whose own __dict__ is not the user's.
    with contextlib.suppress(AttributeError):
        del user._coalition_roles
    with contextlib.suppress(AttributeError, KeyError):
        del user._prefetched_objects_cache["memberships"]
