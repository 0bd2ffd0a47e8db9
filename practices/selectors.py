"""Reads the practice pages need beyond one chain of QuerySet methods.

Views parse, call one of these (or a QuerySet method), and render. Each read here is a fixed
number of queries, whatever the size of the data; the tests under ``tests/practices`` hold them
to their budgets. Nothing here writes, and nothing imports an app above practices: meeting
appearances are read through the reverse relation ``Practice.agenda_items``.
"""

from django.db.models import BigIntegerField, Count, DateTimeField, F, OuterRef, Subquery, Value, Window
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from taggit.models import Tag

from . import discovery
from .models import Adoption, Attachment, Comment, FocusArea, FocusAreaItem, Practice, Report, TaggedPractice

SIMILAR_COUNT = 5


def _with_reasons(suggestions) -> list[Practice]:
    """The suggested practices (discovery fetched them, with their coalition), each with ``suggestion_reason``."""
    practices = []
    for suggestion in suggestions:
        suggestion.practice.suggestion_reason = suggestion.reason
        practices.append(suggestion.practice)
    return practices


def similar_practices(user, *, title, summary="", focus_area_slugs=(), exclude=None, limit=SIMILAR_COUNT):
    """Practices like one being written (title, summary, ticked focus areas) that ``user`` may see, asked
    of ``practices.discovery``: only those above its cutoff, each with the reason it matched."""
    return _with_reasons(
        discovery.suggest(
            title=title,
            summary=summary,
            focus_area_slugs=focus_area_slugs,
            user=user,
            exclude_id=exclude.pk if exclude is not None else None,
            limit=limit,
        )
    )


def practices_like(practice, user, *, focus_area_slugs=(), limit=SIMILAR_COUNT):
    """ "Similar practices" on a practice's page: its stored vector stands in for a query's embedding."""
    return _with_reasons(
        discovery.similar_to_practice(practice, focus_area_slugs=focus_area_slugs, user=user, limit=limit)
    )


def practice_facets(practice: Practice) -> tuple[list[FocusArea], list[Tag], list[Attachment]]:
    """A practice's focus areas, tags and files in one query (a UNION of three small lists).

    Three prefetches would cost two more queries, and the detail page must stay within its
    budget of twelve for a signed-in member. Rows come back as unsaved-looking instances with
    their ids: enough for names, links and downloads.
    """
    no_size = Value(0, output_field=BigIntegerField())
    no_date = Cast(Value(None), output_field=DateTimeField())  # a typed NULL, or PostgreSQL reads text
    columns = ("group", "item_id", "item_name", "item_slug", "item_size", "item_created")

    def rows(queryset, group, item_id, name, slug, size, created):
        return (
            queryset.order_by()
            .annotate(
                group=Value(group),
                item_id=F(item_id),
                item_name=F(name),
                item_slug=F(slug) if isinstance(slug, str) else slug,
                item_size=F(size) if isinstance(size, str) else size,
                item_created=F(created) if isinstance(created, str) else created,
            )
            .values_list(*columns)
        )

    union = rows(
        FocusAreaItem.objects.filter(content_object=practice), "focus", "tag_id", "tag__name", "tag__slug",
        no_size, no_date,
    ).union(
        rows(
            TaggedPractice.objects.filter(content_object=practice), "tag", "tag_id", "tag__name", "tag__slug",
            no_size, no_date,
        ),
        rows(practice.attachments.all(), "file", "pk", "name", Value(""), "size", "created"),
        all=True,
    )  # fmt: skip
    focus_areas, tags, files = [], [], []
    for group, pk, name, slug, size, created in union:
        if group == "focus":
            focus_areas.append(FocusArea(pk=pk, name=name, slug=slug))
        elif group == "tag":
            tags.append(Tag(pk=pk, name=name, slug=slug))
        else:
            files.append(Attachment(pk=pk, practice=practice, name=name, size=size, created=created))
    return (
        sorted(focus_areas, key=lambda a: a.name.lower()),
        sorted(tags, key=lambda t: t.name.lower()),
        sorted(files, key=lambda f: (f.created, f.pk)),
    )


def meeting_appearances(practice: Practice) -> dict[str, list]:
    """Agenda items that present this practice: ``presented`` (meetings that ended, latest first) and
    ``upcoming`` (soonest first). Cancelled meetings are left out. One query.

    meetings owns AgendaItem; reading it through the reverse relation keeps the arrow pointing down.
    """
    now = timezone.now()
    items = list(
        practice.agenda_items.exclude(meeting__status="cancelled")
        .select_related("meeting", "presenting_coalition")
        .order_by("meeting__start", "order")
    )
    return {
        "presented": [item for item in reversed(items) if item.meeting.end <= now],
        "upcoming": [item for item in items if item.meeting.end > now],
    }


def focus_areas_with_counts(user):
    """Every focus area, annotated with ``practice_count``: the published practices ``user`` may open.

    One query: the counts are a correlated subquery, so areas without practices show 0.
    """
    counts = (
        FocusAreaItem.objects.filter(
            tag=OuterRef("pk"), content_object__in=Practice.objects.published().visible_to(user)
        )
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return FocusArea.objects.annotate(practice_count=Coalesce(Subquery(counts), 0))


def moderation_overview() -> dict:
    """The moderation page: open reports (oldest first), hidden practices and comments (latest
    first), and the last 20 decisions. Four queries, however many rows.
    """
    return {
        "reports": (
            Report.objects.open()
            # comment__practice: a comment's link is its practice's URL plus an anchor.
            .select_related("practice", "comment__author__profile", "comment__practice", "reporter__profile")
            .order_by("created")
        ),
        "hidden_practices": Practice.objects.filter(is_hidden=True).select_related("coalition").order_by("-updated"),
        "hidden_comments": (
            Comment.objects.filter(is_hidden=True).select_related("practice", "author__profile").order_by("-updated")
        ),
        "recent": (
            Report.objects.exclude(status=Report.Status.OPEN)
            .select_related("practice", "comment", "resolved_by__profile")
            .order_by("-resolved_at")[:20]
        ),
    }


def coalition_practices(coalition, user, *, limit: int) -> dict:
    """What a coalition shared and adopted, as ``user`` may see it, newest first: ``shared`` and
    ``adopted`` (up to ``limit`` rows each) and how many more each list has (``shared_more``,
    ``adopted_more``). Two queries, whatever the coalition's size.
    """
    visible = Practice.objects.published().visible_to(user)
    # Only what the rows show (kind, adoption count), and each list's full size from a window count in
    # the same query: the coalition page stays within its budget with two queries for this block.
    total = Window(Count("pk"))
    shared = list(
        visible.filter(coalition=coalition)
        .select_related("kind")
        .with_adoption_counts()
        .annotate(total=total)
        .order_by("-published_at", "-pk")[:limit]
    )
    adopted = list(
        Adoption.objects.filter(coalition=coalition, practice__in=visible)
        .select_related("practice__coalition")
        .annotate(total=total)
        .order_by("-updated")[:limit]
    )
    return {
        "shared": shared,
        "shared_more": shared[0].total - len(shared) if shared else 0,
        "adopted": adopted,
        "adopted_more": adopted[0].total - len(adopted) if adopted else 0,
    }
