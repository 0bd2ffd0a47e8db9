"""Demo email: preferences for everyone, and mail a newcomer sees arrive within minutes. Idempotent.

``make run`` seeds, then starts a Celery worker with beat; without help nothing would be due for
weeks (the monthly call is on the second Tuesday, digests on Monday morning). So the demo

- schedules a one-off "Drop-in office hours" (text in ``demo.toml``) 61 to 62 minutes ahead: its
  one-hour reminder falls due a minute or two after seeding, and the reminder tick (run as beat
  starts, then every minute) sends it within about three minutes of ``make run``;
- makes each demo member's first digest due at once: the digest tick that beat runs as it starts
  sends it, with the practices, adoptions and comments of the demo data;

(The coalitions demo dates its people's memberships a year back, and the meetings demo dates past
minutes to the day after each meeting, so digests have news to show and no months-old minutes go
out as follow-ups.)
"""

import math
import tomllib
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting
from practices.models import FocusArea

from .models import Preference
from .services import preference_for, reminder_grace, reschedule_digest

OFFICE_HOURS = tomllib.loads((Path(__file__).with_name("demo.toml")).read_text(encoding="utf-8"))["office_hours"]
OFFICE_HOURS_TITLE = OFFICE_HOURS["title"]


def seed(*, people, stdout, now: datetime | None = None):
    now = now or timezone.now()
    preferences = {user.pk: preference_for(user) for user in people.everyone}
    created_variants = _seed_variants(people=people, preferences=preferences)
    due = _first_digests_due_now(preferences=preferences.values(), now=now)
    meeting, created = _office_hours(people=people, now=now)
    stdout.write(
        f"Email preferences: {len(preferences)} members ({created_variants} variations set); "
        f"{due} first digests due now."
    )
    stdout.write(office_hours_line(meeting, created=created, now=now))
    return preferences


def office_hours_line(meeting: Meeting, *, created: bool, now: datetime) -> str:
    """What seed_demo says about the drop-in session: its start in the zone it names (the meeting's,
    and the server's ``TIME_ZONE``, which the admin shows), and when its reminder falls due."""
    local = timezone.localtime(meeting.start, meeting.zone)
    server = timezone.localtime(meeting.start)  # settings.TIME_ZONE: the admin's pages show this
    lead = timedelta(hours=1)
    due = meeting.start - lead
    if due > now:
        minutes = math.ceil((due - now).total_seconds() / 60)
        plural = "s" if minutes != 1 else ""
        when = f"falls due in {minutes} minute{plural}; the next minute's tick puts it in var/mail/"
    elif now < meeting.start - lead + reminder_grace(lead):
        when = "is due now; the worker's next tick puts it in var/mail/ (if it has not already)"
    else:
        when = f"was due at {timezone.localtime(due, meeting.zone):%H:%M %Z} (sent then if a worker was running)"
    return (
        f"Meetings: “{meeting.title}” {'scheduled' if created else 'already scheduled'} for "
        f"{local:%a} {local.day} {local:%b, %H:%M} {local.tzname()} ({meeting.zone.key}; "
        f"{server:%H:%M} {server.tzname()} in the admin, TIME_ZONE {settings.TIME_ZONE}); its one-hour "
        f"reminder {when}. The first digests go out as the Celery worker's beat starts."
    )


def _seed_variants(*, people, preferences: dict[int, Preference]) -> int:
    """Two variations so a newcomer sees the options at work: a monthly digest, and narrower focus areas."""
    created = 0
    variants = [m[0] for m in people.members.values()][:2]
    if variants:
        monthly = preferences[variants[0].pk]
        if monthly.digest_frequency == Preference.Frequency.WEEKLY and not monthly.last_digest_sent_at:
            monthly.digest_frequency = Preference.Frequency.MONTHLY
            monthly.save(update_fields=["digest_frequency", "updated"])
            reschedule_digest(preference=monthly, user=variants[0])
            created += 1
    if len(variants) > 1:
        focused = preferences[variants[1].pk]
        areas = list(FocusArea.objects.order_by("name")[:2])
        if areas and not focused.focus_areas.exists():
            focused.focus_areas.set(areas)
            created += 1
    return created


def _first_digests_due_now(*, preferences, now: datetime) -> int:
    """Members who never got a digest get their first at the next tick; later ones keep their schedule."""
    ids = [p.pk for p in preferences if p.wants_digest and p.last_digest_sent_at is None]
    return Preference.objects.filter(pk__in=ids).update(next_digest_at=now)


def _office_hours(*, people, now: datetime) -> tuple[Meeting, bool]:
    """The upcoming drop-in session, or a new one just over an hour ahead when the last has started."""
    upcoming = (
        Meeting.objects.filter(title=OFFICE_HOURS_TITLE, series=None, status=Meeting.Status.SCHEDULED, start__gt=now)
        .order_by("start")
        .first()
    )
    if upcoming is not None:
        return upcoming, False
    # On a whole minute, just over an hour ahead: the reminder is due a minute or two after seeding.
    start = _round_up(now + timedelta(minutes=OFFICE_HOURS["lead_minutes"]), minutes=1)
    meeting = meeting_services.schedule_meeting(
        by=people.partnership_admin,
        data={
            "title": OFFICE_HOURS_TITLE,
            "description": OFFICE_HOURS["description"],
            "start": start,
            "end": start + timedelta(minutes=OFFICE_HOURS["duration_minutes"]),
            "time_zone": OFFICE_HOURS["time_zone"],
            "video_link": OFFICE_HOURS["video_link"],
            "host_coalition": None,
        },
    )
    agenda = [{"title": item["title"], "duration_minutes": item["minutes"]} for item in OFFICE_HOURS["agenda"]]
    meeting_services.set_agenda(by=people.partnership_admin, meeting=meeting, items=agenda)
    return meeting, True


def _round_up(moment: datetime, *, minutes: int) -> datetime:
    step = minutes * 60
    return datetime.fromtimestamp(math.ceil(moment.timestamp() / step) * step, tz=moment.tzinfo)
