"""Demo meetings: the partnership's monthly call with three past meetings (agendas, minutes) and
the next twelve months scheduled with RSVPs, plus a one-off session hosted by a coalition.

Idempotent: the series is found by title and creator, occurrences by date, the one-off by title.
"""

import zoneinfo
from datetime import time, timedelta

from django.utils import timezone

from practices.models import Practice

from . import recurrence, services
from .models import Meeting, MeetingSeries

SERIES_TITLE = "Partnership monthly call"
ONE_OFF_TITLE = "Colorado smart-mobility working session"

PAST_AGENDAS = [
    [
        ("Welcome and coalition updates", 10, None),
        ("Case study: procurement of curb sensors", 20, "colorado"),
        ("Cybersecurity tabletop results", 20, "north-texas"),
        ("Open floor", 10, None),
    ],
    [
        ("Welcome and coalition updates", 10, None),
        ("Digital inclusion: device lending at scale", 25, "kc-digital-drive"),
        ("Heat-resilience sensing pilots", 15, "arizona"),
        ("Next steps and volunteers", 10, None),
    ],
    [
        ("Welcome and coalition updates", 10, None),
        ("Sea-level-rise sensor network", 20, "florida"),
        ("Joint RFP template for smart streetlights", 20, "illinois"),
        ("Open floor", 10, None),
    ],
]

MINUTES = [
    "## Summary\n\nColorado walked through its curb-sensor RFP: two-step procurement, a 90-day pilot and "
    "data-ownership terms that others may reuse. North Texas shared the results of its ransomware tabletop.\n\n"
    "## Decisions\n\n- Publish the RFP template on the exchange.\n- Form a cybersecurity working group.\n\n"
    "## Action items\n\n- **CSCA**: upload the RFP and evaluation rubric.\n"
    "- **NTXIA**: draft the working-group charter.",
    "## Summary\n\nKC Digital Drive presented device lending across 40 library branches; Arizona showed early "
    "heat-sensor readings from bus stops.\n\n## Decisions\n\n- Share the lending policy as a practice.\n\n"
    "## Action items\n\n- **KCDD**: post the policy and outcome data.\n- **ASCC**: report again after summer.",
    "## Summary\n\nFlorida's sea-level-rise sensors now cover 60 sites; Illinois proposed a joint streetlight RFP "
    "that coalitions can adopt with local terms.\n\n## Decisions\n\n- Three coalitions will pilot the joint RFP.\n\n"
    "## Action items\n\n- **ISCC**: circulate the draft by the next call.\n- **FSRN**: share the sensor data model.",
]

UPCOMING_AGENDA = [
    ("Welcome and coalition updates", 10, None),
    ("Smart-streetlight RFP: pilot reports", 25, "illinois"),
    ("Open data standards for mobility", 15, "colorado"),
    ("Open floor", 10, None),
]


def _agenda(rows, *, people, practices):
    items = []
    for index, (title, minutes, coalition_slug) in enumerate(rows):
        practice = practices[index % len(practices)] if practices and coalition_slug else None
        items.append(
            {
                "title": title,
                "duration_minutes": minutes,
                "presenting_coalition": people.coalitions.get(coalition_slug) if coalition_slug else None,
                "practice": practice,
                "notes": f"Background: [{practice.title}]({practice.get_absolute_url()})." if practice else "",
            }
        )
    return items


def seed(*, people, practices, stdout):
    admin = people.partnership_admin
    practice_list = list(practices.values()) or list(Practice.objects.published().order_by("pk")[:8])
    now = timezone.now()

    series = MeetingSeries.objects.filter(title=SERIES_TITLE, created_by=admin).first()
    if series is None:
        series = services.create_series(
            created_by=admin,
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
        if not meeting.agenda_items.exists():
            services.set_agenda(meeting=meeting, items=_agenda(agenda, people=people, practices=practice_list))
        for user in people.everyone[::2]:
            meeting.rsvps.get_or_create(user=user, defaults={"answer": "yes"})
        if not meeting.minutes:
            services.post_minutes(
                meeting=meeting,
                by=admin,
                minutes=minutes,
                recording_link=f"https://video.example.org/recordings/{day:%Y-%m}",
            )

    upcoming = list(series.meetings.upcoming(now).filter(status=Meeting.Status.SCHEDULED)[:2])
    if upcoming and not upcoming[0].agenda_items.exists():
        services.set_agenda(meeting=upcoming[0], items=_agenda(UPCOMING_AGENDA, people=people, practices=practice_list))
    answers = ["yes", "yes", "maybe", "yes", "no"]
    for meeting in upcoming:
        for index, user in enumerate(people.everyone):
            if not meeting.rsvps.filter(user=user).exists():
                services.rsvp(meeting=meeting, user=user, answer=answers[index % len(answers)], now=now)

    colorado = people.coalitions.get("colorado")
    if colorado and not Meeting.objects.filter(title=ONE_OFF_TITLE).exists():
        day = today + timedelta(days=20)
        start = recurrence.local_to_utc(day, time(14, 0), "America/Denver")
        services.schedule_meeting(
            created_by=people.admins["colorado"],
            data={
                "title": ONE_OFF_TITLE,
                "description": "Front Range cities compare curb-management pilots and plan a joint data standard.",
                "start": start,
                "end": start + timedelta(minutes=90),
                "time_zone": "America/Denver",
                "video_link": "https://meet.example.org/csca-mobility",
                "host_coalition": colorado,
            },
        )

    count = Meeting.objects.filter(series=series).count()
    stdout.write(f"Meetings: {count} in “{series.title}” (3 held with minutes), plus a Colorado session.")
    return {"series": series}
