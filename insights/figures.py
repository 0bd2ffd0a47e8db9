"""The figures of the insights page, each an aggregate query: a fixed number whatever the data size.

Everything counts what ``user`` may open (``Practice.objects.published().visible_to(user)``): published,
unhidden practices, members-only ones for members and partnership admins, public ones for anyone else.
Drafts, archived and hidden practices never count, not even for their author. Adoptions count unless
stopped (``Adoption.objects.counted()``), and only of practices that count.

The filters (``Scope``) apply to every figure, the same way:
- the date range (whole months, UTC) to a practice's publication and to the day an adoption started
  (``adoption_day``: its "started on" date, else the day it was recorded);
- a coalition to the practices it shared, and to the adoptions it took part in, as adopter or sharer;
- a focus area and a government level to the practice (an adoption: to the practice adopted).

``figures(user, scope)`` is cached in the shared cache under the listed-practices generation, which
every change to a practice, its focus areas or programs, or an adoption renews (``practices.receivers``),
so a change shows on the next view; what no signal announces (an RSVP, counted page views, a coalition
renamed or placed) within ``FIGURES_TTL``.

Speed: the figures join listed practices through conditions on the practice's own columns (``listed``),
which PostgreSQL reads from the narrow covering index ``practice_listed_insights`` instead of the wide
practice rows; derived values they need (``first_adopted_on``, ``adoption_count``) are kept on write.
"""

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import asdict, dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, DateField, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from coalitions import permissions
from coalitions.places import US_STATES
from meetings.models import RSVP, Meeting
from practices.government_levels import GovernmentLevel
from practices.models import Adoption, FocusAreaItem, Practice, PracticeViewCount
from practices.selectors import listed_generation, shared_cache

UTC = dt.UTC
FIGURES_TTL = 5 * 60
MOST_ADOPTED_SHOWN = 10
# The reuse matrix's rows and columns: beyond this, a table is no picture (the CSV has every pair).
MATRIX_SIDE = 15
# Meeting attendance keeps this many coalitions as stacks of their own; the others are summed.
ATTENDANCE_STACKS = 8
NO_COALITION = "-"  # members of no coalition (partnership admins): no coalition's slug is "-"
# Coalitions are no focus areas: their stacks take the colour-blind-safe set in its own order.
ATTENDANCE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a6f00", "#5b6675", "#1c2430")
OTHER = ""  # the slug of the "Other coalitions" row and column (no coalition's slug is empty)
DEFAULT_MONTHS = 24
# A focus area keeps its colour on every chart and table: the n-th area by name takes the n-th colour
# (Okabe–Ito's colour-blind-safe set, then darker companions). static/css/insights.css mirrors this list.
PALETTE = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#7a6f00",
    "#5b6675",
    "#1c5f8a",
    "#8c3d6b",
)
# Adoptions by how sure the portal is of them: the site's "ok" green, brand blue and warning brown.
CONFIRMATION_COLOURS = {"confirmed": "#11643f", "claimed": "#0b5cad", "lapsed": "#8a5300"}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from ``first`` to ``last``, both included."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, n) for n in range(max(count, 0))]


@dataclass(frozen=True)
class Scope:
    """What the figures cover: whole months ``start``..``end`` (first days), and optional filters."""

    start: dt.date
    end: dt.date
    coalition: str = ""  # slug
    focus_area: str = ""  # slug
    government_level: str = ""

    @classmethod
    def default(cls, today: dt.date) -> "Scope":
        end = month_start(today)
        return cls(start=add_months(end, 1 - DEFAULT_MONTHS), end=end)

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=UTC)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(add_months(self.end, 1), dt.time.min, tzinfo=UTC)

    @property
    def months(self) -> list[dt.date]:
        return months_between(self.start, self.end)

    def key(self) -> str:
        return hashlib.sha256(repr(sorted(asdict(self).items())).encode()).hexdigest()[:32]


def _audience(user) -> str:
    # The figures differ only between those who see members-only practices and those who do not.
    return "members" if permissions.is_member(user) else "public"


def listed(user, to: str = "") -> Q:
    """The practices (reached through the relation ``to``, e.g. ``"practice"``) the figures may count for
    ``user``: ``Practice.objects.published().visible_to(user)`` spelled as conditions on the practice's own
    columns. Published and unhidden; for a signed-in non-member, public ones only. (For a member,
    ``visible_to`` adds only the drafts and hidden practices they manage, which ``published()`` drops.)

    Conditions, not ``pk__in`` a subquery: PostgreSQL then reads the practice's columns from the narrow
    ``practice_listed_insights`` index (an index-only scan) instead of the wide practices table."""
    prefix = f"{to}__" if to else ""
    condition = Q(**{f"{prefix}status": Practice.Status.PUBLISHED, f"{prefix}is_hidden": False})
    if not permissions.is_member(user):
        condition &= Q(**{f"{prefix}visibility": Practice.Visibility.PUBLIC})
    return condition


def counted(user, scope: Scope, to: str = "") -> Q:
    """``listed`` under the focus-area and level filters (any date)."""
    prefix = f"{to}__" if to else ""
    condition = listed(user, to)
    if scope.government_level:
        condition &= Q(**{f"{prefix}government_level": scope.government_level})
    if scope.focus_area:
        in_area = FocusAreaItem.objects.filter(content_object=OuterRef(to or "pk"), tag__slug=scope.focus_area)
        condition &= Q(Exists(in_area))
    return condition


def shared(user, scope: Scope, to: str = "") -> Q:
    """``counted`` practices published in the range (by the coalition, when one is chosen)."""
    prefix = f"{to}__" if to else ""
    condition = counted(user, scope, to) & Q(
        **{f"{prefix}published_at__gte": scope.since, f"{prefix}published_at__lt": scope.until}
    )
    if scope.coalition:
        condition &= Q(**{f"{prefix}coalition__slug": scope.coalition})
    return condition


def shared_practices(user, scope: Scope):
    """Practices published in the range (by the coalition, when one is chosen)."""
    return Practice.objects.filter(shared(user, scope))


def adoption_day():
    """The day an adoption counts on: when the coalition says it started, else the day it was recorded (UTC).
    Stories told after the fact (the demo's, a coalition catching up) fall in the month they happened."""
    return Coalesce("started_on", TruncDate("created", tzinfo=UTC), output_field=DateField())


def counted_adoptions(user, scope: Scope):
    """Adoptions that started in the range (``adoption_day``), not stopped, of practices that count (with the
    coalition, as adopter or sharer, when one is chosen)."""
    # The range on ``adoption_day`` spelled as plain column conditions: the same rows, but PostgreSQL
    # estimates them (a filter on the Coalesce is guessed at 0.5% and planned as nested loops).
    in_range = Q(started_on__gte=scope.start, started_on__lt=add_months(scope.end, 1)) | Q(
        started_on__isnull=True, created__gte=scope.since, created__lt=scope.until
    )
    adoptions = Adoption.objects.counted().filter(in_range, counted(user, scope, "practice")).alias(day=adoption_day())
    if scope.coalition:
        adoptions = adoptions.filter(Q(coalition__slug=scope.coalition) | Q(practice__coalition__slug=scope.coalition))
    return adoptions


def _month_key(value) -> str:
    # TruncMonth gives an aware datetime on PostgreSQL and SQLite alike (a date would do as well).
    return value.strftime("%Y-%m")


def practices_by_month(user, scope: Scope, areas: list[tuple[str, str]]) -> dict:
    """Practices shared per month, each focus area a stack (a practice in two areas counts in both), and
    the number of practices per month (counted once). Two queries."""
    month = TruncMonth("content_object__published_at", tzinfo=UTC)
    items = FocusAreaItem.objects.filter(shared(user, scope, "content_object"))
    if scope.focus_area:  # a practice in the chosen area and another stacks in the chosen one only
        items = items.filter(tag__slug=scope.focus_area)
    per_area = (
        items.annotate(month=month).values("month", "tag__slug").annotate(n=Count("content_object_id")).order_by()
    )
    totals = (
        shared_practices(user, scope)
        .order_by()
        .annotate(month=TruncMonth("published_at", tzinfo=UTC))
        .values("month")
        .annotate(n=Count("pk"))
    )
    cells = {(_month_key(row["month"]), row["tag__slug"]): row["n"] for row in per_area}
    total = {_month_key(row["month"]): row["n"] for row in totals}
    keys = [m.strftime("%Y-%m") for m in scope.months]
    series = [
        {
            "slug": slug,
            "label": name,
            "colour_index": index % len(PALETTE),
            "color": PALETTE[index % len(PALETTE)],
            "data": [cells.get((k, slug), 0) for k in keys],
        }
        for index, (slug, name) in enumerate(areas)
    ]
    return {
        "months": scope.months,
        "series": [s for s in series if any(s["data"])],
        "totals": [total.get(k, 0) for k in keys],
        "total": sum(total.values()),
    }


def adoptions_by_month(user, scope: Scope) -> dict:
    """Adoptions per month they started: confirmed by the adopter's admins, claimed, or not confirmed
    recently (lapsed). One query."""
    rows = (
        counted_adoptions(user, scope)
        .order_by()
        .annotate(month=TruncMonth("day"))
        .values("month", "confirmation")
        .annotate(n=Count("pk"))
    )
    cells = {(_month_key(row["month"]), row["confirmation"]): row["n"] for row in rows}
    keys = [m.strftime("%Y-%m") for m in scope.months]
    series = [
        {
            "slug": value,
            "label": label,
            "color": CONFIRMATION_COLOURS[value],
            "data": [cells.get((k, value), 0) for k in keys],
        }
        for value, label in Adoption.Confirmation.choices
    ]
    totals = [sum(s["data"][i] for s in series) for i in range(len(keys))]
    return {"months": scope.months, "series": series, "totals": totals, "total": sum(totals)}


def reuse_matrix(user, scope: Scope) -> dict:
    """Who adopted whose practices: rows the adopting coalition, columns the sharing coalition, with row
    and column totals; ``level`` (0–5) shades a cell against the largest. One query.

    At most ``MATRIX_SIDE`` rows and columns, the coalitions with the most adoptions; the rest are summed
    in an "Other coalitions" row and column, so every total stays whole (the CSV lists every pair)."""
    rows = (
        counted_adoptions(user, scope)
        .order_by()
        .values(
            "coalition__slug", "coalition__short_name", "practice__coalition__slug", "practice__coalition__short_name"
        )
        .annotate(n=Count("pk"))
    )
    names, cells = {}, {}
    adopted, shared = Counter(), Counter()
    for row in rows:
        adopter, sharer, n = row["coalition__slug"], row["practice__coalition__slug"], row["n"]
        names[adopter], names[sharer] = row["coalition__short_name"], row["practice__coalition__short_name"]
        cells[(adopter, sharer)] = n
        adopted[adopter] += n
        shared[sharer] += n

    def side(counts: Counter) -> list[str]:
        # The busiest coalitions, then in name order; the others go to OTHER.
        busiest = sorted(counts, key=lambda slug: (-counts[slug], names[slug].lower()))[:MATRIX_SIDE]
        kept = sorted(busiest, key=lambda slug: names[slug].lower())
        return kept + ([OTHER] if len(counts) > len(kept) else [])

    row_slugs, column_slugs = side(adopted), side(shared)
    folded: Counter = Counter()
    for (adopter, sharer), n in cells.items():
        folded[(adopter if adopter in row_slugs else OTHER, sharer if sharer in column_slugs else OTHER)] += n

    def name(slug: str) -> str:
        return "Other coalitions" if slug == OTHER else names[slug]

    pairs = sorted(
        ((names[a], names[s], n) for (a, s), n in cells.items()), key=lambda p: (-p[2], p[0].lower(), p[1].lower())
    )
    return {
        **_heatmap(folded, row_slugs, column_slugs, name),
        "pairs": pairs,
        "folded": OTHER in row_slugs or OTHER in column_slugs,
    }


def _heatmap(cells: Counter, row_keys: list, column_keys: list, name) -> dict:
    """A matrix as its templates and CSVs read it: the columns, each row's cells with a ``level`` (0–5)
    that shades it against the largest cell, and the row, column and whole totals."""
    largest = max((cells[(row, column)] for row in row_keys for column in column_keys), default=0)

    def level(n: int) -> int:
        return 0 if not n else max(1, round(5 * n / largest))

    table = []
    for row in row_keys:
        counts = [cells[(row, column)] for column in column_keys]
        table.append(
            {
                "slug": row,
                "name": name(row),
                "cells": [{"n": n, "level": level(n)} for n in counts],
                "total": sum(counts),
            }
        )
    column_totals = [sum(cells[(row, column)] for row in row_keys) for column in column_keys]
    return {
        "columns": [{"slug": column, "name": name(column)} for column in column_keys],
        "rows": table,
        "column_totals": column_totals,
        "total": sum(column_totals),
    }


def _median(counts: dict[int, int]) -> float | None:
    """The median of values given as {value: how many} (the mean of the two middle ones for an even count)."""
    total = sum(counts.values())
    if not total:
        return None
    lower_index, upper_index = (total - 1) // 2, total // 2
    seen, lower = 0, None
    for value in sorted(counts):
        seen += counts[value]
        if lower is None and seen > lower_index:
            lower = value
        if seen > upper_index:
            return (lower + value) / 2
    raise AssertionError("unreachable: the loop passes the middle")


def _days(value) -> int:
    # A date difference: a timedelta from the database (PostgreSQL and SQLite alike), or a number of days.
    days = value.days if isinstance(value, dt.timedelta) else int(value)
    return max(days, 0)  # an adoption dated before its publication (a story told after) counts as day 0


def first_adoption(user, scope: Scope, areas: list[tuple[str, str]]) -> dict:
    """Of the practices published in the range, how many were adopted, and the median number of days from
    publication to the first adoption that was not stopped (``Practice.first_adopted_on``, kept on write):
    by focus area (a practice in two areas counts in both), and over all of them. Two queries, each grouped
    by the number of days, so the rows stay few whatever the number of practices."""
    gap = ExpressionWrapper(F("first_adopted_on") - TruncDate("published_at", tzinfo=UTC), output_field=DurationField())
    items = FocusAreaItem.objects.filter(shared(user, scope, "content_object"))
    if scope.focus_area:
        items = items.filter(tag__slug=scope.focus_area)
    per_area = (
        items.order_by()
        .annotate(
            gap=ExpressionWrapper(
                F("content_object__first_adopted_on") - TruncDate("content_object__published_at", tzinfo=UTC),
                output_field=DurationField(),
            ),
        )
        .values("tag__slug", "gap")
        .annotate(n=Count("content_object_id"))
    )
    overall = (
        Practice.objects.filter(shared(user, scope)).order_by().annotate(gap=gap).values("gap").annotate(n=Count("pk"))
    )
    shared_by_area: Counter = Counter()
    gaps: dict[str, Counter] = {}
    for row in per_area:
        shared_by_area[row["tag__slug"]] += row["n"]
        if row["gap"] is not None:
            gaps.setdefault(row["tag__slug"], Counter())[_days(row["gap"])] += row["n"]
    all_gaps: Counter = Counter()
    all_shared = 0
    for row in overall:
        all_shared += row["n"]
        if row["gap"] is not None:
            all_gaps[_days(row["gap"])] += row["n"]
    rows = [
        {
            "slug": slug,
            "label": name,
            "colour_index": index % len(PALETTE),
            "color": PALETTE[index % len(PALETTE)],
            "shared": shared_by_area[slug],
            "adopted": sum(gaps.get(slug, Counter()).values()),
            "median_days": _median(gaps.get(slug, {})),
        }
        for index, (slug, name) in enumerate(areas)
    ]
    return {
        "rows": [r for r in rows if r["shared"]],
        "shared": all_shared,
        "adopted": sum(all_gaps.values()),
        "median_days": _median(all_gaps),
    }


LEVEL_NOT_GIVEN = ""


def reuse_by_level(user, scope: Scope) -> dict:
    """The reuse matrix by level of government: rows the adopting government's level (as the adoption
    records it), columns the level of the practice's, with totals. One query."""
    rows = counted_adoptions(user, scope).order_by().values("government_level", "practice__government_level")
    cells = Counter()
    for row in rows.annotate(n=Count("pk")):
        cells[(row["government_level"], row["practice__government_level"])] += row["n"]
    names = dict(GovernmentLevel.choices)
    levels = [value for value, _ in GovernmentLevel.choices]
    rows_used = [v for v in [*levels, LEVEL_NOT_GIVEN] if any(cells[(v, c)] for c in [*levels, LEVEL_NOT_GIVEN])]
    columns_used = [v for v in [*levels, LEVEL_NOT_GIVEN] if any(cells[(r, v)] for r in [*levels, LEVEL_NOT_GIVEN])]

    def name(value: str) -> str:
        return names.get(value, "Not given")

    pairs = sorted(((name(a), name(s), n) for (a, s), n in cells.items() if n), key=lambda p: (-p[2], p[0], p[1]))
    return {**_heatmap(cells, rows_used, columns_used, name), "pairs": pairs}


def by_funding_program(user, scope: Scope, programs: list[tuple[str, str]]) -> dict:
    """Practices shared and adoptions started in the range, per funding program (a practice or an
    adoption under two programs counts under each). Two queries."""
    through = Practice.funding_programs.through
    practices = dict(
        through.objects.filter(shared(user, scope, "practice"))
        .order_by()
        .values("fundingprogram__slug")
        .annotate(n=Count("practice_id"))
        .values_list("fundingprogram__slug", "n")
    )
    adoptions = dict(
        counted_adoptions(user, scope)
        .order_by()
        .values("practice__funding_programs__slug")
        .annotate(n=Count("pk"))
        .values_list("practice__funding_programs__slug", "n")
    )
    rows = [
        {"slug": slug, "name": name, "practices": practices.get(slug, 0), "adoptions": adoptions.get(slug, 0)}
        for slug, name in programs
    ]
    return {"rows": rows, "any": any(r["practices"] or r["adoptions"] for r in rows)}


def most_adopted(user, scope: Scope) -> list[dict]:
    """The practices with the most adoptions started in the range (confirmed ones among them). Two queries:
    the counts by practice id (from the narrow index), then the titles of the ten."""
    rows = list(
        counted_adoptions(user, scope)
        .order_by()
        .values("practice", "practice__coalition__short_name")
        .annotate(n=Count("pk"), confirmed=Count("pk", filter=Q(confirmation=Adoption.Confirmation.CONFIRMED)))
        .order_by("-n", "-confirmed", "practice")[:MOST_ADOPTED_SHOWN]
    )
    ids = [row["practice"] for row in rows]
    titles = {
        pk: (title, slug) for pk, title, slug in Practice.objects.filter(pk__in=ids).values_list("pk", "title", "slug")
    }
    found = [
        {
            "title": titles[row["practice"]][0],
            "slug": titles[row["practice"]][1],
            "coalition": row["practice__coalition__short_name"],
            "adoptions": row["n"],
            "confirmed": row["confirmed"],
        }
        for row in rows
        if row["practice"] in titles
    ]
    return sorted(found, key=lambda r: (-r["adoptions"], -r["confirmed"], r["title"]))


def viewed_not_adopted(user, scope: Scope) -> list[dict]:
    """The practices whose pages were read most in the range's months and that no coalition has adopted
    (no adoption that was not stopped): where help is needed. Views are counted per practice and month
    (``practices.pageviews``), so this is one GROUP BY over those rows, then the titles of the ten."""
    rows = list(
        PracticeViewCount.objects.filter(
            counted(user, scope, "practice"),
            month__gte=scope.start,
            month__lte=scope.end,
            practice__adoption_count=0,
            **({"practice__coalition__slug": scope.coalition} if scope.coalition else {}),
        )
        .order_by()
        .values("practice", "practice__coalition__short_name")
        .annotate(views=Sum("views"))
        .order_by("-views", "practice")[:MOST_ADOPTED_SHOWN]
    )
    ids = [row["practice"] for row in rows]
    titles = {
        pk: (title, slug) for pk, title, slug in Practice.objects.filter(pk__in=ids).values_list("pk", "title", "slug")
    }
    return [
        {
            "title": titles[row["practice"]][0],
            "slug": titles[row["practice"]][1],
            "coalition": row["practice__coalition__short_name"],
            "views": row["views"],
        }
        for row in rows
        if row["practice"] in titles
    ]


def practices_by_place(user, scope: Scope) -> dict:
    """Practices shared in the range by where the sharing coalitions are (``coalitions.places``): summed per
    state over the coalitions placed by states, and a point per metro coalition. ``level`` (0–5) shades a
    state against the busiest. One query."""
    rows = (
        Practice.objects.filter(shared(user, scope))
        .order_by()
        .values(
            "coalition__name",
            "coalition__short_name",
            "coalition__state_codes",
            "coalition__latitude",
            "coalition__longitude",
        )
        .annotate(n=Count("pk"))
    )
    by_state: Counter = Counter()
    metros, coalitions = [], []
    for row in rows:
        codes = [code for code in row["coalition__state_codes"].split(",") if code in US_STATES]
        latitude, longitude = row["coalition__latitude"], row["coalition__longitude"]
        is_metro = latitude is not None and longitude is not None
        if is_metro:
            metros.append(
                {"name": row["coalition__short_name"], "lat": float(latitude), "lon": float(longitude), "n": row["n"]}
            )
        else:
            for code in codes:
                by_state[code] += row["n"]
        place = ", ".join(US_STATES[code] for code in codes) or "No place given"
        coalitions.append(
            {"name": row["coalition__name"], "place": place + (" (metro point)" if is_metro else ""), "n": row["n"]}
        )
    largest = max(by_state.values(), default=0)
    states = [
        {"code": code, "name": US_STATES[code], "n": n, "level": max(1, round(5 * n / largest))}
        for code, n in sorted(by_state.items(), key=lambda item: US_STATES[item[0]])
    ]
    largest_metro = max((m["n"] for m in metros), default=0)
    for metro in metros:
        metro["radius"] = round(5 + 10 * (metro["n"] / largest_metro) ** 0.5, 1)
    # The legend: the counts each shade stands for on this map (the states' own, lowest to highest).
    bands: dict[int, list[int]] = {}
    for state in states:
        band = bands.setdefault(state["level"], [state["n"], state["n"]])
        band[0], band[1] = min(band[0], state["n"]), max(band[1], state["n"])
    return {
        "states": states,
        "metros": sorted(metros, key=lambda m: m["name"].lower()),
        "coalitions": sorted(coalitions, key=lambda c: (-c["n"], c["name"].lower())),
        "largest": largest,
        "bands": [{"level": level, "low": low, "high": high} for level, (low, high) in sorted(bands.items())],
    }


def attendance(user, scope: Scope, now: dt.datetime) -> dict:
    """Members who answered "yes" to each meeting held in the range (started by ``now``, not cancelled),
    stacked by their coalition (a member of two coalitions counts in each; one of none, a partnership
    admin, under "No coalition"). The ``ATTENDANCE_STACKS`` coalitions with the most attendance keep their
    own stack, the rest are summed under "Other coalitions". A coalition filter keeps its members; the
    focus-area and level filters do not apply to meetings. One query (a GROUP BY meeting and coalition)."""
    rsvps = RSVP.objects.filter(
        answer=RSVP.Answer.YES,
        meeting__start__gte=scope.since,
        meeting__start__lt=min(scope.until, now),
    ).exclude(meeting__status=Meeting.Status.CANCELLED)
    if scope.coalition:
        rsvps = rsvps.filter(user__memberships__coalition__slug=scope.coalition)
    rows = (
        rsvps.order_by()
        .values(
            "meeting_id",
            "meeting__start",
            "meeting__time_zone",
            "meeting__title",
            "user__memberships__coalition__slug",
            "user__memberships__coalition__short_name",
        )
        .annotate(n=Count("pk"))
    )
    meetings, cells, by_coalition, names = {}, Counter(), Counter(), {}
    for row in rows:
        slug = row["user__memberships__coalition__slug"] or NO_COALITION
        names[slug] = row["user__memberships__coalition__short_name"] or "No coalition"
        meetings[row["meeting_id"]] = (row["meeting__start"], row["meeting__time_zone"], row["meeting__title"])
        cells[(row["meeting_id"], slug)] += row["n"]
        by_coalition[slug] += row["n"]
    kept = sorted(by_coalition, key=lambda slug: (-by_coalition[slug], names[slug].lower()))[:ATTENDANCE_STACKS]
    kept.sort(key=lambda slug: names[slug].lower())
    stacks = kept + ([OTHER] if len(by_coalition) > len(kept) else [])
    order = sorted(meetings, key=lambda pk: (meetings[pk][0], pk))
    folded = Counter()
    for (meeting, slug), n in cells.items():
        folded[(meeting, slug if slug in kept else OTHER)] += n
    listed = {}
    for pk in order:
        start, zone, title = meetings[pk]
        listed[pk] = {"day": start.astimezone(_zone(zone)).date(), "title": title}
    series = [
        {
            "slug": slug,
            "label": "Other coalitions" if slug == OTHER else names[slug],
            "color": ATTENDANCE_COLOURS[index % len(ATTENDANCE_COLOURS)],
            "data": [folded[(pk, slug)] for pk in order],
        }
        for index, slug in enumerate(stacks)
    ]
    totals = [sum(s["data"][i] for s in series) for i in range(len(order))]
    pairs = sorted(
        ((listed[m]["day"], listed[m]["title"], names[c], n) for (m, c), n in cells.items()),
        key=lambda p: (p[0], p[1], p[2].lower()),
    )
    meetings_listed = [listed[pk] for pk in order]
    return {"meetings": meetings_listed, "series": series, "totals": totals, "total": sum(totals), "pairs": pairs}


def _zone(name: str):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def compute(user, scope: Scope, options: dict) -> dict:
    """Every figure, uncached: fifteen queries."""
    return {
        "practices_by_month": practices_by_month(user, scope, options["focus_area"]),
        "adoptions_by_month": adoptions_by_month(user, scope),
        "reuse": reuse_matrix(user, scope),
        "reuse_by_level": reuse_by_level(user, scope),
        "first_adoption": first_adoption(user, scope, options["focus_area"]),
        "funding": by_funding_program(user, scope, options["program"]),
        "most_adopted": most_adopted(user, scope),
        "attendance": attendance(user, scope, timezone.now()),
        "viewed_not_adopted": viewed_not_adopted(user, scope),
        "places": practices_by_place(user, scope),
    }


def figures(user, scope: Scope, options: dict) -> dict:
    """``compute`` from the shared cache when there is one (see the module's note on freshness)."""
    shared = shared_cache()
    if shared is None:
        return compute(user, scope, options)
    key = f"insights:figures:{listed_generation(shared)}:{_audience(user)}:{scope.key()}"
    found = shared.get(key)
    if found is None:
        found = compute(user, scope, options)
        shared.set(key, found, FIGURES_TTL)
    return found
