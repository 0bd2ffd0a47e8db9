"""What each kind of email says. One composer per ``Delivery.Kind``.

A composer's ``prepare`` loads what a whole chunk of deliveries needs with a fixed number of
queries; ``build`` turns one delivery into a ``Message`` (or raises ``Skip``) without queries;
``on_sent`` records what sending changed (the digest's "since").
"""

from datetime import datetime

from coalitions.models import Invitation, JoinRequest
from meetings.calendar import meeting_ics
from meetings.models import RSVP, Meeting
from meetings.timefmt import format_instant

from . import tokens
from .digests import build_digests, digest_users
from .mail import Message, Skip, recipient_zone
from .models import Delivery, Preference, ReminderLead
from .timefmt import absolute_url, format_local


class Composer:
    template = ""
    unsubscribe_kind: str | None = None

    def prepare(self, deliveries: list[Delivery], *, now: datetime):
        return None

    def build(self, delivery: Delivery, shared, *, now: datetime) -> Message:
        raise NotImplementedError

    def on_sent(self, delivery: Delivery, *, now: datetime) -> None:
        pass


def _preference(delivery: Delivery) -> Preference | None:
    return getattr(delivery.user, "email_preference", None) if delivery.user else None


def _wants_meeting_mail(delivery: Delivery) -> bool:
    preference = _preference(delivery)
    return preference is None or preference.wants_reminders


def meeting_context(meeting: Meeting, zone: str) -> dict:
    """Everything a meeting email shows, with times in ``zone`` and absolute links."""
    url = absolute_url(meeting.get_absolute_url())
    agenda = [
        {
            "title": item.title,
            "duration_minutes": item.duration_minutes,
            "presenter": item.presenting_coalition.short_name if item.presenting_coalition else "",
            "practice_title": item.practice.title if item.practice else "",
            "practice_url": absolute_url(item.practice.get_absolute_url()) if item.practice else "",
        }
        for item in meeting.agenda_items.all()
    ]
    return {
        "meeting": meeting,
        "meeting_url": url,
        # The recipient's time first, then the meeting's own zone when it differs (meetings' formatter).
        "local_start": format_instant(meeting.start, meeting.time_zone, zone),
        "duration_minutes": int((meeting.end - meeting.start).total_seconds() // 60),
        "agenda": agenda,
        # The meeting page takes ?rsvp=yes|maybe|no (and asks a signed-out member to log in first).
        "rsvp_links": [(label, f"{url}?rsvp={answer}") for answer, label in RSVP.Answer.choices],
        "host": meeting.host_coalition.name if meeting.host_coalition else "",
    }


def _meetings_by_id(deliveries: list[Delivery]) -> dict[int, Meeting]:
    ids = {d.meeting_id for d in deliveries if d.meeting_id}
    return {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=ids)
        .select_related("series", "host_coalition")
        .prefetch_related("agenda_items__practice", "agenda_items__presenting_coalition")
    }


def _meeting(delivery: Delivery, meetings: dict[int, Meeting]) -> Meeting:
    meeting = meetings.get(delivery.meeting_id)
    if meeting is None:
        raise Skip("meeting deleted")
    return meeting


class MeetingComposer(Composer):
    """Meeting emails: the chunk's meetings (with agenda) in three queries; meeting mail preferences."""

    unsubscribe_kind = tokens.REMINDERS

    def prepare(self, deliveries, *, now):
        return _meetings_by_id(deliveries)

    def message(self, delivery, context, attachments=()) -> Message:
        if not _wants_meeting_mail(delivery):
            raise Skip("member turned meeting emails off")
        return Message(
            template=self.template,
            context=context,
            unsubscribe_kind=self.unsubscribe_kind,
            attachments=list(attachments),
        )


class ReminderComposer(Composer):
    template = "emails/reminder"
    unsubscribe_kind = tokens.REMINDERS

    def prepare(self, deliveries, *, now):
        meetings = _meetings_by_id(deliveries)
        return {"meetings": meetings, "ics": {}}

    def build(self, delivery, shared, *, now):
        meeting = _meeting(delivery, shared["meetings"])
        lead = delivery.params.get("lead", "")
        # Checked again at send time: the reminder may have waited in a queue or for a retry.
        if meeting.status == Meeting.Status.CANCELLED:
            raise Skip("meeting cancelled")
        if meeting.start <= now:
            raise Skip("meeting already started")
        if meeting.start != delivery.meeting_start:
            raise Skip("meeting moved; the reminder for the new time goes out on its own")
        preference = _preference(delivery)
        if preference is not None and not preference.wants_reminder(lead):
            raise Skip("member turned this reminder off")
        ics = shared["ics"].get(meeting.pk)
        if ics is None:
            ics = shared["ics"][meeting.pk] = meeting_ics(meeting)
        context = meeting_context(meeting, recipient_zone(delivery))
        context["lead_label"] = _lead_phrase(lead)
        return Message(
            template=self.template,
            context=context,
            unsubscribe_kind=self.unsubscribe_kind,
            attachments=[(f"meeting-{meeting.pk}.ics", ics, "text/calendar")],
        )


LEAD_PHRASES = {
    ReminderLead.WEEK: "in one week",
    ReminderLead.DAY: "tomorrow",
    ReminderLead.HOUR: "in one hour",
    ReminderLead.QUARTER: "in 15 minutes",
}


def _lead_phrase(lead: str) -> str:
    return LEAD_PHRASES.get(lead, "soon")


class ChangeComposer(MeetingComposer):
    """Moved, cancelled or back on: what changed since what this member was told last."""

    template = "emails/change"

    def build(self, delivery, shared, *, now):
        meeting = _meeting(delivery, shared)
        zone = recipient_zone(delivery)
        context = meeting_context(meeting, zone)
        old_start = datetime.fromisoformat(delivery.params["old_start"])
        was_cancelled = bool(delivery.params.get("old_cancelled"))
        cancelled = meeting.status == Meeting.Status.CANCELLED
        # Checked at send time: the meeting may have changed back while this notice waited.
        if cancelled and was_cancelled:
            raise Skip("member already told the meeting is cancelled")
        if not cancelled and not was_cancelled and meeting.start == old_start:
            raise Skip("meeting is back at the time the member knows")
        if not cancelled and meeting.start <= now:
            raise Skip("meeting already started")
        context.update(
            cancelled=cancelled,
            reinstated=was_cancelled and not cancelled,
            moved=meeting.start != old_start,
            old_local_start=format_instant(old_start, meeting.time_zone, zone),
        )
        # Cancelled too: the same UID with a higher SEQUENCE and STATUS:CANCELLED lets a calendar that
        # imported the reminder's file drop the event.
        attachments = [(f"meeting-{meeting.pk}.ics", meeting_ics(meeting), "text/calendar")]
        return self.message(delivery, context, attachments)


class NudgeComposer(MeetingComposer):
    template = "emails/nudge"

    def build(self, delivery, shared, *, now):
        meeting = _meeting(delivery, shared)
        if meeting.minutes_posted_at:
            raise Skip("minutes already posted")
        return self.message(delivery, meeting_context(meeting, recipient_zone(delivery)))


class FollowupComposer(MeetingComposer):
    template = "emails/followup"

    def build(self, delivery, shared, *, now):
        meeting = _meeting(delivery, shared)
        if not meeting.minutes_posted_at:
            raise Skip("no minutes posted")
        context = meeting_context(meeting, recipient_zone(delivery))
        context["minutes_html"] = meeting.minutes_html
        return self.message(delivery, context)


class DigestComposer(Composer):
    template = "emails/digest"
    unsubscribe_kind = tokens.DIGEST

    def prepare(self, deliveries, *, now):
        users = digest_users({d.user_id for d in deliveries if d.user_id})
        return build_digests(users, now=now)

    def build(self, delivery, shared, *, now):
        digest = shared.get(delivery.user_id)
        if digest is None:
            raise Skip("digest turned off")
        if digest.is_empty:
            raise Skip("nothing new")
        return Message(template=self.template, context=digest_context(digest), unsubscribe_kind=self.unsubscribe_kind)

    def on_sent(self, delivery, *, now):
        # The next digest starts where this one ended. One UPDATE (the fan-out created the row);
        # update_or_create would take four queries per member: a lock, a read and a full save.
        if not Preference.objects.filter(user_id=delivery.user_id).update(last_digest_sent_at=now):
            Preference.objects.update_or_create(user_id=delivery.user_id, defaults={"last_digest_sent_at": now})


def digest_context(digest) -> dict:
    """Template context of a digest (also used by the staff preview)."""
    return {
        "digest": digest,
        "period_label": "week" if digest.frequency == Preference.Frequency.WEEKLY else "month",
        "practices_url": absolute_url("/practices/"),
        "meetings": [
            {
                "meeting": m,
                "local_start": format_instant(m.start, m.time_zone, digest.zone),
                "url": absolute_url(m.get_absolute_url()),
            }
            for m in digest.meetings
        ],
        "absolute": absolute_url,
    }


class JoinComposer(Composer):
    template = "emails/join_decided"

    def prepare(self, deliveries, *, now):
        ids = [d.params.get("join_request") for d in deliveries]
        return JoinRequest.objects.select_related("coalition").in_bulk([i for i in ids if i])

    def build(self, delivery, shared, *, now):
        join_request = shared.get(delivery.params.get("join_request"))
        if join_request is None:
            raise Skip("join request deleted")
        if join_request.status == JoinRequest.Status.PENDING:
            raise Skip("join request not decided")
        return Message(
            template=self.template,
            context={
                "join_request": join_request,
                "approved": join_request.status == JoinRequest.Status.APPROVED,
                "coalition_url": absolute_url(join_request.coalition.get_absolute_url()),
            },
        )


class InvitationComposer(Composer):
    template = "emails/invitation"

    def prepare(self, deliveries, *, now):
        ids = [d.params.get("invitation") for d in deliveries]
        return Invitation.objects.select_related("coalition", "invited_by__profile").in_bulk([i for i in ids if i])

    def build(self, delivery, shared, *, now):
        invitation = shared.get(delivery.params.get("invitation"))
        if invitation is None:
            raise Skip("invitation deleted")
        if not invitation.is_usable:
            raise Skip("invitation no longer usable")
        inviter = invitation.invited_by
        return Message(
            template=self.template,
            context={
                "invitation": invitation,
                "inviter": inviter.profile.display_name if inviter and hasattr(inviter, "profile") else "",
                "accept_url": delivery.params.get("accept_url", ""),
                "expires": format_local(invitation.expires_at, invitation.coalition.time_zone),
            },
        )


COMPOSERS: dict[str, Composer] = {
    Delivery.Kind.REMINDER: ReminderComposer(),
    Delivery.Kind.CHANGE: ChangeComposer(),
    Delivery.Kind.NUDGE: NudgeComposer(),
    Delivery.Kind.FOLLOWUP: FollowupComposer(),
    Delivery.Kind.DIGEST: DigestComposer(),
    Delivery.Kind.JOIN: JoinComposer(),
    Delivery.Kind.INVITATION: InvitationComposer(),
}
