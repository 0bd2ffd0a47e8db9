"""Digest schedule and selection.

Schedule: weekly digests at 08:00 on Monday in the member's own zone, monthly ones at 08:00 on the
1st. ``Preference.next_digest_at`` holds the next slot as a UTC instant, so the tick selects due
members with an indexed query.

Selection: what is new since the member's previous digest (never before they joined), built for a
whole chunk of members with a fixed number of queries (``build_digests``).
"""

import zoneinfo
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse

from calls.models import Call, Need, NeedSignature
from coalitions.models import Membership
from coalitions.timezones import effective_time_zone
from meetings.models import Meeting
from practices.models import Adoption, Comment, FocusAreaItem, Practice

from .models import Preference

WEEKLY = Preference.Frequency.WEEKLY
MONTHLY = Preference.Frequency.MONTHLY

# How far back a first digest looks, and how far ahead its meetings reach.
PERIOD_LENGTH = {WEEKLY: timedelta(days=7), MONTHLY: timedelta(days=31)}
MEETING_HORIZON = {WEEKLY: timedelta(days=14), MONTHLY: timedelta(days=35)}
# Each section shows at most this many items, then "and N more".
SECTION_LIMIT = 10


def _slot(day: date, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(day, time(settings.NOTIFICATIONS_DIGEST_HOUR), tzinfo=zone)


def _first_of_next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def next_digest_slot(*, frequency: str, zone_name: str, after: datetime) -> datetime | None:
    """The first digest slot strictly after ``after``, as an aware datetime in UTC."""
    if frequency not in PERIOD_LENGTH:
        return None
    zone = zoneinfo.ZoneInfo(zone_name)
    local = after.astimezone(zone)
    if frequency == WEEKLY:
        candidate = _slot(local.date() - timedelta(days=local.weekday()), zone)
        while candidate <= local:
            candidate = _slot(candidate.date() + timedelta(days=7), zone)
    else:
        candidate = _slot(local.date().replace(day=1), zone)
        if candidate <= local:
            candidate = _slot(_first_of_next_month(local.date()), zone)
    return candidate.astimezone(zoneinfo.ZoneInfo("UTC"))


def current_digest_slot(*, frequency: str, zone_name: str, now: datetime) -> datetime | None:
    """The latest slot at or before ``now`` (for sending a member's digest on demand)."""
    if frequency not in PERIOD_LENGTH:
        return None
    return next_digest_slot(frequency=frequency, zone_name=zone_name, after=now - PERIOD_LENGTH[frequency])


def digest_period(*, frequency: str, slot: datetime, zone_name: str) -> str:
    """``2026-W48`` for a weekly slot, ``2026-11`` for a monthly one (in the member's zone)."""
    local = slot.astimezone(zoneinfo.ZoneInfo(zone_name)).date()
    if frequency == WEEKLY:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-{local.month:02d}"


def digest_users(user_ids):
    """Users with everything ``build_digests`` and ``effective_time_zone`` read, in 4 queries."""
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .select_related("profile", "email_preference")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("coalition")),
            "email_preference__focus_areas",
        )
    )


@dataclass
class Section:
    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class Digest:
    user: object
    frequency: str
    since: datetime
    until: datetime
    zone: str
    practices: Section
    adoptions: Section
    comments: Section
    meetings: list = field(default_factory=list)
    followed: list = field(default_factory=list)  # names of followed focus areas; empty = all
    # New calls for solutions and newly co-signed shared needs in the followed areas (``Listed`` rows).
    calls: "Section" = field(default_factory=lambda: Section(items=[], total=0))
    needs: "Section" = field(default_factory=lambda: Section(items=[], total=0))

    @property
    def is_empty(self) -> bool:
        # Upcoming meetings alone are no news: reminders cover them. A digest needs something new.
        return not (
            self.practices.total or self.adoptions.total or self.comments.total or self.calls.total or self.needs.total
        )


@dataclass(frozen=True)
class Listed:
    """A call or a shared need as a digest lists it: plain values, so a run's content pickles small."""

    at: datetime
    pk: int
    is_public: bool
    areas: frozenset
    title: str
    coalition: str
    path: str

    def get_absolute_url(self) -> str:
        return self.path


def _listed(rows, *, path_name: str, public: bool | None = None) -> list[Listed]:
    """One ``Listed`` per object from rows of (time, pk, [is_public,] area id, title, coalition), one row
    per focus area (the many-to-many joined in the same query), oldest first."""
    found: dict[int, dict] = {}
    for row in rows:
        at, pk, *rest = row
        is_public = rest.pop(0) if public is None else public
        area, title, coalition = rest
        entry = found.setdefault(pk, {"at": at, "pk": pk, "is_public": is_public, "areas": set(), "title": title,
                                      "coalition": coalition})  # fmt: skip
        if area:
            entry["areas"].add(area)
    return sorted(
        (Listed(**{**e, "areas": frozenset(e["areas"]), "path": reverse(path_name, args=[e["pk"]])})
         for e in found.values()),
        key=lambda listed: (listed.at, listed.pk),
    )  # fmt: skip


def _section(items: list) -> Section:
    return Section(items=items[:SECTION_LIMIT], total=len(items))


def digest_since(user, *, frequency: str, until: datetime) -> datetime:
    """Since the previous digest, else one period back; never before the member joined."""
    preference = getattr(user, "email_preference", None)
    last = preference.last_digest_sent_at if preference else None
    since = last or until - PERIOD_LENGTH[frequency]
    joined = [m.joined for m in user.memberships.all()] or [user.date_joined]
    return max(since, min(joined))


class PeriodContent:
    """What a digest run may show: the practices, adoptions, calls and shared needs of the period, the
    coming meetings.

    Loaded once per run (``period_content``) and shared by every chunk: compact rows, not model
    instances, so a worker keeps it in memory and the shared cache holds it cheaply. Each chunk
    then picks every member's items with a binary search over these time-ordered lists, and loads
    only the few practices and adoptions it shows.

    ``practices``: (published_at, pk, author_id, focus area ids), oldest first.
    ``adoptions``: (created, pk, coalition of the practice, adopting coalition), oldest first.
    """

    def __init__(self, *, since: datetime, until: datetime):
        self.since = since
        self.until = until
        rows = (
            Practice.objects.published()
            .filter(published_at__gt=since, published_at__lte=until)
            .values_list("published_at", "pk", "author_id")
        )
        areas: dict[int, set[int]] = {}
        for practice_id, area_id in FocusAreaItem.objects.filter(
            content_object__in=Practice.objects.published().filter(published_at__gt=since, published_at__lte=until)
        ).values_list("content_object_id", "tag_id"):
            areas.setdefault(practice_id, set()).add(area_id)
        self.practices = sorted((published, pk, author, frozenset(areas.get(pk, ()))) for published, pk, author in rows)
        self.adoptions = sorted(
            Adoption.objects.filter(created__gt=since, created__lte=until).values_list(
                "created", "pk", "practice__coalition_id", "coalition_id"
            )
        )
        # Calls for solutions published in the period (not closed), and shared needs whose latest co-signature
        # came in the period: one query each, the focus areas joined in.
        self.calls = _listed(
            Call.objects.filter(created__gt=since, created__lte=until, closed_at=None).values_list(
                "created", "pk", "is_public", "focus_areas", "title", "coalition__name"
            ),
            path_name="calls:call_detail",
        )
        latest = NeedSignature.objects.filter(need=OuterRef("pk")).order_by("-created").values("created")[:1]
        self.needs = _listed(
            Need.objects.open()
            .shared()
            .annotate(cosigned=Subquery(latest))
            .filter(cosigned__gt=since, cosigned__lte=until)
            .values_list("cosigned", "pk", "focus_areas", "title", "coalition__name"),
            path_name="calls:need_detail",
            public=False,
        )
        self.meetings = list(
            Meeting.objects.filter(
                status=Meeting.Status.SCHEDULED, start__gt=until, start__lte=until + max(MEETING_HORIZON.values())
            )
            .select_related("host_coalition")
            .order_by("start")
        )
        self._memo: dict = {}

    def __getstate__(self):
        # The per-process indexes below are rebuilt on demand; the shared cache holds the rows only.
        return {name: value for name, value in self.__dict__.items() if name != "_memo"}

    def __setstate__(self, state):
        self.__dict__.update(state, _memo={})

    def _by_areas(self, followed: frozenset) -> tuple[list, list]:
        """The period's practices in any of ``followed`` (all when empty), and their times."""
        key = ("areas", followed)
        if key not in self._memo:
            rows = [row for row in self.practices if not followed or not followed.isdisjoint(row[3])]
            self._memo[key] = (rows, [row[0] for row in rows])
        return self._memo[key]

    def _by_author(self) -> dict[int, list]:
        if "authors" not in self._memo:
            authors: dict[int, list] = {}
            for row in self.practices:
                authors.setdefault(row[2], []).append(row)
            self._memo["authors"] = authors
        return self._memo["authors"]

    def _for_coalitions(self, mine: frozenset) -> tuple[list, list]:
        """Adoptions of practices of ``mine`` by coalitions not among them, and their times."""
        key = ("adoptions", mine)
        if key not in self._memo:
            if "by_coalition" not in self._memo:
                by_coalition: dict[int, list] = {}
                for row in self.adoptions:
                    by_coalition.setdefault(row[2], []).append(row)
                self._memo["by_coalition"] = by_coalition
            by_coalition = self._memo["by_coalition"]
            rows = sorted(row for c in mine for row in by_coalition.get(c, ()) if row[3] not in mine)
            self._memo[key] = (rows, [row[0] for row in rows])
        return self._memo[key]

    def practices_for(self, *, user_id: int, since: datetime, followed: frozenset) -> tuple[list[int], int]:
        """Ids of the newest practices a member is shown (at most ``SECTION_LIMIT``), and how many in all."""
        rows, times = self._by_areas(followed)
        first = bisect_right(times, since)
        total = len(rows) - first
        for row in self._by_author().get(user_id, ()):
            if row[0] > since and (not followed or not followed.isdisjoint(row[3])):
                total -= 1  # their own practices stay out
        shown = []
        for row in reversed(rows[first:]):
            if len(shown) == SECTION_LIMIT:
                break
            if row[2] != user_id:
                shown.append(row[1])
        return shown, total

    def listed_for(self, kind: str, *, since: datetime, followed: frozenset, member: bool) -> Section:
        """New calls (``kind`` "calls") or shared needs ("needs") in the followed areas (all when none are
        followed): partnership-only calls and needs for members only. Few a period, so a plain scan."""
        rows = [
            row
            for row in getattr(self, kind)
            if row.at > since and (member or row.is_public) and (not followed or not followed.isdisjoint(row.areas))
        ]
        return Section(items=rows[::-1][:SECTION_LIMIT], total=len(rows))

    def adoptions_for(self, *, since: datetime, mine: frozenset) -> tuple[list[int], int]:
        rows, times = self._for_coalitions(mine)
        first = bisect_right(times, since)
        return [row[1] for row in reversed(rows[max(first, len(rows) - SECTION_LIMIT) :])], len(rows) - first


def _resolve_urls_once(objects) -> None:
    """Give each object its ``get_absolute_url`` answer as a constant (the templates call it per email)."""
    for obj in objects:
        url = obj.get_absolute_url()
        obj.get_absolute_url = partial(str, url)


# A run's content, kept in the worker between chunks (by run id) and shared with other workers
# through the cache. A run lasts minutes; an hour covers retries.
_RUNS: dict[str, PeriodContent] = {}
RUN_CACHE_SECONDS = 60 * 60
LONGEST_PERIOD = max(PERIOD_LENGTH.values())


def period_content(*, since: datetime, until: datetime, run: str | None = None) -> PeriodContent:
    """The content of a run ending at ``until`` that reaches back at least to ``since``.

    With a ``run`` id (every chunk of one digest fan-out carries the same), it is loaded once per
    run: from this process's memory, else the shared cache, else the database (then stored in both).
    It reaches back at least one monthly period, so the first chunk's load serves the whole run.
    """
    if run is None:
        return PeriodContent(since=since, until=until)
    key = f"notifications:digest-run:{run}"
    content = _RUNS.get(run) or cache.get(key)
    if content is None or content.since > since or content.until != until:
        content = PeriodContent(since=min(since, until - LONGEST_PERIOD), until=until)
        cache.set(key, content, RUN_CACHE_SECONDS)
    if run not in _RUNS:
        while len(_RUNS) >= 4:  # a worker serves one or two runs at a time
            _RUNS.pop(next(iter(_RUNS)))
    _RUNS[run] = content
    return content


def build_digests(users, *, now: datetime, run: str | None = None) -> dict[int, Digest]:
    """Digests for ``users`` (from ``digest_users``), keyed by user id, with a fixed number of queries.

    ``now`` is the end of the period (the run's time). The period's content comes from
    ``period_content`` (six queries, once per ``run``), then three more whatever the number of
    members: comments on their practices, and the practices and adoptions shown.
    Members whose frequency is off get none.
    """
    plans = {}
    for user in users:
        preference = getattr(user, "email_preference", None)
        frequency = preference.digest_frequency if preference else WEEKLY
        if frequency not in PERIOD_LENGTH:
            continue
        plans[user.pk] = (user, frequency, digest_since(user, frequency=frequency, until=now))
    if not plans:
        return {}

    earliest = min(since for _, _, since in plans.values())
    content = period_content(since=earliest, until=now, run=run)
    comments: dict[int, list] = {}
    for comment in (
        Comment.objects.filter(
            is_hidden=False, created__gt=earliest, created__lte=now, practice__author_id__in=list(plans)
        )
        .select_related("practice", "author__profile")
        .order_by("-created", "-pk")
    ):
        comments.setdefault(comment.practice.author_id, []).append(comment)

    picks = {}
    for user_id, (user, _, since) in plans.items():
        preference = getattr(user, "email_preference", None)
        areas = list(preference.focus_areas.all()) if preference else []
        mine = frozenset(m.coalition_id for m in user.memberships.all())
        followed = frozenset(a.pk for a in areas)
        practices = content.practices_for(user_id=user_id, since=since, followed=followed)
        adoptions = content.adoptions_for(since=since, mine=mine)
        member = bool(mine) or (user.is_active and user.is_staff)
        listed = {
            kind: content.listed_for(kind, since=since, followed=followed, member=member) for kind in ("calls", "needs")
        }
        picks[user_id] = (practices, adoptions, areas, listed)

    shown_practices = Practice.objects.select_related("coalition").in_bulk(
        {pk for (ids, _), _, _, _ in picks.values() for pk in ids}
    )
    shown_adoptions = Adoption.objects.select_related("practice", "coalition").in_bulk(
        {pk for _, (ids, _), _, _ in picks.values() for pk in ids}
    )
    # Members of a chunk see mostly the same practices: resolve each link once, not once per email.
    _resolve_urls_once(
        [*shown_practices.values(), *(a.practice for a in shown_adoptions.values())]
        + [c.practice for rows in comments.values() for c in rows]
    )

    digests = {}
    for user_id, (user, frequency, since) in plans.items():
        (practice_ids, practice_total), (adoption_ids, adoption_total), areas, listed = picks[user_id]
        theirs = [c for c in comments.get(user_id, ()) if c.created > since and c.author_id != user_id]
        horizon = now + MEETING_HORIZON[frequency]
        digests[user_id] = Digest(
            user=user,
            frequency=frequency,
            since=since,
            until=now,
            zone=effective_time_zone(user),
            practices=Section(
                items=[shown_practices[pk] for pk in practice_ids if pk in shown_practices], total=practice_total
            ),
            adoptions=Section(
                items=[shown_adoptions[pk] for pk in adoption_ids if pk in shown_adoptions], total=adoption_total
            ),
            comments=_section(theirs),
            meetings=[m for m in content.meetings if m.start <= horizon][:SECTION_LIMIT],
            followed=[area.name for area in areas],
            calls=listed["calls"],
            needs=listed["needs"],
        )
    return digests
