"""Every write in the meetings app. Views parse input with forms, then call one of these.

The person acting is ``by``. Each service asks ``coalitions.permissions`` whether ``by`` may do
it and raises ``PermissionDenied`` itself (checked on the locked row where there is one), so a
task, the admin or an API meets the same rule as the page. ``extend_series_horizon`` alone acts
for the system (the daily task and the services that plan a series) and takes no actor.

Each change a calendar must see (time, title, description, agenda, video link, status) bumps
``Meeting.sequence`` so calendar apps replace their copy (RFC 5545 SEQUENCE).
"""

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from coalitions import permissions
from coalitions.timezones import is_valid_time_zone
from practices.models import Practice
from practices.selectors import forget_listed_counts

from . import recurrence
from .models import (
    RSVP,
    AgendaItem,
    CalendarToken,
    Invitee,
    Meeting,
    MeetingFile,
    MeetingSeries,
    new_calendar_token,
)
from .selectors import forget_meeting_pages, invitable_members
from .signals import invitees_added, meeting_changed, minutes_posted

HORIZON_MONTHS = 12

SERIES_FIELDS = (
    "title",
    "description",
    "rule_kind",
    "week_of_month",
    "weekday",
    "day_of_month",
    "local_start_time",
    "duration_minutes",
    "time_zone",
    "video_link",
    "host_coalition",
    "reminder_audience",
)
MEETING_DETAIL_FIELDS = ("title", "description", "video_link", "host_coalition")
# What a calendar shows: a change to any of these bumps the sequence.
CALENDAR_FIELDS = ("title", "description", "start", "end", "time_zone", "video_link", "status")

http_url = URLValidator(schemes=["http", "https"], message="Enter a web address starting with http:// or https://.")


NOT_A_MANAGER = "Only partnership admins and the host coalition's admins can change this meeting."
NOT_A_SERIES_MANAGER = "Only partnership admins and the host coalition's admins can edit this series."
NOT_A_HOST = "You can schedule meetings only for a coalition you run; partnership admins for any host."


# -- who may ----------------------------------------------------------------------------------------
def check_manager(*, by, thing: Meeting | MeetingSeries, reason: str = NOT_A_MANAGER) -> None:
    """Refuse ``by`` unless they manage the meeting or series (its host's admins, partnership admins)."""
    if not thing.can_manage(by):
        raise PermissionDenied(reason)


def check_host(*, by, host_coalition_id: int | None) -> None:
    """Refuse ``by`` a meeting or series hosted by a coalition they do not run (``None``: the partnership)."""
    if not permissions.can_manage_hosted(by, host_coalition_id):
        raise PermissionDenied(NOT_A_HOST)


def _host_id(host) -> int | None:
    return host.pk if host else None


# -- validation shared by forms and services ------------------------------------------------------
def check_time_zone(name: str) -> None:
    if not is_valid_time_zone(name or ""):
        raise ValidationError({"time_zone": f"“{name}” is not a time zone we know. Pick one from the list."})


def check_video_link(url: str, field: str = "video_link") -> None:
    if url:
        try:
            http_url(url)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc


def check_times(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError({"end_time": "The meeting must end after it starts."})


def _check_series(series: MeetingSeries) -> None:
    errors = recurrence.Rule.of(series).problems()
    if not is_valid_time_zone(series.time_zone or ""):
        errors["time_zone"] = f"“{series.time_zone}” is not a time zone we know. Pick one from the list."
    if not series.duration_minutes or series.duration_minutes <= 0:
        errors["duration_minutes"] = "A meeting lasts at least one minute."
    try:
        check_video_link(series.video_link)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


# -- series --------------------------------------------------------------------------------------
def occurrence_values(series: MeetingSeries, day: date) -> dict:
    """The fields an occurrence takes from its series for the given local date."""
    start = recurrence.local_to_utc(day, series.local_start_time, series.time_zone)
    return {
        "occurrence_date": day,
        "title": series.title,
        "description": series.description,
        # Rendered when the series was saved: occurrences (made in bulk) copy it, never re-render it.
        "description_html": series.description_html,
        "start": start,
        "end": start + timedelta(minutes=series.duration_minutes),
        "time_zone": series.time_zone,
        "video_link": series.video_link,
        "host_coalition_id": series.host_coalition_id,
    }


def _month(day: date) -> tuple[int, int]:
    return (day.year, day.month)


@transaction.atomic
def create_series(*, by, data: dict, now: datetime | None = None) -> MeetingSeries:
    """``by`` creates a monthly series and its occurrences for the next twelve months.

    Partnership admins for any host; coalition admins for a coalition they run."""
    check_host(by=by, host_coalition_id=_host_id(data.get("host_coalition")))
    series = MeetingSeries(created_by=by, **{f: data[f] for f in SERIES_FIELDS if f in data})
    _check_series(series)
    series.save()
    extend_series_horizon(series=series, now=now)
    return series


@transaction.atomic
def update_series(
    *, by, series: MeetingSeries, data: dict, reset_customized: bool = False, now: datetime | None = None
) -> int:
    """``by`` changes a series and re-plans its future occurrences; returns how many changed.

    Those who manage the series, and only to a host they run.

    Past and held meetings are never touched. Occurrences changed one by one (moved, edited,
    cancelled) keep their changes unless ``reset_customized``; reset ones return to the series'
    schedule and status. A series gives one meeting a month, so each future meeting is re-planned
    within its own month; one whose new time has already passed is cancelled.
    """
    now = now or timezone.now()
    # Locks the series so two admins editing at once re-plan one after the other.
    series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
    check_manager(by=by, thing=series, reason=NOT_A_SERIES_MANAGER)
    for name in SERIES_FIELDS:
        if name in data:
            setattr(series, name, data[name])
    check_host(by=by, host_coalition_id=series.host_coalition_id)
    _check_series(series)
    series.save()

    rule = recurrence.Rule.of(series)
    future = series.meetings.select_for_update().filter(start__gt=now).exclude(status=Meeting.Status.HELD)
    if not reset_customized:
        future = future.filter(is_customized=False)
    changed = 0
    for meeting in future.order_by("start"):
        month = meeting.occurrence_date or meeting.local_start().date()
        day = recurrence.date_in_month(rule, *_month(month))
        values = occurrence_values(series, day)
        values["is_customized"] = False
        values["status"] = Meeting.Status.SCHEDULED if values["start"] > now else Meeting.Status.CANCELLED
        if _assign(meeting, values):
            changed += 1
    extend_series_horizon(series=series, now=now)
    return changed


def _assign(meeting: Meeting, values: dict) -> bool:
    """Set fields; save and bump the sequence when something a calendar shows changed."""
    before = {name: getattr(meeting, name) for name in CALENDAR_FIELDS}
    touched = any(getattr(meeting, name) != value for name, value in values.items())
    for name, value in values.items():
        setattr(meeting, name, value)
    if not touched:
        return False
    if any(getattr(meeting, name) != before[name] for name in CALENDAR_FIELDS):
        meeting.sequence += 1
    meeting.save()
    return True


def extend_series_horizon(*, series: MeetingSeries, months: int = HORIZON_MONTHS, now: datetime | None = None) -> int:
    """Create the occurrences still missing up to ``months`` ahead; returns how many were added.

    Acts for the system (the daily task, and the services above once they have checked their
    actor), so it takes no actor. Idempotent and safe to run concurrently: a month that already
    has a meeting of the series is skipped, and the unique (series, occurrence_date) constraint
    drops a racing duplicate.
    """
    now = now or timezone.now()
    today = now.astimezone(zoneinfo.ZoneInfo(series.time_zone)).date()
    taken = {_month(d) for d in series.meetings.exclude(occurrence_date=None).values_list("occurrence_date", flat=True)}
    missing = []
    for day in recurrence.occurrence_dates(recurrence.Rule.of(series), today, recurrence.add_months(today, months)):
        values = occurrence_values(series, day)
        if values["start"] > now and _month(day) not in taken:
            missing.append(Meeting(series=series, created_by_id=series.created_by_id, **values))
    if not missing:
        return 0
    before = series.meetings.count()
    Meeting.objects.bulk_create(missing, ignore_conflicts=True)
    _pages_changed()  # bulk_create sends no post_save (meetings.receivers)
    return series.meetings.count() - before


def _pages_changed() -> None:
    """What meetings.receivers and practices.receivers do on a save, for writes that send no signal."""
    for forget in (forget_meeting_pages, forget_listed_counts):
        forget()
        transaction.on_commit(forget)


# -- single meetings -----------------------------------------------------------------------------
@transaction.atomic
def schedule_meeting(*, by, data: dict) -> Meeting:
    """``by`` schedules a one-off meeting (not part of a series). ``data``: title, description,
    start, end (aware), time_zone, video_link, host_coalition (one ``by`` runs; partnership admins any),
    and optionally ``invitees`` (users; partnership admins only, see ``invite_members``)."""
    check_host(by=by, host_coalition_id=_host_id(data.get("host_coalition")))
    check_times(data["start"], data["end"])
    check_time_zone(data["time_zone"])
    check_video_link(data.get("video_link", ""))
    invitees = list(data.get("invitees") or [])
    if invitees:
        check_inviter(by=by)
    meeting = Meeting.objects.create(
        created_by=by,
        title=data["title"],
        description=data.get("description", ""),
        start=data["start"],
        end=data["end"],
        time_zone=data["time_zone"],
        video_link=data.get("video_link", ""),
        host_coalition=data.get("host_coalition"),
    )
    if invitees:
        invite_members(by=by, meeting=meeting, users=invitees)
    return meeting


def _locked(meeting: Meeting, *, by) -> Meeting:
    """The meeting's row, locked for the change, once ``by`` is known to manage it."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    check_manager(by=by, thing=locked)
    return locked


def _announce(meeting: Meeting, change: str) -> None:
    transaction.on_commit(lambda: meeting_changed.send(sender=Meeting, meeting=meeting, change=change))


@transaction.atomic
def update_meeting(*, by, meeting: Meeting, data: dict) -> Meeting:
    """``by`` edits one meeting's title, description, video link or host (to one they run); it then
    keeps them when the series is edited. ``invitees`` in ``data`` (partnership admins only) replaces
    the meeting's invitees (``set_invitees``)."""
    meeting = _locked(meeting, by=by)
    if "host_coalition" in data:
        check_host(by=by, host_coalition_id=_host_id(data["host_coalition"]))
    if "invitees" in data:
        check_inviter(by=by)
    check_video_link(data.get("video_link", ""))
    values = {name: data[name] for name in MEETING_DETAIL_FIELDS if name in data}
    if _assign(meeting, values):
        Meeting.objects.filter(pk=meeting.pk).update(is_customized=True)
        meeting.is_customized = True
    if "invitees" in data:
        set_invitees(by=by, meeting=meeting, users=data["invitees"])
    return meeting


@transaction.atomic
def move_meeting(
    *,
    by,
    meeting: Meeting,
    start: datetime,
    end: datetime,
    time_zone: str | None = None,
    now: datetime | None = None,
) -> Meeting:
    """``by`` gives one meeting a new time (and zone); attendees' calendars see the change."""
    now = now or timezone.now()
    meeting = _locked(meeting, by=by)
    check_times(start, end)
    if time_zone is not None:
        check_time_zone(time_zone)
    if meeting.status != Meeting.Status.SCHEDULED or meeting.has_ended(now):
        raise ValidationError("Only a scheduled meeting that has not ended can be moved.")
    values = {"start": start, "end": end, "is_customized": True}
    if time_zone:
        values["time_zone"] = time_zone
    if _assign(meeting, values):
        _announce(meeting, "moved")
    return meeting


def _change_status(meeting: Meeting, *, allowed: bool, refusal: str, status: str, change: str) -> Meeting:
    if not allowed:
        raise ValidationError(refusal)
    _assign(meeting, {"status": status, "is_customized": True})
    _announce(meeting, change)
    return meeting


@transaction.atomic
def cancel_meeting(*, by, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """``by`` cancels one meeting. It stays listed (marked cancelled) so calendars remove it."""
    meeting = _locked(meeting, by=by)
    return _change_status(
        meeting,
        allowed=meeting.status == Meeting.Status.SCHEDULED and not meeting.has_ended(now),
        refusal="Only a scheduled meeting that has not ended can be cancelled.",
        status=Meeting.Status.CANCELLED,
        change="cancelled",
    )


@transaction.atomic
def reinstate_meeting(*, by, meeting: Meeting, now: datetime | None = None) -> Meeting:
    """``by`` undoes a cancellation, as long as the meeting has not started."""
    meeting = _locked(meeting, by=by)
    return _change_status(
        meeting,
        allowed=meeting.is_cancelled and not meeting.has_started(now),
        refusal="Only a cancelled meeting that has not started can be reinstated.",
        status=Meeting.Status.SCHEDULED,
        change="reinstated",
    )


AGENDA_MAX_ITEMS = 40


def check_agenda_practices(*, by, meeting: Meeting, practices: Iterable[Practice]) -> None:
    """Refuse a practice the agenda does not link yet unless it is published and ``by`` may open it
    (a draft, a hidden one, or a members-only one for someone outside the coalitions). One query."""
    linked = set(meeting.agenda_items.exclude(practice=None).values_list("practice_id", flat=True))
    new = {practice.pk: practice for practice in practices if practice.pk not in linked}
    if not new:
        return
    allowed = set(Practice.objects.published().visible_to(by).filter(pk__in=new).values_list("pk", flat=True))
    refused = [practice.title for pk, practice in new.items() if pk not in allowed]
    if refused:
        raise ValidationError(
            f"“{refused[0]}” cannot be linked: an agenda links published practices you can open. Choose another."
        )


@transaction.atomic
def set_agenda(*, by, meeting: Meeting, items: Iterable[dict]) -> list[AgendaItem]:
    """``by`` replaces the agenda with ``items`` (dicts of title, duration_minutes,
    presenting_coalition, practice, notes), in the order given, at most forty.

    A practice newly linked must be published and one ``by`` may open; one the agenda already links
    stays linkable even if it was unpublished since, so saving never drops it."""
    meeting = _locked(meeting, by=by)
    items = list(items)
    if len(items) > AGENDA_MAX_ITEMS:
        raise ValidationError(f"An agenda holds at most {AGENDA_MAX_ITEMS} items.")
    check_agenda_practices(
        by=by, meeting=meeting, practices=[item["practice"] for item in items if item.get("practice")]
    )
    meeting.agenda_items.all().delete()
    rows = [
        AgendaItem(
            meeting=meeting,
            order=index,
            title=item["title"],
            duration_minutes=item.get("duration_minutes"),
            presenting_coalition=item.get("presenting_coalition"),
            practice=item.get("practice"),
            notes=item.get("notes", ""),
        )
        for index, item in enumerate(items, start=1)
    ]
    for row in rows:
        row.render_markdown_fields()  # bulk_create skips save(), which renders the notes
    created = AgendaItem.objects.bulk_create(rows)
    _pages_changed()  # bulk_create sends no post_save: the meeting's page and its practices' pages show the agenda
    # The agenda is part of the calendar entry's description.
    Meeting.objects.filter(pk=meeting.pk).update(sequence=F("sequence") + 1)
    return created


@transaction.atomic
def post_minutes(
    *,
    by,
    meeting: Meeting,
    minutes: str,
    recording_link: str = "",
    new_files: Iterable = (),
    remove_file_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> Meeting:
    """``by`` saves minutes (Markdown), the recording link and files. Minutes and recording need the
    meeting to have started; files (slides shared ahead) may come at any time. A meeting that
    ended gets its minutes marks itself held, and the first posting is announced."""
    now = now or timezone.now()
    meeting = _locked(meeting, by=by)
    check_video_link(recording_link, "recording_link")
    if meeting.is_cancelled:
        raise ValidationError("A cancelled meeting has no minutes or files.")
    if (minutes.strip() or recording_link) and not meeting.has_started(now):
        raise ValidationError("Minutes and the recording can be added once the meeting has started.")
    first_posting = bool(minutes.strip()) and meeting.minutes_posted_at is None
    meeting.minutes = minutes
    meeting.recording_link = recording_link
    if first_posting:
        meeting.minutes_posted_at = now
    if minutes.strip() and meeting.has_ended(now):
        meeting.status = Meeting.Status.HELD
    meeting.save()

    removed = list(meeting.files.filter(pk__in=list(remove_file_ids)))
    for stale in removed:
        stale.delete()
        # Only drop the stored bytes once the rows are gone for good.
        transaction.on_commit(lambda name=stale.file.name, storage=stale.file.storage: storage.delete(name))
    stored = []
    try:
        for upload in new_files:
            stored.append(
                MeetingFile.objects.create(
                    meeting=meeting,
                    file=upload,
                    original_name=upload.name[-200:],
                    content_type=getattr(upload, "checked_content_type", "application/octet-stream"),
                    size=upload.size,
                    uploaded_by=by,
                )
            )
    except Exception:
        # The rows roll back with the transaction; the bytes already written must go too.
        for row in stored:
            row.file.storage.delete(row.file.name)
        raise
    if first_posting:
        transaction.on_commit(lambda: minutes_posted.send(sender=Meeting, meeting=meeting))
    return meeting


# -- invitees ------------------------------------------------------------------------------------
NOT_AN_INVITER = "Only partnership admins invite members to a meeting."
# What one form post may name: a working group, or a partnership-wide call's speakers, not a mailing list.
MAX_INVITEES = 500


def check_inviter(*, by) -> None:
    if not permissions.is_partnership_admin(by):
        raise PermissionDenied(NOT_AN_INVITER)


def _check_invitees(meeting: Meeting, user_ids: set[int]) -> None:
    if len(user_ids) > MAX_INVITEES:
        raise ValidationError({"invitees": f"A meeting invites at most {MAX_INVITEES} members."})
    invitable = set(invitable_members().filter(pk__in=user_ids).values_list("pk", flat=True))
    if invitable != user_ids:
        raise ValidationError({"invitees": "Only active members of a coalition can be invited."})
    if meeting.is_cancelled or meeting.has_ended():
        raise ValidationError({"invitees": "A cancelled or past meeting takes no new invitees."})


def _add_invitees(*, by, meeting: Meeting, user_ids: set[int]) -> list[int]:
    """Insert the rows not there yet; the newly invited hear of it once the change commits."""
    already = set(meeting.invitees.filter(user_id__in=user_ids).values_list("user_id", flat=True))
    new = sorted(user_ids - already)
    Invitee.objects.bulk_create(
        [Invitee(meeting=meeting, user_id=pk, invited_by=by) for pk in new], ignore_conflicts=True
    )
    if new:
        transaction.on_commit(lambda: invitees_added.send(sender=Meeting, meeting=meeting, user_ids=new))
    return new


@transaction.atomic
def invite_members(*, by, meeting: Meeting, users: Iterable) -> list[int]:
    """A partnership admin adds ``users`` (members) to the meeting's invitees; returns the ids newly
    invited (those already invited are left alone and not told twice)."""
    check_inviter(by=by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    user_ids = {user.pk for user in users}
    if not user_ids:
        return []
    _check_invitees(meeting, user_ids)
    return _add_invitees(by=by, meeting=meeting, user_ids=user_ids)


@transaction.atomic
def set_invitees(*, by, meeting: Meeting, users: Iterable) -> tuple[list[int], int]:
    """A partnership admin makes ``users`` the meeting's invitees: the new ones are invited (and told),
    the ones left out are removed. Returns (ids newly invited, how many removed)."""
    check_inviter(by=by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    user_ids = {user.pk for user in users}
    current = set(meeting.invitees.values_list("user_id", flat=True))
    if user_ids == current:
        return [], 0
    if user_ids - current:
        _check_invitees(meeting, user_ids - current)
    removed, _ = meeting.invitees.exclude(user_id__in=user_ids).delete()
    return _add_invitees(by=by, meeting=meeting, user_ids=user_ids - current), removed


# -- members --------------------------------------------------------------------------------------
NOT_A_MEMBER_CALENDAR = "The meetings calendar is for members of a coalition."


def rsvp(*, by, meeting: Meeting, answer: str, now: datetime | None = None) -> RSVP:
    """Record (or change) the member ``by``'s answer; refused (``PermissionDenied``) for anyone outside
    the coalitions, and (``ValidationError``) once the meeting is cancelled, held or has started."""
    if not permissions.is_member(by):
        raise PermissionDenied("Only members of a coalition can RSVP.")
    if answer not in RSVP.Answer.values:
        raise ValidationError("Answer yes, maybe or no.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled, so it takes no RSVPs.")
    if not meeting.accepts_rsvps(now):
        raise ValidationError("This meeting has already started, so RSVPs are closed.")
    answer_row, _ = RSVP.objects.update_or_create(meeting=meeting, user=by, defaults={"answer": answer})
    return answer_row


def get_calendar_token(*, by) -> CalendarToken:
    """The member ``by``'s own calendar token, created on first use."""
    if not permissions.is_member(by):
        raise PermissionDenied(NOT_A_MEMBER_CALENDAR)
    token, _ = CalendarToken.objects.get_or_create(user=by)
    return token


def reset_calendar_token(*, by) -> CalendarToken:
    """Replace ``by``'s secret: the old subscription URL stops working at once."""
    if not permissions.is_member(by):
        raise PermissionDenied(NOT_A_MEMBER_CALENDAR)
    token, created = CalendarToken.objects.get_or_create(user=by)
    if not created:
        token.token = new_calendar_token()
        token.created = timezone.now()
        token.save(update_fields=["token", "created"])
    return token
