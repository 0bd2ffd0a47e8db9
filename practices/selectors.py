"""Reads the practice pages need beyond one chain of QuerySet methods.

Views parse, call one of these (or a QuerySet method), and render. Each read here is a fixed
number of queries, whatever the size of the data; the tests under ``tests/practices`` hold them
to their budgets. Nothing here writes, and nothing imports an app above practices: meeting
appearances are read through the reverse relation ``Practice.agenda_items``.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from coalitions import permissions
from coalitions.models import Coalition

from . import discovery
from .models import (
    STAGE_ORDER,
    Adoption,
    AdoptionFile,
    AdoptionOutcome,
    AdoptionStep,
    Attachment,
    Comment,
    FocusArea,
    FocusAreaItem,
    FundingProgram,
    OutcomeMeasure,
    Practice,
    Report,
    Standard,
    TaggedPractice,
)

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


def practices_like(practice, user, *, limit=SIMILAR_COUNT):
    """ "Similar practices" on a practice's page: the list discovery stored when the practice (or one
    near it) last changed, less what ``user`` may not see. One query; nothing is ranked on view."""
    return discovery.stored_similar(practice, user=user, limit=limit)


def practice_facets(
    practice: Practice,
) -> tuple[list[FocusArea], list[Tag], list[Attachment], list[FundingProgram]]:
    """A practice's focus areas, tags, files and funding programs in one query (a UNION of four small lists).

    Four prefetches would cost three more queries, and the detail page must stay within its
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
        rows(
            Practice.funding_programs.through.objects.filter(practice=practice), "program", "fundingprogram_id",
            "fundingprogram__name", "fundingprogram__slug", F("fundingprogram__order"), no_date,
        ),
        all=True,
    )  # fmt: skip
    focus_areas, tags, files, programs = [], [], [], []
    for group, pk, name, slug, size, created in union:
        if group == "focus":
            focus_areas.append(FocusArea(pk=pk, name=name, slug=slug))
        elif group == "program":
            programs.append(FundingProgram(pk=pk, name=name, slug=slug, order=size))
        elif group == "tag":
            tags.append(Tag(pk=pk, name=name, slug=slug))
        else:
            files.append(Attachment(pk=pk, practice=practice, name=name, size=size, created=created))
    return (
        sorted(focus_areas, key=lambda a: a.name.lower()),
        sorted(tags, key=lambda t: t.name.lower()),
        sorted(files, key=lambda f: (f.created, f.pk)),
        sorted(programs, key=lambda p: (p.order, p.name.lower())),
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


# Counts that several pages show and that every visitor of one audience shares: kept in the shared cache
# under a generation that any change to what is listed renews (practices.receivers), and for at most
# COUNTS_TTL seconds in case a change bypasses the signals (a bulk update in a shell).
COUNTS_TTL = 300
GENERATION_KEY = "practices:listed-generation"


def forget_listed_counts() -> None:
    """Called when what the lists show changes: every cached count is from then on a miss."""
    shared = shared_cache()
    if shared is not None:
        shared.set(GENERATION_KEY, uuid.uuid4().hex, None)


def audience(user) -> str:
    # Published, unhidden practices split two ways only: public ones, and all of them (members, and
    # partnership admins, whose extra rights cover unpublished rows these counts leave out anyway).
    return "members" if permissions.is_member(user) or permissions.is_partnership_admin(user) else "public"


def shared_cache():
    """The shared cache, unless it is the database cache: there a cached aggregate costs as many queries as
    it saves (the development default without Redis)."""
    return None if isinstance(cache, DatabaseCache) else cache


def listed_generation(shared) -> str:
    """The current generation of what the lists show (renewed by ``forget_listed_counts``): part of the key
    of every count and page cached for it."""
    return generation(shared, GENERATION_KEY)


def generation(shared, key: str) -> str:
    """The generation kept at ``key`` in the shared cache, made on first use; renewing it (a new value)
    turns everything cached under the old one into misses."""
    current = shared.get(key)
    if current is None:
        current = uuid.uuid4().hex
        if not shared.add(key, current, None):
            current = shared.get(key) or current  # another process set one first
    return current


def focus_areas_with_counts(user) -> list[FocusArea]:
    """Every focus area, with ``practice_count``: the published practices ``user`` may open.

    One query (a GROUP BY over the (focus area, practice) pairs), cached per audience in the shared cache:
    at 100,000 practices the aggregate reads every pair, too much for each view.
    """
    shared = shared_cache()
    key = None
    if shared is not None:
        key = f"practices:focus-areas:{audience(user)}:{listed_generation(shared)}"
        areas = shared.get(key)
        if areas is not None:
            return areas
    listed = Practice.objects.published().visible_to(user).values("pk")
    areas = list(FocusArea.objects.annotate(practice_count=Count("items", filter=Q(items__content_object__in=listed))))
    if key is not None:
        shared.set(key, areas, COUNTS_TTL)
    return areas


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


# Chips read best with the strongest proof first: adopted, then piloting, then exploring, then stopped.
_STAGE_RANK = Case(
    *(When(stage=stage, then=Value(rank)) for rank, stage in enumerate(STAGE_ORDER)),
    default=Value(len(STAGE_ORDER)),
    output_field=IntegerField(),
)
# The stories of a practice page: current ones confirmed before claimed (and lapsed), stopped ones last.
_CONFIRMED_FIRST = Case(
    When(stage=Adoption.Stage.STOPPED, then=Value(2)),
    When(confirmation=Adoption.Confirmation.CONFIRMED, then=Value(0)),
    default=Value(1),
    output_field=IntegerField(),
)


@dataclass
class OutcomeSummary:
    """One measure's figures across adopters: "3 coalitions, median 6 weeks of RFP work saved"."""

    measure: OutcomeMeasure
    coalitions: int
    median: Decimal

    @property
    def text(self) -> str:
        who = f"{self.coalitions} coalition{'s' if self.coalitions != 1 else ''}"
        return f"{who}, median {self.measure.format(self.median)} {self.measure.summary_label}"


def _steps_and_files(adoption_ids: list[int]) -> tuple[dict[int, list], dict[int, list]]:
    """The timelines and evidence files of these adoptions, in one query (a UNION of two small lists), as
    ``practice_facets`` does: two prefetches would cost the page a query more than its budget allows."""
    no_text = Value("", output_field=TextField())
    no_day = Cast(Value(None), output_field=DateField())  # typed NULLs, or PostgreSQL reads text
    no_size = Value(0, output_field=BigIntegerField())
    columns = ("group", "owner", "item_id", "label", "day", "note", "item_size", "item_created")

    def rows(queryset, group, label, day, note, size):
        return (
            queryset.filter(adoption_id__in=adoption_ids)
            .order_by()
            .annotate(
                group=Value(group),
                owner=F("adoption_id"),
                item_id=F("pk"),
                label=F(label),
                day=F(day) if isinstance(day, str) else day,
                note=F(note) if isinstance(note, str) else note,
                item_size=F(size) if isinstance(size, str) else size,
                item_created=F("created"),
            )
            .values_list(*columns)
        )

    union = rows(AdoptionStep.objects, "step", "stage", "on", "reason", no_size).union(
        rows(AdoptionFile.objects, "file", "name", no_day, no_text, "size"), all=True
    )
    steps: dict[int, list] = {}
    files: dict[int, list] = {}
    for group, owner, pk, label, day, note, size, created in union:
        if group == "step":
            steps.setdefault(owner, []).append(
                AdoptionStep(pk=pk, adoption_id=owner, stage=label, on=day, reason=note, created=created)
            )
        else:
            files.setdefault(owner, []).append(
                AdoptionFile(pk=pk, adoption_id=owner, name=label, size=size, created=created)
            )
    for timeline in steps.values():
        timeline.sort(key=lambda step: (step.on, step.created, step.pk))
    for evidence in files.values():
        evidence.sort(key=lambda file: (file.created, file.pk))
    return steps, files


def adoption_stories(practice: Practice) -> dict:
    """A practice's adoptions for its page: ``adoptions`` (confirmed first, then claimed, each by stage:
    adopted, piloting, exploring; stopped ones last), each with its coalition, contact, ``timeline``
    (dated steps), ``figures`` (outcomes with their measures) and ``evidence`` (files); ``adopters`` (the
    same, strongest stage first, for the chips); ``outcome_summaries`` (per measure: how many coalitions
    reported it and the median); ``confirmed_count`` and ``claimed_count`` of those not stopped. Three
    queries, whatever the number of adoptions: the page must stay within its budget of twelve."""
    adoptions = list(
        practice.adoptions.select_related("coalition", "contact__profile")
        .prefetch_related(
            Prefetch("outcomes", queryset=AdoptionOutcome.objects.select_related("measure"), to_attr="figures"),
        )
        .order_by(_CONFIRMED_FIRST, _STAGE_RANK, "coalition__short_name")
    )
    steps, files = _steps_and_files([a.pk for a in adoptions]) if adoptions else ({}, {})
    by_measure: dict[int, list] = {}
    for adoption in adoptions:
        adoption.practice = practice  # already loaded
        adoption.timeline = steps.get(adoption.pk, [])
        adoption.evidence = files.get(adoption.pk, [])
        for figure in adoption.figures:
            by_measure.setdefault(figure.measure_id, []).append(figure)
    summaries = [
        OutcomeSummary(measure=figures[0].measure, coalitions=len(figures), median=median(f.value for f in figures))
        for figures in by_measure.values()
    ]
    summaries.sort(key=lambda s: (s.measure.order, s.measure.name))
    current = [a for a in adoptions if a.stage != Adoption.Stage.STOPPED]
    confirmed = sum(1 for a in current if a.is_confirmed)
    return {
        "adoptions": adoptions,
        # The header's chips: strongest stage first, whatever the confirmation.
        "adopters": sorted(adoptions, key=lambda a: (a.stage_rank, a.coalition.short_name)),
        "outcome_summaries": summaries,
        "confirmed_count": confirmed,
        "claimed_count": len(current) - confirmed,
    }


def attach_adopters(practices) -> None:
    """Give each practice ``adopters``: its adoptions with their coalitions, strongest stage first,
    for the coalition chips of cards and pages. One query for all of them, whatever their number;
    call it with the rows a page shows (none for an empty list)."""
    practices = [p for p in practices if not hasattr(p, "adopters")]
    if practices:
        prefetch_related_objects(
            practices,
            Prefetch(
                "adoptions",
                queryset=Adoption.objects.select_related("coalition").order_by(_STAGE_RANK, "coalition__short_name"),
                to_attr="adopters",
            ),
        )


def attach_row_labels(practices) -> None:
    """Give each practice ``row_areas`` and ``row_tags``: its focus areas and tags as ``name``, ``slug`` and
    ``url``, in the order they were given, for a list row. Two queries of plain values for all of them,
    whatever their number (taggit's prefetch builds a queryset per practice, most of a cold list page's
    time); each label's URL is reversed once however many rows show it."""
    practices = list(practices)
    if not practices:
        return
    ids = [practice.pk for practice in practices]
    labels = {"row_areas": (FocusAreaItem, "practices:focus_area"), "row_tags": (TaggedPractice, "practices:tag")}
    for attribute, (through, view) in labels.items():
        found: dict[int, list[dict]] = {pk: [] for pk in ids}
        urls: dict[str, str] = {}
        rows = through.objects.filter(content_object_id__in=ids).order_by("pk")
        for pk, name, slug in rows.values_list("content_object_id", "tag__name", "tag__slug"):
            if slug not in urls:
                urls[slug] = reverse(view, args=[slug])
            found[pk].append({"name": name, "slug": slug, "url": urls[slug]})
        for practice in practices:
            setattr(practice, attribute, found[practice.pk])


def coalition_figures(coalition, user) -> dict:
    """A coalition's tiles: published practices it shared (``shared``), adoptions of them by other
    coalitions (``adopted_by_others``; of those, confirmed by their adopters and still in use:
    ``adopted_by_others_confirmed``), and practices of others it adopted (``adopted_from_others``); stopped
    adoptions count nowhere.
    One query of four subqueries. Counted over the practices ``user`` may open, so the tiles agree
    with the lists below them (a visitor's count public practices only)."""
    live = Practice.objects.published().visible_to(user)

    def count(rows, group: str):
        return Coalesce(Subquery(rows.order_by().values(group).annotate(n=Count("pk")).values("n")), 0)

    here = OuterRef("pk")
    return (
        Coalition.objects.filter(pk=coalition.pk)
        .values(
            shared=count(live.filter(coalition=here), "coalition"),
            adopted_by_others=count(
                Adoption.objects.counted().filter(practice__coalition=here, practice__in=live).exclude(coalition=here),
                "practice__coalition",
            ),
            adopted_by_others_confirmed=count(
                Adoption.objects.confirmed()
                .counted()
                .filter(practice__coalition=here, practice__in=live)
                .exclude(coalition=here),
                "practice__coalition",
            ),
            adopted_from_others=count(
                Adoption.objects.counted().filter(coalition=here, practice__in=live).exclude(practice__coalition=here),
                "coalition",
            ),
        )
        .get()
    )


ADAPTATIONS_SHOWN = 10


def what_it_takes_to_run(practice: Practice, user) -> dict:
    """A practice's standards, the original it adapted (if ``user`` may see it) and the adaptations of
    it ``user`` may see, newest first, in one query: the standards and the adaptations are one UNION
    (the detail page keeps its fixed budget); the original comes with the page's ``select_related``.
    ``user=None``: what every member sees (live practices), for the page's rows kept for them all."""
    original = practice.based_on if practice.based_on_id else None
    if original is not None and not (original.is_live if user is None else original.can_view(user)):
        original = None
    standards = (
        Standard.objects.filter(practices=practice)
        .annotate(group=Value("standard"), extra=F("description"), sort_key=Value(None, DateTimeField()))
        .order_by()
        .values_list("group", "name", "slug", "extra", "sort_key")
    )
    # The newest few, chosen in a subquery: a compound statement's parts may not be ordered or sliced (SQLite).
    visible = Practice.objects.published() if user is None else Practice.objects.published().visible_to(user)
    newest = visible.filter(based_on=practice).order_by("-published_at", "-pk").values("pk")[:ADAPTATIONS_SHOWN]
    adaptations = (
        Practice.objects.filter(pk__in=newest)
        .annotate(
            group=Value("adaptation"), name=F("title"), extra=F("coalition__short_name"), sort_key=F("published_at")
        )
        .order_by()
        .values_list("group", "name", "slug", "extra", "sort_key")
    )
    found: dict[str, list] = {"standard": [], "adaptation": []}
    for group, name, slug, extra, sort_key in standards.union(adaptations, all=True):
        found[group].append({"name": name, "slug": slug, "extra": extra or "", "sort_key": sort_key})
    found["standard"].sort(key=lambda row: row["name"].lower())
    found["adaptation"].sort(key=lambda row: row["sort_key"] or timezone.now(), reverse=True)
    for row in found["adaptation"]:
        row["url"] = reverse("practices:detail", args=[row["slug"]])
    return {"standards": found["standard"], "based_on": original, "adaptations": found["adaptation"]}
