"""Reads the meeting pages need beyond one chain of QuerySet methods.

Views parse, call one of these (or a ``MeetingQuerySet`` method), and render. Nothing here
writes; each read is a fixed number of queries, whatever the size of the data.
"""

from coalitions import permissions
from coalitions.models import Coalition
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


def agenda_choices(meeting) -> dict:
    """The agenda form's choices as ``(pk, name)`` lists: every coalition, and every published
    practice plus any already linked from this agenda (so saving never drops a practice that was
    unpublished since). Two queries.
    """
    coalitions = list(Coalition.objects.order_by("name").values_list("pk", "name"))
    linked = meeting.agenda_items.exclude(practice=None).values("practice_id")
    practices = list(
        (Practice.objects.published() | Practice.objects.filter(pk__in=linked))
        .order_by("title")
        .values_list("pk", "title")
    )
    return {"coalition_choices": coalitions, "practice_choices": practices}
