"""Who may do what. Every app asks here; no view or service carries its own copy of a rule.

The helpers take the objects they judge and read only ids from them, so higher apps
(practices, meetings) can ask about their own objects without this app importing them.

Services call the ``can_…``/``is_…`` questions and raise ``PermissionDenied`` themselves; views
declare theirs once with the decorators at the bottom (as pretix's ``control/permissions.py``
does), so the check and its 403 reason are not copied into the first line of every view.
"""

import contextlib
import functools
from collections.abc import Callable
from functools import wraps

from allauth.account.models import EmailAddress
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404, render

from .models import Coalition, JoinRequest, Membership


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


def can_accept_invitation(user, invitation) -> bool:
    """Only an account holding the invited address, verified, may accept: the link could be forwarded."""
    return (
        user.is_authenticated and user.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists()
    )


def can_share_practices(user) -> bool:
    """Members share practices for their coalitions; partnership admins for any coalition."""
    return is_member(user)


def can_manage_hosted(user, host_coalition_id: int | None) -> bool:
    """Meetings and series: partnership admins manage everything, coalition admins what their
    coalition hosts (nobody but partnership admins what the partnership hosts, ``None``)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if host_coalition_id is None:
        return is_partnership_admin(user)
    return is_coalition_admin(user, host_coalition_id)


def can_schedule_meetings(user) -> bool:
    """May this user create series or one-off meetings at all (for some host)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_partnership_admin(user) or bool(admin_coalition_ids(user))


def load_memberships(user) -> None:
    """Fetch the user's memberships with their coalitions in one query, for the whole request.

    Fills the role cache above and ``user.memberships.all()`` (as a prefetch would), so the time-zone
    middleware, permission checks and templates share one query instead of one each. Each admin row also
    carries its coalition's pending join requests (``pending_join_requests``, a subquery in the same
    query), so the header's count costs coalition admins no query of its own.
    """
    db = router.db_for_read(Membership)
    statement, connection = _memberships_statement(db), connections[db]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [Membership.Role.ADMIN, JoinRequest.Status.PENDING, user.pk])
        rows = cursor.fetchall()
    memberships = []
    for row in rows:
        membership = Membership.from_db(db, statement.membership.names, statement.membership.read(row, connection))
        coalition = Coalition.from_db(db, statement.coalition.names, statement.coalition.read(row, connection))
        membership._state.fields_cache["coalition"] = coalition
        membership.pending_join_requests = row[-1]
        memberships.append(membership)
    # What ``prefetch_related("memberships")`` leaves on the user: the related manager answers from it.
    # (Through attributes, not ``__dict__``: ``request.user`` is a lazy wrapper around the user.)
    if not hasattr(user, "_prefetched_objects_cache"):
        user._prefetched_objects_cache = {}
    user._prefetched_objects_cache.pop("memberships", None)
    prefetched = user.memberships.all()
    prefetched._result_cache, prefetched._prefetch_done = memberships, True
    user._prefetched_objects_cache["memberships"] = prefetched
    user._coalition_roles = {m.coalition_id: m.role for m in memberships}


class _Columns:
    """A model's columns in a hand-written statement: where they sit in a row, and the conversions the ORM
    applies to each value it reads (an SQLite datetime is text until converted, for one)."""

    def __init__(self, model, alias: str, start: int, connection):
        self.fields = model._meta.concrete_fields
        self.names = [field.attname for field in self.fields]
        self.start, self.stop = start, start + len(self.fields)
        quote = connection.ops.quote_name
        self.select = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        self.converters = []
        for index, field in enumerate(self.fields):
            column = field.get_col(alias)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                self.converters.append((index, column, found))

    def read(self, row, connection) -> list:
        values = list(row[self.start : self.stop])
        for index, column, converters in self.converters:
            for convert in converters:
                values[index] = convert(values[index], column, connection)
        return values


class _MembershipsStatement:
    def __init__(self, connection):
        quote = connection.ops.quote_name
        self.membership = _Columns(Membership, "m", 0, connection)
        self.coalition = _Columns(Coalition, "c", self.membership.stop, connection)

        def column(model, name):
            return quote(model._meta.get_field(name).column)

        pending = (
            f"SELECT COUNT(*) FROM {quote(JoinRequest._meta.db_table)} j "
            f"WHERE j.{column(JoinRequest, 'coalition')} = m.{column(Membership, 'coalition')} "
            f"AND j.{column(JoinRequest, 'status')} = %s"
        )
        self.sql = (
            f"SELECT {self.membership.select}, {self.coalition.select}, "
            f"CASE WHEN m.{column(Membership, 'role')} = %s THEN ({pending}) ELSE 0 END "
            f"FROM {quote(Membership._meta.db_table)} m "
            f"JOIN {quote(Coalition._meta.db_table)} c "
            f"ON c.{column(Coalition, 'id')} = m.{column(Membership, 'coalition')} "
            f"WHERE m.{column(Membership, 'user')} = %s ORDER BY c.{column(Coalition, 'name')}"
        )


@functools.cache
def _memberships_statement(db: str) -> _MembershipsStatement:
    """``load_memberships``'s statement, written once per process and database. Every signed-in request
    runs it; as a queryset (a join, an annotation with a subquery, a prefetch, an ordering across the
    join) Django spent about 5 ms building and compiling it each time, ten times what the database takes
    to answer, and a fifth of a member's typical page."""
    return _MembershipsStatement(connections[db])


def forget_cached_roles(user) -> None:
    """Call after changing the user's memberships within one request."""
    # Not ``user.__dict__``: request.user is a lazy wrapper whose own __dict__ is not the user's.
    with contextlib.suppress(AttributeError):
        del user._coalition_roles
    with contextlib.suppress(AttributeError, KeyError):
        del user._prefetched_objects_cache["memberships"]


# --- Declared on views ----------------------------------------------------------------------------
# Each decorator goes below ``login_required`` (anonymous visitors are sent to log in first) and
# raises ``PermissionDenied`` with the reason the 403 page shows.


def user_passes(test: Callable[[object], bool], reason: str, *, template: str | None = None):
    """Let the view run only for users ``test(user)`` accepts; a 403 with ``reason`` for the rest
    (the portal's 403 page, or ``template`` rendered with ``reason`` when it should say more)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                if template:
                    return render(request, template, {"reason": reason}, status=403)
                raise PermissionDenied(reason)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def partnership_admin_required(reason: str):
    """``@partnership_admin_required("The moderation queue is for the partnership's admins.")``"""
    return user_passes(is_partnership_admin, reason)


MEMBERS_ONLY_TEMPLATE = "coalitions/members_only.html"


def members_only_page(request, reason: str):
    """The 403 for someone signed in but in no coalition: why, and the way in from where they stand
    (their request that waits for a decision, or the coalitions to ask). One query."""
    pending = list(
        JoinRequest.objects.pending().filter(user_id=request.user.pk).select_related("coalition").order_by("created")
    )
    return render(request, MEMBERS_ONLY_TEMPLATE, {"reason": reason, "pending_requests": pending}, status=403)


def member_required(reason: str):
    """Members of a coalition (and partnership admins) only; the others get ``members_only_page``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_member(request.user):
                if not request.user.is_authenticated:
                    raise PermissionDenied(reason)
                return members_only_page(request, reason)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class SignInFirst(Exception):
    """Raised while a view reads a members-only object (a practice, a call) for an anonymous visitor;
    ``signs_in_first`` turns it into a redirect to log in that comes back to the page."""


def signs_in_first(view):
    """A visitor who follows a members-only link is asked to sign in, then returns here."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except SignInFirst:
            return redirect_to_login(request.get_full_path())

    return wrapped


def object_permission_required(
    queryset: type[Model] | QuerySet,
    *,
    test: Callable[[object, Model], bool],
    reason: str | Callable[[Model], str],
    lookup: str = "pk",
    as_kwarg: str,
):
    """Load the object a URL names (404 if none), let the view run only if ``test(user, obj)``.

    The URL argument named ``lookup`` (``pk``, ``slug``) finds the object; the view receives the
    object as ``as_kwarg`` instead. ``reason`` may be a function of the object, so the 403 page can
    name it. Higher apps build their own ("may manage this meeting") from this one.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            obj = get_object_or_404(queryset, **{lookup: kwargs.pop(lookup)})
            if not test(request.user, obj):
                raise PermissionDenied(reason(obj) if callable(reason) else reason)
            return view(request, *args, **{as_kwarg: obj}, **kwargs)

        return wrapped

    return decorator


# The coalition named by the ``slug`` URL argument, for its admins and partnership admins only.
coalition_admin_required = object_permission_required(
    Coalition,
    test=can_manage_coalition,
    reason=lambda coalition: f"Only the admins of {coalition.name} can do that.",
    lookup="slug",
    as_kwarg="coalition",
)
