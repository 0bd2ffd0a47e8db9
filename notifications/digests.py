"""Digest schedule and selection.

Schedule: weekly digests at 08:00 on Monday in the member's own zone, monthly ones at 08:00 on the
1st. ``Preference.next_digest_at`` holds the next slot as a UTC instant, so the tick selects due
members with an indexed query.

Selection: what is new since the member's previous digest (never before they joined), built for a
whole chunk of members with a fixed number of queries (``build_digests``).
"""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from coalitions.models import Membership
from coalitions.timezones import effective_time_zone
from meetings.models import Meeting
from practices.models import Adoption, Comment, Practice

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

    @property
    def is_empty(self) -> bool:
        # Upcoming meetings alone are no news: reminders cover them. A digest needs something new.
        return not (self.practices.total or self.adoptions.total or self.comments.total)


def _section(items: list) -> Section:
    return Section(items=items[:SECTION_LIMIT], total=len(items))


def digest_since(user, *, frequency: str, until: datetime) -> datetime:
    """Since the previous digest, else one period back; never before the member joined."""
    preference = getattr(user, "email_preference", None)
    last = preference.last_digest_sent_at if preference else None
    since = last or until - PERIOD_LENGTH[frequency]
    joined = [m.joined for m in user.memberships.all()] or [user.date_joined]
    return max(since, min(joined))


def build_digests(users, *, now: datetime) -> dict[int, Digest]:
    """Digests for ``users`` (from ``digest_users``), keyed by user id, with a fixed number of queries.

    Four queries whatever the number of members: practices (+ their focus areas), adoptions,
    comments, meetings. Members whose frequency is off get none.
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
    coalition_ids = {m.coalition_id for user, _, _ in plans.values() for m in user.memberships.all()}
    horizon = max(MEETING_HORIZON[frequency] for _, frequency, _ in plans.values())

    practices = list(
        Practice.objects.published()
        .filter(published_at__gt=earliest, published_at__lte=now)
        .select_related("coalition")
        .prefetch_related("focus_areas")
        .order_by("-published_at")
    )
    adoptions = list(
        Adoption.objects.filter(created__gt=earliest, created__lte=now, practice__coalition_id__in=coalition_ids)
        .select_related("practice", "coalition")
        .order_by("-created")
    )
    comments = list(
        Comment.objects.filter(
            is_hidden=False, created__gt=earliest, created__lte=now, practice__author_id__in=list(plans)
        )
        .select_related("practice", "author__profile")
        .order_by("-created")
    )
    meetings = list(
        Meeting.objects.filter(status=Meeting.Status.SCHEDULED, start__gt=now, start__lte=now + horizon)
        .select_related("host_coalition")
        .order_by("start")
    )

    # Once per chunk, not once per (member, practice) pair: the inner loop below runs members × practices times.
    practice_areas = {p.pk: {area.pk for area in p.focus_areas.all()} for p in practices}
    digests = {}
    for user_id, (user, frequency, since) in plans.items():
        preference = getattr(user, "email_preference", None)
        areas = list(preference.focus_areas.all()) if preference else []
        followed = {area.pk for area in areas}
        mine = {m.coalition_id for m in user.memberships.all()}
        digests[user_id] = Digest(
            user=user,
            frequency=frequency,
            since=since,
            until=now,
            zone=effective_time_zone(user),
            practices=_section(
                [
                    p
                    for p in practices
                    if p.published_at > since
                    and p.author_id != user_id
                    and (not followed or not followed.isdisjoint(practice_areas[p.pk]))
                ]
            ),
            adoptions=_section(
                [
                    a
                    for a in adoptions
                    if a.created > since and a.practice.coalition_id in mine and a.coalition_id not in mine
                ]
            ),
            comments=_section(
                [
                    c
                    for c in comments
                    if c.created > since and c.practice.author_id == user_id and c.author_id != user_id
                ]
            ),
            meetings=[m for m in meetings if m.start <= now + MEETING_HORIZON[frequency]][:SECTION_LIMIT],
            followed=[area.name for area in areas],
        )
    return digests
