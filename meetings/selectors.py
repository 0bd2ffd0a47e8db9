"""Reads the meeting pages need beyond one chain of QuerySet methods.

Views parse, call one of these (or a ``MeetingQuerySet`` method), and render. Nothing here
writes; each read is a fixed number of queries, whatever the size of the data.
"""

from django.db.models import Q

from coalitions import permissions
from coalitions.models import Coalition
from practices import discovery
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


def agenda_choices(meeting, *, find: str = "", chosen=()) -> dict:
    """The agenda form's choices as ``(pk, name)`` lists: every coalition; and the practices already
    linked from this agenda (so saving never drops one unpublished since), the published ones just
    chosen in the form, and what ``practices.discovery`` finds for ``find`` (the newest twenty before
    any search). A fixed number of queries, however large the catalogue."""
    coalitions = list(Coalition.objects.order_by("name").values_list("pk", "name"))
    linked = meeting.agenda_items.exclude(practice=None).values("practice_id")
    published = Practice.objects.published()
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


def agenda_practices(query: str) -> list:
    """The agenda picker's search as you type: published practices discovery finds, with coalitions."""
    published = Practice.objects.published().select_related("coalition")
    return discovery.find(query, queryset=published, limit=PICKER_SIZE)
