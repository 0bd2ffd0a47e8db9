"""Reads of the home page: a member's "what needs me this week", the way in for someone in no
coalition yet, and the partnership's figures for visitors.

config sits above every app, so it may read them all. Each function is a fixed number of queries,
whatever the size of the data (``tests/test_home*.py`` hold the page to its budgets per role); lists
are cut at a few rows, and "more" is known from one extra row, never from a count.
"""

import uuid
from datetime import timedelta
from types import SimpleNamespace

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from coalitions import permissions
from coalitions.models import Coalition, JoinRequest
from meetings import selectors as meeting_selectors
from meetings.models import RSVP, Meeting
from notifications.models import Preference
from practices import selectors as practice_selectors
from practices.filters import LONG_FIELDS
from practices.models import Adoption, Comment, FocusAreaItem, Practice

NEXT_MEETINGS = 3
INVITATIONS = 5
NEW_PRACTICES = 5
DISCUSSIONS = 5
DRAFTS = 5
JOIN_REQUESTS = 5
MISSING_MINUTES = 5
# "New since your last visit" for someone never seen before (or before the portal kept the time).
FIRST_VISIT_WINDOW = timedelta(days=30)

FIGURES_CACHE_KEY = "home:partnership-figures"
FIGURES_CACHE_SECONDS = 600


def _cut(rows, limit: int) -> tuple[list, bool]:
    """The first ``limit`` of ``rows`` (fetched with one row more) and whether there were more."""
    rows = list(rows[: limit + 1])
    return rows[:limit], len(rows) > limit


def pending_requests_for(user):
    """Join requests waiting for ``user``'s decision: their coalitions' as a coalition admin, every
    coalition's as a partnership admin (who may act for all), none for anyone else."""
    pending = JoinRequest.objects.pending()
    if permissions.is_partnership_admin(user):
        return pending
    admin_of = permissions.admin_coalition_ids(user)
    return pending.filter(coalition_id__in=admin_of) if admin_of else pending.none()


def may_decide_join_requests(user) -> bool:
    """Known from the roles the middleware loaded: no query."""
    return permissions.is_partnership_admin(user) or bool(permissions.admin_coalition_ids(user))


def followed_focus_areas(user) -> list[tuple[int, str, str]]:
    """(id, name, slug) of the focus areas ``user`` follows in their email preferences; empty means
    all of them (the preference's own rule). One query, and it never creates the preference row."""
    rows = (
        Preference.objects.filter(user=user, focus_areas__isnull=False)
        .order_by("focus_areas__name")
        .values_list("focus_areas__id", "focus_areas__name", "focus_areas__slug")
    )
    return list(rows)


def new_practices_since(user, since, *, area_ids=(), limit: int = NEW_PRACTICES) -> tuple[list, bool]:
    """Published practices ``user`` may open, published after ``since`` in any of ``area_ids`` (every
    area when empty), newest first, less their own: list rows for ``practices.fragments.Rows``, which
    loads what a row shows beyond them only for rows it has not kept. One query."""
    practices = (
        Practice.objects.published()
        .visible_to(user)
        .filter(published_at__gt=since)
        .exclude(author_id=user.pk)
        .select_related("coalition", "kind")
        .defer(*LONG_FIELDS)
        .order_by("-published_at", "-pk")
    )
    if area_ids:
        practices = practices.filter(
            Exists(FocusAreaItem.objects.filter(content_object=OuterRef("pk"), tag_id__in=list(area_ids)))
        )
    return _cut(practices, limit)


def my_pending_requests(user) -> list:
    """``user``'s own join requests still waiting for a decision, with their coalitions (one query)."""
    return list(
        JoinRequest.objects.pending().filter(user_id=user.pk).select_related("coalition").order_by("created", "pk")
    )


# A member's home is theirs alone, and it is the page they open most. What it shows is kept in the shared
# cache per member, keyed by every generation that a change to it renews: the listed practices' (new
# practices, their drafts, discussions), the meeting pages' (meetings, answers, invitations, minutes) and
# the homes' own (join requests, memberships, followed focus areas), and by the visit it counts "new"
# from. For at most HOME_TTL seconds: a meeting that has just started leaves the list within it.
HOME_KEY = "home:member"
HOME_GENERATION_KEY = "home:generation"
HOME_TTL = 60


def forget_member_homes() -> None:
    """Called when a join request, a membership, an invitation or a member's followed areas change."""
    shared = practice_selectors.shared_cache()
    if shared is not None:
        shared.set(HOME_GENERATION_KEY, uuid.uuid4().hex, None)


def member_home(user) -> dict:
    """``_member_home`` from the shared cache (see HOME_KEY), or made and kept there."""
    shared = practice_selectors.shared_cache()
    if shared is None:
        return _member_home(user)
    previous = user.profile.previous_visit_at
    generations = ":".join(
        (
            practice_selectors.listed_generation(shared),
            meeting_selectors.pages_generation(shared),
            practice_selectors.generation(shared, HOME_GENERATION_KEY),
        )
    )
    key = f"{HOME_KEY}:{user.pk}:{generations}:{previous.timestamp() if previous else 'first'}"
    return shared.get_or_set(key, lambda: _member_home(user), HOME_TTL)


def _member_home(user) -> dict:
    """What a member (or partnership admin) sees first: what needs them this week.

    Fixed queries: meetings, invitations, followed areas, new practices (rows not kept by ``Rows`` add their
    labels and adopters), discussions, drafts, their own
    pending join requests (a member may ask to join a second coalition), and for those who decide
    join requests and post minutes, two more.
    """
    now = timezone.now()
    profile = user.profile  # loaded once per request (the header shows the name)
    since = profile.previous_visit_at or now - FIRST_VISIT_WINDOW
    followed = followed_focus_areas(user)
    new_practices, more_practices = new_practices_since(user, since, area_ids=[pk for pk, _, _ in followed])
    discussions, more_discussions = _cut(
        Comment.objects.for_discussion()
        .filter(practice__author_id=user.pk, practice__status=Practice.Status.PUBLISHED, practice__is_hidden=False)
        .exclude(author_id=user.pk)
        .select_related("practice")
        .order_by("-created", "-pk"),
        DISCUSSIONS,
    )
    drafts, more_drafts = _cut(
        # visible_to: drafts they may still open (not those of a coalition they have left).
        Practice.objects.visible_to(user)
        .filter(author_id=user.pk, status=Practice.Status.DRAFT)
        .select_related("coalition")
        .order_by("-updated", "-pk"),
        DRAFTS,
    )
    context = {
        "since": since,
        "is_first_visit": profile.previous_visit_at is None,
        "next_meetings": list(
            Meeting.objects.upcoming(now).not_cancelled().for_listing(user).order_by("start", "pk")[:NEXT_MEETINGS]
        ),
        # Meetings a partnership admin invited them to by name (a working group…), with the same
        # one-click answer; those already started or cancelled are no longer asked about.
        "invitations": list(
            Meeting.objects.upcoming(now)
            .not_cancelled()
            .filter(start__gt=now)
            .invited(user)
            .for_listing(user)
            .order_by("start", "pk")[:INVITATIONS]
        ),
        "followed_areas": [{"name": name, "slug": slug} for _, name, slug in followed],
        "new_practices": new_practices,
        "more_practices": more_practices,
        "discussions": discussions,
        "more_discussions": more_discussions,
        "drafts": drafts,
        "more_drafts": more_drafts,
        "answers": RSVP.Answer.choices,
        "pending_requests": my_pending_requests(user),
        "can_share": bool(permissions.coalition_ids(user)) or permissions.is_partnership_admin(user),
    }
    if may_decide_join_requests(user):
        context["join_requests"], context["more_join_requests"] = _cut(
            pending_requests_for(user).select_related("user__profile", "coalition").order_by("created", "pk"),
            JOIN_REQUESTS,
        )
    if permissions.can_schedule_meetings(user):
        context["missing_minutes"], context["more_missing_minutes"] = _cut(
            Meeting.objects.managed_by(user).needing_minutes(now).order_by("-start", "-pk"), MISSING_MINUTES
        )
    return context


def newcomer_home(user) -> dict:
    """Someone signed in but in no coalition: their pending requests, or the coalitions to ask. Two
    queries (one when they have a request pending)."""
    pending = my_pending_requests(user)
    return {
        "pending_requests": pending,
        "is_verified": permissions.has_verified_email(user),
        "coalitions": [] if pending else list(Coalition.objects.with_member_counts().order_by("name")),
    }


def partnership_figures() -> dict:
    """The landing page's figures: coalitions, published practices, adoptions of them (stopped ones left
    out) and how many of those their adopters' admins confirmed, the next
    meeting. Kept in the shared cache for ten minutes (or until that meeting starts, if sooner), so
    a visitor's page costs no count."""
    figures = cache.get(FIGURES_CACHE_KEY)
    if figures is None:
        figures = _count_figures()
    # The meeting as an object for ``{% meeting_time %}``; the cache holds plain values.
    meeting = figures["next_meeting"]
    return {**figures, "next_meeting": SimpleNamespace(**meeting) if meeting else None}


def _count_figures() -> dict:
    now = timezone.now()
    published = Practice.objects.published()
    next_meeting = (
        Meeting.objects.upcoming(now)
        .not_cancelled()
        .filter(start__gt=now)
        .order_by("start", "pk")
        .values("pk", "title", "start", "time_zone")
        .first()
    )
    figures = {
        "coalitions": Coalition.objects.count(),
        "practices": published.count(),
        **Adoption.objects.counted()
        .filter(practice__in=published)
        .aggregate(
            adoptions=Count("pk"),
            confirmed_adoptions=Count("pk", filter=Q(confirmation=Adoption.Confirmation.CONFIRMED)),
        ),
        "next_meeting": next_meeting,
    }
    timeout = FIGURES_CACHE_SECONDS
    if next_meeting:
        timeout = max(1, min(timeout, int((next_meeting["start"] - now).total_seconds())))
    cache.set(FIGURES_CACHE_KEY, figures, timeout)
    return figures
