"""Writes of the notifications app: the reminder and digest ticks, preferences, unsubscribing.

Every email leaves through ``notifications.mail`` (claim by unique key, send, mark sent). The ticks
here only decide which ``Delivery`` rows should exist, create them as ``pending`` together with a
``Dispatch`` marker in one transaction, and enqueue their sending after commit.

Who acts: the ticks, the fan-outs and ``preference_for``/``reschedule_digest`` act for the system
(beat, a worker, a command, a signal) and take no actor; their ``user`` is whom the email is for.
``update_preferences`` acts for the signed-in member ``by``; ``unsubscribe`` and ``resubscribe``
for whoever holds the signed link from the member's email (one-click posts carry no session,
RFC 8058), so they take that link and check it themselves. Each raises ``PermissionDenied`` when
the actor may not act.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from coalitions.models import Membership, Profile
from coalitions.timezones import effective_time_zone
from meetings.models import RSVP, Invitee, Meeting

from . import tokens
from .digests import current_digest_slot, digest_period, digest_users, next_digest_slot
from .mail import reachable_users
from .models import DEFAULT_REMINDER_LEADS, LEAD_DELTAS, Delivery, Dispatch, Preference
from .outbox import enqueue_keys, queue_unsent

logger = logging.getLogger(__name__)

# How long after a meeting ends organizers are nudged about minutes, and how long the tick keeps
# looking for meetings it could have missed (beat down for a while).
NUDGE_AFTER = timedelta(days=1)
LOOKBACK = timedelta(days=7)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def reminder_grace(lead: timedelta) -> timedelta:
    """A reminder is still worth sending this long after its time (a tick that ran late).

    A quarter of the lead: a day-before reminder may go up to 6 hours late, an hour-before one
    15 minutes. The windows of different leads never overlap, so a meeting created 50 minutes
    ahead gets only its hour-before reminder, not a "tomorrow" one.
    """
    return lead / 4


@dataclass
class TickReport:
    reminders: int = 0
    changes: int = 0
    nudges: int = 0
    followups: int = 0
    digests: int = 0
    requeued: int = 0
    keys: list[str] = field(default_factory=list)

    def add(self, name: str, keys: list[str]) -> None:
        setattr(self, name, getattr(self, name) + len(keys))
        self.keys.extend(keys)


def fan_out(*, marker: str, deliveries: list[Delivery]) -> list[str]:
    """Create pending deliveries once per ``marker`` and enqueue them; returns their keys.

    The marker and the rows commit together: a tick that dies after commit leaves pending rows the
    sweep re-enqueues; one that dies before leaves nothing, and the next tick does it all again.
    """
    try:
        with transaction.atomic():
            Dispatch.objects.create(key=marker, recipients=len(deliveries))
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=1000)
    except IntegrityError:
        return []  # another tick did this fan-out
    keys = [d.key for d in deliveries]
    enqueue_keys(keys)
    return keys


def _new_markers(keys: list[str]) -> set[str]:
    return set(keys) - set(Dispatch.objects.filter(key__in=keys).values_list("key", flat=True))


def _pending(*, key: str, kind: str, user_id: int, email: str, meeting: Meeting, now: datetime, **params) -> Delivery:
    return Delivery(
        key=key,
        kind=kind,
        user_id=user_id,
        to_address=email,
        meeting=meeting,
        meeting_start=meeting.start,
        params=params,
        status=Delivery.Status.PENDING,
        next_attempt_at=now,
        created=now,
    )


# --- Reminders -------------------------------------------------------------------------------


def due_reminders(*, now: datetime) -> list[tuple[Meeting, str]]:
    """(meeting, lead) pairs whose reminder time has come: one indexed query over ``Meeting.start``."""
    window = Q()
    for delta in LEAD_DELTAS.values():
        window |= Q(start__gt=now + delta - reminder_grace(delta), start__lte=now + delta)
    meetings = Meeting.objects.filter(window, status=Meeting.Status.SCHEDULED, start__gt=now).select_related("series")
    pairs = []
    for meeting in meetings:
        for lead, delta in LEAD_DELTAS.items():
            if now + delta - reminder_grace(delta) < meeting.start <= now + delta:
                pairs.append((meeting, lead.value))
    return pairs


def reminder_recipients(*, meeting: Meeting, lead: str, user_ids=None) -> list[tuple[int, str]]:
    """(user id, address) of those who get this reminder, in id order (among ``user_ids`` if given).

    All members (any coalition, and partnership admins), or only those who answered yes or maybe
    when the series says so, or, for a one-off meeting with invitees, those who answered yes or maybe;
    the meeting's invitees always. Never anyone who answered "no", and only those who want reminders
    at this lead and can be emailed.
    """
    users = reachable_users()
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    coming = Exists(
        RSVP.objects.filter(meeting=meeting, user=OuterRef("pk"), answer__in=[RSVP.Answer.YES, RSVP.Answer.MAYBE])
    )
    invited = Exists(Invitee.objects.filter(meeting=meeting, user=OuterRef("pk")))
    everyone = Q(is_staff=True) | Exists(Membership.objects.filter(user=OuterRef("pk")))
    if meeting.series and meeting.series.reminder_audience == meeting.series.Audience.RSVPED:
        audience = coming | invited
    elif meeting.series:
        audience = everyone | invited
    else:
        # A one-off meeting with invitees (a working group) reminds them and whoever said they would
        # come, not the whole partnership; one without reminds every member. Decided in the same query.
        audience = coming | invited | (everyone & ~Exists(Invitee.objects.filter(meeting=meeting)))
    users = users.filter(audience).exclude(
        Exists(RSVP.objects.filter(meeting=meeting, user=OuterRef("pk"), answer=RSVP.Answer.NO))
    )
    rows = users.order_by("pk").values_list(
        "pk", "email", "email_preference__wants_reminders", "email_preference__reminder_leads"
    )
    return [
        (pk, email)
        for pk, email, wants, leads in rows
        # No preference row yet means the defaults: reminders on, a day and an hour before.
        if (wants is None and lead in DEFAULT_REMINDER_LEADS) or (wants and lead in (leads or []))
    ]


@dataclass
class ReminderChunk:
    """One chunk of a reminder's fan-out: what ``dispatch_reminder_chunk`` (or its task) takes."""

    marker: str
    meeting_id: int
    lead: str
    start: str  # the meeting's start the reminder is for (ISO, UTC)
    user_ids: list[int]


def dispatch_reminders(*, now: datetime, hand_out: Callable[[list[ReminderChunk]], None] | None = None) -> list[str]:
    """Fan out the due reminders once each (a ``Dispatch`` marker per meeting, lead and start).

    The tick picks the recipients' ids (one query) and cuts them into chunks of
    ``NOTIFICATIONS_CHUNK_SIZE``; each chunk's rows are written and enqueued by
    ``dispatch_reminder_chunk`` in a fixed number of queries. Without ``hand_out`` (the commands),
    the chunks are written here, in the marker's transaction, and the keys returned. With it (the
    beat's tick), the marker commits alone and ``hand_out`` gives the chunks to the workers, so a
    meeting with 50,000 invitees starts sending after one chunk, not after 50,000 rows.
    """
    pairs = {f"reminder:{m.pk}:{lead}:{iso(m.start)}": (m, lead) for m, lead in due_reminders(now=now)}
    keys: list[str] = []
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    for marker in sorted(_new_markers(list(pairs))):
        meeting, lead = pairs[marker]
        ids = [user_id for user_id, _ in reminder_recipients(meeting=meeting, lead=lead)]
        chunks = [
            ReminderChunk(
                marker=marker, meeting_id=meeting.pk, lead=lead, start=iso(meeting.start), user_ids=ids[i : i + size]
            )
            for i in range(0, len(ids), size)
        ]
        try:
            with transaction.atomic():
                Dispatch.objects.create(key=marker, recipients=len(ids))
                if hand_out is None:
                    for chunk in chunks:
                        keys += dispatch_reminder_chunk(chunk=chunk, now=now, meeting=meeting)
        except IntegrityError:
            continue  # another tick did this fan-out
        if hand_out is not None and chunks:
            hand_out(chunks)
    return keys


def dispatch_reminder_chunk(*, chunk: ReminderChunk, now: datetime, meeting: Meeting | None = None) -> list[str]:
    """Write and enqueue the reminders of one chunk of recipients; returns their keys.

    Three queries whatever the chunk's size (the meeting, its recipients among the chunk, the
    insert). Safe to run twice: the rows' unique keys keep the second from adding anything, and the
    send claims each row once. A meeting cancelled or moved since the tick gets nothing here: its
    change notice, or the reminder for its new time, goes out on its own.
    """
    if meeting is None:
        meeting = Meeting.objects.select_related("series").filter(pk=chunk.meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.SCHEDULED or iso(meeting.start) != chunk.start:
        return []
    deliveries = [
        _pending(
            key=f"reminder:{meeting.pk}:{user_id}:{chunk.lead}:{chunk.start}",
            kind=Delivery.Kind.REMINDER,
            user_id=user_id,
            email=email,
            meeting=meeting,
            now=now,
            lead=chunk.lead,
        )
        for user_id, email in reminder_recipients(meeting=meeting, lead=chunk.lead, user_ids=chunk.user_ids)
    ]
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=1000)
    keys = [d.key for d in deliveries]
    enqueue_keys(keys)
    return keys


def forget_dispatch(*, marker: str) -> None:
    """Undo a fan-out's marker whose chunks never reached the broker: the next tick does it again
    (the chunks that did get through wrote rows with unique keys, so nothing goes out twice)."""
    Dispatch.objects.filter(key=marker).delete()


def _told(meeting_ref, *, now: datetime) -> QuerySet:
    """What members were told about a meeting: sent reminders, invitations and change notices.

    Only for a start that has not long passed: a change to a meeting held last month is no news.
    """
    return Delivery.objects.filter(
        meeting=meeting_ref,
        kind__in=[Delivery.Kind.REMINDER, Delivery.Kind.CHANGE, Delivery.Kind.INVITED],
        status=Delivery.Status.SENT,
        meeting_start__gt=now - timedelta(days=1),
    )


def changed_meetings(*, now: datetime) -> QuerySet:
    """Meetings that no longer are what a member was told, found by polling the send log.

    Moved after a reminder or a notice went out, cancelled after a reminder went out, or scheduled
    again after a cancellation notice went out. ``meeting_start < start OR meeting_start > start``
    (not ``<>``) lets PostgreSQL answer from the (meeting, kind, meeting_start) index.
    """
    told = _told(OuterRef("pk"), now=now)
    moved = told.filter(Q(meeting_start__lt=OuterRef("start")) | Q(meeting_start__gt=OuterRef("start")))
    told_cancelled = told.filter(kind=Delivery.Kind.CHANGE, params__cancelled=True)
    return Meeting.objects.filter(
        Q(Exists(moved))
        | Q(status=Meeting.Status.CANCELLED, pk__in=told.values("meeting_id"))
        | Q(Exists(told_cancelled), status=Meeting.Status.SCHEDULED, start__gt=now)
    )


def _last_told(meeting: Meeting, *, now: datetime) -> dict[int, tuple[datetime, bool, str]]:
    """Per member: the start and cancelled-or-not they heard last, and their address."""
    last: dict[int, tuple[datetime, bool, str]] = {}
    rows = (
        _told(meeting, now=now)
        .filter(user__isnull=False)
        .order_by("sent_at", "pk")
        .values_list("user_id", "to_address", "meeting_start", "kind", "params")
    )
    for user_id, email, start, kind, params in rows:
        last[user_id] = (start, kind == Delivery.Kind.CHANGE and bool(params.get("cancelled")), email)
    return last


def dispatch_change_notices(*, now: datetime) -> list[str]:
    """One notice per change to those who were told a time or status that no longer holds:
    moved, cancelled, or back on after a cancellation."""
    meetings = {
        f"change:{m.pk}:{m.sequence}:{m.status}:{iso(m.start)}": m for m in changed_meetings(now=now).order_by("pk")
    }
    keys: list[str] = []
    for marker in sorted(_new_markers(list(meetings))):
        meeting = meetings[marker]
        cancelled = meeting.status == Meeting.Status.CANCELLED
        deliveries = [
            _pending(
                key=f"change:{meeting.pk}:{user_id}:{meeting.sequence}",
                kind=Delivery.Kind.CHANGE,
                user_id=user_id,
                email=email,
                meeting=meeting,
                now=now,
                old_start=iso(start),
                old_cancelled=was_cancelled,
                # What this notice tells, read back by the next change: "cancelled" or not.
                cancelled=cancelled,
                sequence=meeting.sequence,
            )
            for user_id, (start, was_cancelled, email) in _last_told(meeting, now=now).items()
            if was_cancelled != cancelled or (not cancelled and start != meeting.start)
        ]
        keys += fan_out(marker=marker, deliveries=deliveries)
    return keys


def meeting_organizers(meeting: Meeting) -> QuerySet:
    """Partnership admins, the host coalition's admins, and whoever created the meeting or its series."""
    who = Q(is_staff=True)
    if meeting.host_coalition_id:
        who |= Exists(Membership.objects.admins().filter(user=OuterRef("pk"), coalition_id=meeting.host_coalition_id))
    if meeting.series and meeting.series.created_by_id:
        who |= Q(pk=meeting.series.created_by_id)
    if meeting.created_by_id:
        who |= Q(pk=meeting.created_by_id)
    return reachable_users().filter(who)


def _dispatch_per_meeting(
    *, kind: str, meetings: QuerySet, recipients: Callable[[Meeting], QuerySet], now: datetime
) -> list[str]:
    candidates = {f"{kind}:{m.pk}": m for m in meetings.select_related("series").order_by("pk")}
    keys: list[str] = []
    for marker in sorted(_new_markers(list(candidates))):
        meeting = candidates[marker]
        deliveries = [
            _pending(
                key=f"{kind}:{meeting.pk}:{user_id}", kind=kind, user_id=user_id, email=email, meeting=meeting, now=now
            )
            for user_id, email in recipients(meeting).values_list("pk", "email")
        ]
        keys += fan_out(marker=marker, deliveries=deliveries)
    return keys


def dispatch_minutes_nudges(*, now: datetime) -> list[str]:
    """Organizers of a meeting that ended a day ago without minutes get one nudge."""
    meetings = Meeting.objects.exclude(status=Meeting.Status.CANCELLED).filter(
        minutes_posted_at__isnull=True, end__lte=now - NUDGE_AFTER, end__gt=now - NUDGE_AFTER - LOOKBACK
    )
    return _dispatch_per_meeting(kind=Delivery.Kind.NUDGE, meetings=meetings, recipients=meeting_organizers, now=now)


def followup_recipients(meeting: Meeting) -> QuerySet:
    return reachable_users().filter(
        Exists(
            RSVP.objects.filter(meeting=meeting, user=OuterRef("pk"), answer__in=[RSVP.Answer.YES, RSVP.Answer.MAYBE])
        )
    )


def dispatch_followups(*, now: datetime) -> list[str]:
    """Once minutes are posted, those who answered yes or maybe get one follow-up."""
    meetings = Meeting.objects.exclude(status=Meeting.Status.CANCELLED).filter(
        minutes_posted_at__isnull=False, minutes_posted_at__gt=now - LOOKBACK, minutes_posted_at__lte=now
    )
    return _dispatch_per_meeting(
        kind=Delivery.Kind.FOLLOWUP, meetings=meetings, recipients=followup_recipients, now=now
    )


def queue_meeting_invitations(*, meeting: Meeting, user_ids: list[int], now: datetime | None = None) -> list[str]:
    """One invitation per member and meeting (``invited:<meeting>:<user>``), for the system: called when
    partnership admins invite members. Invited again after being removed, a member is not emailed
    twice. Three queries whatever the number: the addresses, the keys already used, the insert."""
    now = now or timezone.now()
    rows = reachable_users().filter(pk__in=list(user_ids)).order_by("pk").values_list("pk", "email")
    return queue_unsent(
        _pending(
            key=f"invited:{meeting.pk}:{user_id}",
            kind=Delivery.Kind.INVITED,
            user_id=user_id,
            email=email,
            meeting=meeting,
            now=now,
        )
        for user_id, email in rows
    )


def requeue_stuck_deliveries(*, now: datetime) -> list[str]:
    """Re-enqueue rows nobody is working on: pending past their time (the queued message was lost,
    e.g. a broker restart) or sending with a stale claim (the worker died mid-send).

    ``next_attempt_at`` is pushed forward first so the next tick leaves them alone while they wait
    in the queue; the send itself re-checks the claim, so a duplicate message is harmless.
    """
    overdue = now - timedelta(minutes=1)
    stuck = Delivery.objects.filter(
        Q(status=Delivery.Status.PENDING, next_attempt_at__lt=overdue)
        | Q(status=Delivery.Status.SENDING, next_attempt_at__lt=overdue)
    )
    keys = list(stuck.order_by("next_attempt_at").values_list("key", flat=True)[: settings.NOTIFICATIONS_SWEEP_LIMIT])
    if keys:
        Delivery.objects.filter(key__in=keys).update(
            next_attempt_at=now + timedelta(minutes=settings.NOTIFICATIONS_STALE_CLAIM_MINUTES)
        )
        enqueue_keys(keys)
    return keys


def run_reminder_tick(
    *, now: datetime | None = None, hand_out: Callable[[list[ReminderChunk]], None] | None = None
) -> TickReport:
    """The every-minute tick: due reminders, change notices, minutes nudges, follow-ups, the sweep.

    ``hand_out`` gives the reminders' fan-out chunks to the workers (``dispatch_reminders``)."""
    now = now or timezone.now()
    report = TickReport()
    report.add("reminders", dispatch_reminders(now=now, hand_out=hand_out))
    report.add("changes", dispatch_change_notices(now=now))
    report.add("nudges", dispatch_minutes_nudges(now=now))
    report.add("followups", dispatch_followups(now=now))
    report.add("requeued", requeue_stuck_deliveries(now=now))
    return report


# --- Digests ---------------------------------------------------------------------------------


def digest_recipients() -> QuerySet:
    """Who may get a digest: members of a coalition (and partnership admins)."""
    return get_user_model().objects.filter(
        Q(is_staff=True) | Exists(Membership.objects.filter(user=OuterRef("pk"))), is_active=True
    )


def ensure_preferences(*, now: datetime) -> int:
    """Give every member a preference row with a scheduled digest; returns how many were added."""
    missing = list(digest_recipients().filter(email_preference__isnull=True).values_list("pk", flat=True)[:5000])
    created = 0
    for start in range(0, len(missing), settings.NOTIFICATIONS_CHUNK_SIZE):
        users = digest_users(missing[start : start + settings.NOTIFICATIONS_CHUNK_SIZE])
        rows = [
            Preference(
                user=user,
                next_digest_at=next_digest_slot(
                    frequency=Preference.Frequency.WEEKLY, zone_name=effective_time_zone(user), after=now
                ),
            )
            for user in users
        ]
        Preference.objects.bulk_create(rows, ignore_conflicts=True)
        created += len(rows)
    return created


def due_digest_members(*, now: datetime, user_ids=None, force: bool = False) -> list[int]:
    """Ids of the members whose digest is due at ``now`` (one indexed query), in id order.

    ``user_ids`` limits the answer to those members; ``force`` treats them as due now (members
    without a preference row count with the defaults, weekly).
    """
    if force:
        due = digest_recipients().exclude(email_preference__digest_frequency=Preference.Frequency.OFF)
        return list(due.filter(pk__in=user_ids or []).order_by("pk").values_list("pk", flat=True))
    preferences = Preference.objects.exclude(digest_frequency=Preference.Frequency.OFF).filter(
        next_digest_at__lte=now, user__in=digest_recipients()
    )
    if user_ids is not None:
        preferences = preferences.filter(user_id__in=user_ids)
    return list(preferences.order_by("user_id").values_list("user_id", flat=True))


def new_digest_run() -> str:
    """The id every chunk of one digest fan-out shares: its content is loaded once per run."""
    return uuid.uuid4().hex


def dispatch_digests(*, now: datetime, user_ids=None, force: bool = False, dry_run: bool = False) -> list[str]:
    """Create the due digests' deliveries (``digest:<user>:<period>``) and enqueue them in chunks.

    ``user_ids`` limits the run to those members; ``force`` treats them as due now (the current
    period's digest, still at most once per period). ``dry_run`` returns the keys and writes nothing.
    Chunk after chunk in this process (the commands); the beat's tick fans the chunks out to the
    workers instead (``tasks.tick_digests``).
    """
    due_ids = due_digest_members(now=now, user_ids=user_ids, force=force)
    run = new_digest_run()
    keys: list[str] = []
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    for start in range(0, len(due_ids), size):
        keys += dispatch_digest_chunk(
            user_ids=due_ids[start : start + size], now=now, run=run, force=force, dry_run=dry_run, checked=True
        )
    return keys


def dispatch_digest_chunk(
    *, user_ids: list[int], now: datetime, run: str, force: bool = False, dry_run: bool = False, checked: bool = False
) -> list[str]:
    """Create and enqueue the digests of one chunk of members of run ``run`` (at ``now``).

    Safe to run twice: unless ``checked`` (the caller just selected them), it first keeps only the
    members still due, and a second run finds their next slot already moved on; the unique keys
    stop any other overlap. Runs in a fixed number of queries.
    """
    if not checked:
        user_ids = due_digest_members(now=now, user_ids=user_ids, force=force)
    if not user_ids:
        return []
    users = (
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .select_related("profile", "email_preference")
        .prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("coalition")))
    )
    deliveries, schedule = [], []
    for user in users:
        preference = getattr(user, "email_preference", None) or Preference(user=user)
        zone = effective_time_zone(user)
        frequency = preference.digest_frequency
        slot = current_digest_slot(frequency=frequency, zone_name=zone, now=now)
        if not force and preference.next_digest_at:
            slot = preference.next_digest_at
        period = digest_period(frequency=frequency, slot=slot, zone_name=zone)
        deliveries.append(
            Delivery(
                key=f"digest:{user.pk}:{period}",
                kind=Delivery.Kind.DIGEST,
                user=user,
                to_address=user.email,
                # The run and its time: the digest covers what is new until then (see compose.py).
                params={"period": period, "frequency": frequency, "run": run, "until": iso(now)},
                next_attempt_at=now,
                created=now,
            )
        )
        # The next slot after now: a tick that was down for weeks sends one digest, not a backlog.
        preference.next_digest_at = next_digest_slot(frequency=frequency, zone_name=zone, after=max(now, slot))
        schedule.append(preference)
    keys = [d.key for d in deliveries]
    if dry_run:
        return keys
    with transaction.atomic():
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Preference.objects.bulk_create([p for p in schedule if p.pk is None], ignore_conflicts=True)
        _reschedule(p for p in schedule if p.pk is not None)
    enqueue_keys(keys)
    return keys


def _reschedule(preferences) -> None:
    """Store each preference's new ``next_digest_at`` in one UPDATE.

    Members who share a zone and a frequency share their next slot, so the CASE has a branch per
    distinct slot (a handful), not per member as ``bulk_update`` would write it."""
    by_slot: dict[datetime, list[int]] = {}
    for preference in preferences:
        by_slot.setdefault(preference.next_digest_at, []).append(preference.pk)
    if not by_slot:
        return
    field_ = Preference._meta.get_field("next_digest_at")
    Preference.objects.filter(pk__in=[pk for pks in by_slot.values() for pk in pks]).update(
        next_digest_at=Case(
            *(When(pk__in=pks, then=Value(slot, output_field=field_)) for slot, pks in by_slot.items()),
            default=F("next_digest_at"),
            output_field=field_,
        )
    )


def run_digest_tick(*, now: datetime | None = None) -> TickReport:
    """The digest tick (every 15 minutes): schedule new members, then send the due digests."""
    now = now or timezone.now()
    ensure_preferences(now=now)
    report = TickReport()
    report.add("digests", dispatch_digests(now=now))
    return report


# --- Preferences and unsubscribing -----------------------------------------------------------


def preference_for(user) -> Preference:
    """The member's preferences, created with the defaults (and a scheduled digest) when missing.

    A read that may fill in defaults: acts for the system, whoever asks."""
    preference = Preference.objects.filter(user=user).first()
    if preference is None:
        preference, _ = Preference.objects.get_or_create(user=user)
        reschedule_digest(preference=preference, user=user)
    return preference


def reschedule_digest(*, preference: Preference, user, now: datetime | None = None) -> None:
    """Recompute ``user``'s next digest slot after a change of frequency or time zone (for the system:
    called by the services below and when a profile's zone changes)."""
    preference.next_digest_at = next_digest_slot(
        frequency=preference.digest_frequency, zone_name=effective_time_zone(user), after=now or timezone.now()
    )
    Preference.objects.filter(pk=preference.pk).update(next_digest_at=preference.next_digest_at)


def update_preferences(
    *,
    by,
    digest_frequency: str,
    focus_areas,
    wants_reminders: bool,
    reminder_leads: list[str],
    time_zone: str,
) -> Preference:
    """Save the preferences page for the signed-in ``by``: their email settings and time zone
    (``Profile.time_zone``)."""
    if not (by.is_authenticated and by.is_active):
        raise PermissionDenied("Log in to change your email preferences.")
    with transaction.atomic():
        preference = preference_for(by)
        preference.digest_frequency = digest_frequency
        preference.wants_reminders = wants_reminders
        preference.reminder_leads = [lead for lead in LEAD_DELTAS if lead in set(reminder_leads)]
        preference.save(update_fields=["digest_frequency", "wants_reminders", "reminder_leads", "updated"])
        preference.focus_areas.set(focus_areas)
        profile, _ = Profile.objects.update_or_create(user=by, defaults={"time_zone": time_zone})
        by.profile = profile  # the digest slot below is computed in the new zone
        reschedule_digest(preference=preference, user=by)
    return preference


@dataclass
class UnsubscribeResult:
    kind: str
    previous: str  # the digest frequency before, or "on"/"off" for reminders
    changed: bool


def _link_holder(token: str) -> tuple[AbstractBaseUser, str]:
    """The member and kind a signed unsubscribe link speaks for; a forged one, or one whose member
    is gone, may change nothing."""
    try:
        data = tokens.read_unsubscribe_token(token)
    except tokens.InvalidToken:
        raise PermissionDenied("This unsubscribe link is not valid.") from None
    user = get_user_model().objects.filter(pk=data.user_id).first()
    if user is None:
        raise PermissionDenied("This unsubscribe link is for an account that no longer exists.")
    return user, data.kind


def unsubscribe(*, token: str) -> UnsubscribeResult:
    """Turn off the kind of email the signed link names, at once (the one-click POST and the confirm
    button). The link is the permission: it changes its own member's settings, and only those."""
    user, kind = _link_holder(token)
    with transaction.atomic():
        preference = preference_for(user)
        preference = Preference.objects.select_for_update().get(pk=preference.pk)
        if kind == tokens.DIGEST:
            previous = preference.digest_frequency
            preference.digest_frequency = Preference.Frequency.OFF
            preference.next_digest_at = None
        else:
            previous = "on" if preference.wants_reminders else "off"
            preference.wants_reminders = False
        preference.save()
    logger.info("User %s unsubscribed from %s", user.pk, kind)
    return UnsubscribeResult(kind=kind, previous=previous, changed=previous not in {"off", Preference.Frequency.OFF})


def resubscribe(*, token: str, frequency: str | None = None) -> Preference:
    """Undo an unsubscribe made with the signed link, or pick another digest frequency (weekly →
    monthly instead of nothing); the link is the permission, as for ``unsubscribe``."""
    user, kind = _link_holder(token)
    with transaction.atomic():
        preference = preference_for(user)
        if kind == tokens.DIGEST:
            choice = frequency if frequency in {Preference.Frequency.WEEKLY, Preference.Frequency.MONTHLY} else None
            preference.digest_frequency = choice or Preference.Frequency.WEEKLY
            preference.save(update_fields=["digest_frequency", "updated"])
            reschedule_digest(preference=preference, user=user)
        else:
            preference.wants_reminders = True
            if not preference.reminder_leads:
                preference.reminder_leads = list(DEFAULT_REMINDER_LEADS)
            preference.save(update_fields=["wants_reminders", "reminder_leads", "updated"])
    return preference
