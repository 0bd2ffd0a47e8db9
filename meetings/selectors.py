"""Reads the meeting pages need beyond one chain of QuerySet methods.

Views parse, call one of these (or a ``MeetingQuerySet`` method), and render. Nothing here
writes; each read is a fixed number of queries, whatever the size of the data.
"""

import uuid

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q

from coalitions import permissions
from coalitions.models import Coalition, Membership
from practices import discovery
from practices import selectors as practice_selectors
from practices.models import Practice

from .models import Meeting, MeetingSeries


def organizer_lists(user) -> dict:
    """For someone who may schedule meetings: up to five of their meetings still waiting for minutes
    (latest first) and the series they can open. Partnership admins get every series, including
    one that has no meetings yet. Both are lazy querysets: two queries when the page shows them.
    """
    managed = Meeting.objects.managed_by(user)
    lists = {
        "waiting_for_minutes": managed.needing_minutes().order_by("-start")[:5],
        "series_list": MeetingSeries.objects.filter(pk__in=managed.values("series_id")),
    }
    if permissions.is_partnership_admin(user):
        lists["series_list"] = MeetingSeries.objects.all()
    return lists


# Practices offered in each row's picker: the linked ones, the ones just chosen, and what "Find" found
# (or the newest, before any search). Never the whole catalogue: at 100,000 practices that is a 5 MB page.
PICKER_SIZE = 20


def agenda_choices(meeting, *, user, find: str = "", chosen=()) -> dict:
    """The agenda form's choices as ``(pk, name)`` lists: every coalition; and the practices already
    linked from this agenda (so saving never drops one unpublished since), the published ones ``user``
    may see that were just chosen in the form, and what ``practices.discovery`` finds for ``find`` (the
    newest twenty before any search). A fixed number of queries, however large the catalogue."""
    coalitions = list(Coalition.objects.order_by("name").values_list("pk", "name"))
    linked = meeting.agenda_items.exclude(practice=None).values("practice_id")
    published = pickable_practices(user)
    # Chosen ids are checked here: only published (or already linked) practices become choices.
    kept = Q(pk__in=linked) | Q(pk__in=published.filter(pk__in=[pk for pk in chosen if pk]).values("pk"))
    offered = discovery.find(find, queryset=published, limit=PICKER_SIZE) if find else []
    if not find:
        kept |= Q(pk__in=published.order_by("-published_at", "-pk").values("pk")[:PICKER_SIZE])
    known = {p.pk for p in offered}
    rows = Practice.objects.filter(kept).values_list("pk", "title")
    extra = [(pk, title) for pk, title in rows if pk not in known]
    practices = sorted(extra, key=lambda c: c[1].lower()) + [(p.pk, p.title) for p in offered]
    return {"coalition_choices": coalitions, "practice_choices": practices}


def pickable_practices(user):
    """What an agenda may newly link: published practices ``user`` may open (members-only ones too,
    for the members and partnership admins who organize meetings)."""
    return Practice.objects.published().visible_to(user)


def agenda_practices(query: str, *, user) -> list:
    """The agenda picker's search as you type: practices discovery finds among those ``user`` may link."""
    return discovery.find(query, queryset=pickable_practices(user).select_related("coalition"), limit=PICKER_SIZE)


def invitable_members():
    """Who may be invited to a meeting: active members of a coalition and partnership admins (who have
    a calendar feed and a home page to see it on)."""
    return get_user_model().objects.filter(
        Q(is_staff=True) | Exists(Membership.objects.filter(user=OuterRef("pk"))), is_active=True
    )


# Members the invitee picker offers for one search.
MEMBER_MATCHES = 20


def invitee_users(meeting) -> list:
    """The meeting's invitees as users, in the order they were invited (one query)."""
    return [invitee.user for invitee in meeting.invitees.select_related("user").order_by("invited_at", "pk")]


def find_members(query: str, *, limit: int = MEMBER_MATCHES) -> list[dict]:
    """Members (and partnership admins) whose name or address contains every word of ``query``, for the
    invitee picker: ``[{"email", "name", "coalitions"}]``, by name. Two queries; none under two letters."""
    words = query.split()[:5]
    if not words or len(query) < 2:
        return []
    members = invitable_members()
    for word in words:
        members = members.filter(Q(email__icontains=word) | Q(profile__full_name__icontains=word))
    members = members.select_related("profile").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("coalition").order_by("coalition__name"))
    )
    return [
        {
            "email": user.email,
            "name": user.profile.display_name if hasattr(user, "profile") else user.email,
            "coalitions": ", ".join(m.coalition.short_name or m.coalition.name for m in user.memberships.all())
            or ("Partnership admin" if user.is_staff else ""),
        }
        for user in members.order_by("profile__full_name", "email")[:limit]
    ]


# Anonymous visitors' meeting pages (and home page) are cached whole under this generation and the
# listed-practices one (practices.pagecache); meetings.receivers renews it on any change to a meeting,
# its agenda or series, or an answer to it; the services that write in bulk renew it themselves.
PAGES_GENERATION_KEY = "meetings:pages-generation"


def pages_generation(shared) -> str:
    return practice_selectors.generation(shared, PAGES_GENERATION_KEY)


def forget_meeting_pages() -> None:
    shared = practice_selectors.shared_cache()
    if shared is not None:
        shared.set(PAGES_GENERATION_KEY, uuid.uuid4().hex, None)
