"""Demo meetings: the partnership's monthly call with three past meetings (agendas linked to demo
practices, minutes) and the next twelve months scheduled with RSVPs, plus two sessions hosted by
Colorado: one coming up, and one that ended last week without minutes (so organizers see the
prompt to add them).

Idempotent: the series is found by title and creator, occurrences by date, one-offs by title. An
agenda the demo wrote earlier is rewritten when its practice links no longer match.
"""

import zoneinfo
from datetime import time, timedelta

from django.utils import timezone

from practices.models import Practice

from . import recurrence, services
from .models import Meeting, MeetingSeries

SERIES_TITLE = "Partnership monthly call"
ONE_OFF_TITLE = "Colorado smart-mobility working session"
PAST_ONE_OFF_TITLE = "Colorado curb-data working group"
WELCOME = ("Welcome and coalition updates", 10, None)

# (title, minutes, practice slug or None); the presenter is the practice's coalition. Two of the
# practices are members-only, so visitors see those agenda items without the practice.
PAST_AGENDAS = [
    [
        WELCOME,
        ("Case study: bookable loading zones on the curb", 20, "curb-management-loading-zones"),
        ("Tabletop results: what city leadership learned", 20, "ransomware-tabletop-exercise-kit"),
        ("Open floor", 10, None),
    ],
    [
        WELCOME,
        ("Digital navigators at 40 library branches", 25, "digital-navigator-program"),
        ("Heat sensors for cooling-center planning", 15, "phoenix-heat-sensor-network"),
        ("Next steps and volunteers", 10, None),
    ],
    [
        WELCOME,
        ("Flood sensors and street alerts", 20, "flood-sensor-network-sea-level-rise"),
        ("Streetlight retrofits through a performance contract", 20, "streetlight-led-retrofit-performance-contract"),
        ("Open floor", 10, None),
    ],
]

MINUTES = [
    "## Summary\n\nColorado walked through its bookable loading zones: a 90-day pilot on two downtown blocks, "
    "an app for delivery drivers and data-ownership terms that others may reuse. North Texas shared what its "
    "ransomware tabletop taught city leadership.\n\n"
    "## Decisions\n\n- Share the curb-pilot evaluation on the exchange.\n- Form a cybersecurity working group.\n\n"
    "## Action items\n\n- **CSCA**: upload the pilot data and evaluation rubric.\n"
    "- **NTXIA**: draft the working-group charter.",
    "## Summary\n\nKC Digital Drive presented digital navigators across 40 library branches; Arizona showed early "
    "heat-sensor readings from bus stops.\n\n## Decisions\n\n- Share the navigator training plan as a practice."
    "\n\n## Action items\n\n- **KCDD**: post the outcome data.\n- **ASCC**: report again after summer.",
    "## Summary\n\nFlorida's flood sensors now cover 60 sites; Illinois explained how a performance contract paid "
    "for its LED streetlight retrofit out of the energy savings.\n\n## Decisions\n\n- Three coalitions will "
    "look at a joint streetlight RFP.\n\n## Action items\n\n- **ISCC**: circulate the contract terms by the next "
    "call.\n- **FSRN**: share the sensor data model.",
]

UPCOMING_AGENDA = [
    WELCOME,
    ("Adaptive signal timing on arterial corridors", 25, "traffic-signal-timing-optimization"),
    ("Data-sharing agreements with scooter operators", 15, "e-scooter-data-sharing-agreement"),
    ("Open floor", 10, None),
]

COLORADO_AGENDAS = {
    ONE_OFF_TITLE: [
        ("Where each city's curb pilot stands", 30, "curb-management-loading-zones"),
        ("Transit signal priority on Colfax: first results", 30, "connected-vehicle-pilot-signal-priority"),
        ("A joint curb data standard: next steps", 30, None),
    ],
    PAST_ONE_OFF_TITLE: [
        ("Draft curb data standard: comments", 40, "curb-management-loading-zones"),
        ("Who pilots what in 2027", 20, None),
    ],
}


def _agenda(rows, *, practices):
    """Agenda items for ``rows``; a practice that is not in the demo leaves its item unlinked."""
    items = []
    for title, minutes, slug in rows:
        practice = practices.get(slug) if slug else None
        items.append(
            {
                "title": title,
                "duration_minutes": minutes,
                "presenting_coalition": practice.coalition if practice else None,
                "practice": practice,
                # Notes never name the practice: a members-only one must stay hidden from visitors.
                "notes": "Questions for the presenters are welcome in the practice's discussion on the exchange."
                if practice
                else "",
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
    slugs = {slug for rows in [*PAST_AGENDAS, UPCOMING_AGENDA, *COLORADO_AGENDAS.values()] for _, _, slug in rows}
    found = {slug: practices[slug] for slug in slugs - {None} if slug in practices}
    missing = slugs - {None} - set(found)
    if missing:
        found.update({p.slug: p for p in Practice.objects.published().filter(slug__in=missing)})
    return found


def _one_off(*, title, description, day, at, minutes, people, host):
    """A meeting hosted by ``host`` (a coalition slug), scheduled by its admin, once."""
    meeting = Meeting.objects.filter(title=title).first()
    if meeting is None:
        start = recurrence.local_to_utc(day, at, "America/Denver")
        meeting = services.schedule_meeting(
            by=people.admins[host],
            data={
                "title": title,
                "description": description,
                "start": start,
                "end": start + timedelta(minutes=minutes),
                "time_zone": "America/Denver",
                "video_link": f"https://meet.example.org/{host}-{day:%Y%m}",
                "host_coalition": people.coalitions[host],
            },
        )
    return meeting


def seed(*, people, practices, stdout):
    admin = people.partnership_admin
    practices = _demo_practices(practices)
    now = timezone.now()

    series = MeetingSeries.objects.filter(title=SERIES_TITLE, created_by=admin).first()
    if series is None:
        series = services.create_series(
            by=admin,
            data={
                "title": SERIES_TITLE,
                "description": "The monthly call of the partnership: every coalition shares what it is piloting, "
                "and one or two practices are presented in depth.",
                "rule_kind": MeetingSeries.RuleKind.NTH_WEEKDAY,
                "week_of_month": 2,
                "weekday": 1,  # Tuesday
                "local_start_time": time(11, 0),
                "duration_minutes": 60,
                "time_zone": "America/Denver",
                "video_link": "https://meet.example.org/smart-regions-monthly",
                "host_coalition": None,
            },
        )
    else:
        services.extend_series_horizon(series=series)

    # The last three occurrences before today, held, with agendas and minutes.
    today = now.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
    rule = recurrence.Rule.of(series)
    past_days = [
        day
        for day in recurrence.occurrence_dates(rule, recurrence.add_months(today, -4), today)
        if recurrence.local_to_utc(day, series.local_start_time, series.time_zone)
        + timedelta(minutes=series.duration_minutes)
        <= now
    ][-3:]
    for day, agenda, minutes in zip(past_days, PAST_AGENDAS, MINUTES, strict=False):
        values = services.occurrence_values(series, day)
        meeting, _ = Meeting.objects.get_or_create(
            series=series, occurrence_date=values.pop("occurrence_date"), defaults={**values, "created_by": admin}
        )
        _ensure_agenda(meeting, agenda, practices=practices)
        for user in people.everyone[::2]:
            meeting.rsvps.get_or_create(user=user, defaults={"answer": "yes"})
        if not meeting.minutes:
            services.post_minutes(
                meeting=meeting,
                by=admin,
                minutes=minutes,
                recording_link=f"https://video.example.org/recordings/{day:%Y-%m}",
                # Posted the day after the call, as they would have been.
                now=min(meeting.end + timedelta(days=1), now),
            )

    upcoming = list(series.meetings.upcoming(now).filter(status=Meeting.Status.SCHEDULED)[:2])
    if upcoming:
        _ensure_agenda(upcoming[0], UPCOMING_AGENDA, practices=practices)
    answers = ["yes", "yes", "maybe", "yes", "no"]
    for meeting in upcoming:
        for index, user in enumerate(people.everyone):
            if not meeting.rsvps.filter(user=user).exists():
                services.rsvp(by=user, meeting=meeting, answer=answers[index % len(answers)], now=now)

    if "colorado" in people.coalitions:
        coming = _one_off(
            title=ONE_OFF_TITLE,
            description="Front Range cities compare curb-management pilots and plan a joint data standard.",
            day=today + timedelta(days=20),
            at=time(14, 0),
            minutes=90,
            people=people,
            host="colorado",
        )
        ended = _one_off(
            title=PAST_ONE_OFF_TITLE,
            description="Comments on the draft curb data standard, and who pilots what next year.",
            day=today - timedelta(days=6),
            at=time(15, 0),
            minutes=60,
            people=people,
            host="colorado",
        )
        coloradans = [people.admins["colorado"], *people.members["colorado"]]
        for meeting in (coming, ended):
            _ensure_agenda(meeting, COLORADO_AGENDAS[meeting.title], practices=practices)
            for user in coloradans:
                # Directly: the service rightly refuses answers for a meeting that has ended.
                meeting.rsvps.get_or_create(user=user, defaults={"answer": "yes"})

    count = Meeting.objects.filter(series=series).count()
    stdout.write(
        f"Meetings: {count} in “{series.title}” (3 held with minutes), plus two Colorado sessions "
        "(one ended without minutes)."
    )
    return {"series": series}
