"""Demo meetings: the partnership's monthly call with three past meetings (agendas linked to demo
practices, minutes), the two years of calls before them (short minutes, attendance growing) and the
next twelve months scheduled with RSVPs, plus two sessions hosted by
Colorado: one coming up, and one that ended last week without minutes (so organizers see the
prompt to add them).

Idempotent: the series is found by title and creator, occurrences by date, one-offs by title. An
agenda the demo wrote earlier is rewritten when its practice links no longer match.
"""

import tomllib
import zoneinfo
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from practices.models import Practice

from . import recurrence, services
from .models import RSVP, Meeting, MeetingSeries

DATA = tomllib.loads((Path(__file__).with_name("demo.toml")).read_text(encoding="utf-8"))
SERIES, SESSIONS = DATA["series"], DATA["session"]
SERIES_TITLE = SERIES["title"]
ONE_OFF_TITLE, PAST_ONE_OFF_TITLE = (session["title"] for session in SESSIONS)


def _agenda(rows, *, practices):
    """Agenda items for ``rows``; a practice that is not in the demo leaves its item unlinked."""
    items = []
    for row in rows:
        practice = practices.get(row.get("practice"))
        items.append(
            {
                "title": row["title"],
                "duration_minutes": row["minutes"],
                "presenting_coalition": practice.coalition if practice else None,
                "practice": practice,
                "notes": DATA["practice_item_notes"] if practice else "",
            }
        )
    return items


def _ensure_agenda(meeting, rows, *, practices) -> None:
    """Write the demo agenda unless an organizer wrote their own (the demo's always opens the same way)."""
    wanted = _agenda(rows, practices=practices)
    current = list(meeting.agenda_items.all())
    if current and current[0].title != wanted[0]["title"]:
        return
    if [(i.title, i.practice_id) for i in current] != [
        (w["title"], getattr(w["practice"], "pk", None)) for w in wanted
    ]:
        services.set_agenda(by=meeting.created_by, meeting=meeting, items=wanted)


def _demo_practices(practices: dict) -> dict:
    """The practices the agendas name, by slug, from the practices demo (or the database)."""
    agendas = [*(held["agenda"] for held in SERIES["held"]), SERIES["next"]["agenda"], *(s["agenda"] for s in SESSIONS)]
    slugs = {row["practice"] for rows in agendas for row in rows if "practice" in row}
    found = {slug: practices[slug] for slug in slugs if slug in practices}
    missing = slugs - set(found)
    if missing:
        found.update({p.slug: p for p in Practice.objects.published().filter(slug__in=missing)})
    return found


def _series(*, by):
    """The monthly call, created by the partnership admin, or its schedule extended a year ahead."""
    series = MeetingSeries.objects.filter(title=SERIES_TITLE, created_by=by).first()
    if series is not None:
        services.extend_series_horizon(series=series)
        return series
    fields = ("title", "description", "week_of_month", "weekday", "local_start_time", "duration_minutes")
    return services.create_series(
        by=by,
        data={
            **{name: SERIES[name] for name in fields},
            "time_zone": SERIES["time_zone"],
            "video_link": SERIES["video_link"],
            "rule_kind": MeetingSeries.RuleKind.NTH_WEEKDAY,
            "host_coalition": None,
        },
    )


def _held(series, *, people, practices, now) -> None:
    """The last three occurrences before today, held, with agendas, RSVPs and minutes.

    Past occurrences and their RSVPs are written directly: the services only schedule ahead, and
    rightly refuse answers for a meeting that has ended. The minutes go through the service,
    posted the day after each call as they would have been."""
    admin = people.partnership_admin
    today = now.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
    rule = recurrence.Rule.of(series)
    past_days = [
        day
        for day in recurrence.occurrence_dates(rule, recurrence.add_months(today, -4), today)
        if recurrence.local_to_utc(day, series.local_start_time, series.time_zone)
        + timedelta(minutes=series.duration_minutes)
        <= now
    ][-3:]
    for day, held in zip(past_days, SERIES["held"], strict=False):
        values = services.occurrence_values(series, day)
        meeting, _ = Meeting.objects.get_or_create(
            series=series, occurrence_date=values.pop("occurrence_date"), defaults={**values, "created_by": admin}
        )
        _ensure_agenda(meeting, held["agenda"], practices=practices)
        for user in people.everyone[::2]:
            meeting.rsvps.get_or_create(user=user, defaults={"answer": "yes"})
        if not meeting.minutes:
            services.post_minutes(
                meeting=meeting,
                by=admin,
                minutes=held["minutes"].strip(),
                recording_link=f"https://video.example.org/recordings/{day:%Y-%m}",
                now=min(meeting.end + timedelta(days=1), now),
            )


def _history(series, *, people, now) -> None:
    """The calls of the two years before the last three (``series.history``): held, with short minutes and a
    share of the demo's people answering yes that grows as the partnership did. Written directly, as above;
    occurrences already there are left as they are."""
    history = SERIES["history"]
    admin = people.partnership_admin
    today = now.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
    rule = recurrence.Rule.of(series)
    days = [
        day
        for day in recurrence.occurrence_dates(rule, recurrence.add_months(today, -history["months"]), today)
        if recurrence.local_to_utc(day, series.local_start_time, series.time_zone) < now
    ][: -len(SERIES["held"])]
    everyone = people.everyone
    for index, day in enumerate(days):
        if series.meetings.filter(occurrence_date=day).exists():
            continue
        values = services.occurrence_values(series, day)
        values.pop("occurrence_date")
        meeting = Meeting.objects.create(
            series=series,
            occurrence_date=day,
            **values,
            status=Meeting.Status.HELD,
            minutes=history["minutes"].strip(),
            minutes_posted_at=min(values["end"] + timedelta(days=1), now),
            created_by=admin,
        )
        first, last = history["first_share"], history["last_share"]
        share = first + (last - first) * index / max(len(days) - 1, 1)
        # About that share of the people, different ones each month (a fixed scramble: the same on every run).
        attending = [user for number, user in enumerate(everyone) if (number * 37 + index * 11) % 100 < share * 100]
        meeting.rsvps.bulk_create([RSVP(meeting=meeting, user=user, answer=RSVP.Answer.YES) for user in attending])


def _upcoming(series, *, people, practices, now) -> None:
    """The next agenda, and everyone's answers for the next two meetings."""
    upcoming = list(series.meetings.upcoming(now).filter(status=Meeting.Status.SCHEDULED)[:2])
    if upcoming:
        _ensure_agenda(upcoming[0], SERIES["next"]["agenda"], practices=practices)
    answers = SERIES["next"]["answers"]
    for meeting in upcoming:
        for index, user in enumerate(people.everyone):
            if not meeting.rsvps.filter(user=user).exists():
                services.rsvp(by=user, meeting=meeting, answer=answers[index % len(answers)], now=now)


def _session(data: dict, *, people, practices, today):
    """A one-off meeting scheduled by its host coalition's admin, once; its people answer yes."""
    host = data["host"]
    meeting = Meeting.objects.filter(title=data["title"]).first()
    if meeting is None:
        day = today + timedelta(days=data["days_from_today"])
        start = recurrence.local_to_utc(day, data["at"], "America/Denver")
        meeting = services.schedule_meeting(
            by=people.admins[host],
            data={
                "title": data["title"],
                "description": data["description"],
                "start": start,
                "end": start + timedelta(minutes=data["minutes"]),
                "time_zone": "America/Denver",
                "video_link": f"https://meet.example.org/{host}-{day:%Y%m}",
                "host_coalition": people.coalitions[host],
            },
        )
    _ensure_agenda(meeting, data["agenda"], practices=practices)
    for user in [people.admins[host], *people.members[host]]:
        # Directly: the service rightly refuses answers for a meeting that has ended.
        meeting.rsvps.get_or_create(user=user, defaults={"answer": "yes"})


def seed(*, people, practices, stdout):
    practices = _demo_practices(practices)
    now = timezone.now()
    series = _series(by=people.partnership_admin)
    _held(series, people=people, practices=practices, now=now)
    _history(series, people=people, now=now)
    _upcoming(series, people=people, practices=practices, now=now)
    today = now.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
    for session in SESSIONS:
        if session["host"] in people.coalitions:
            _session(session, people=people, practices=practices, today=today)

    count = Meeting.objects.filter(series=series).count()
    stdout.write(
        f"Meetings: {count} in “{series.title}” (3 held with minutes), plus two Colorado sessions "
        "(one ended without minutes)."
    )
    return {"series": series}
