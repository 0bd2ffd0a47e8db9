"""What each kind of email says. One composer per ``Delivery.Kind``.

A composer's ``prepare`` loads what a whole chunk of deliveries needs with a fixed number of
queries; ``build`` turns one delivery into a ``Message`` (or raises ``Skip``) without queries;
``on_sent`` records, for all the chunk's sent deliveries at once, what sending changed (the
digest's "since").
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from calls.models import Evaluator, Submission
from coalitions.models import Invitation, JoinRequest
from coalitions.timefmt import format_when_day
from meetings.calendar import meeting_ics
from meetings.models import RSVP, Invitee, Meeting
from meetings.timefmt import format_instant
from practices.confirmation import confirm_path
from practices.models import Adoption, Contract

from . import tokens
from .digests import build_digests
from .message import Message, Skip, recipient_zone
from .models import Delivery, Preference, ReminderLead
from .timefmt import absolute_url, format_local


class Composer:
    template = ""
    unsubscribe_kind: str | None = None

    def prepare(self, deliveries: list[Delivery], *, now: datetime):
        return None

    def build(self, delivery: Delivery, shared, *, now: datetime) -> Message:
        raise NotImplementedError

    def on_sent(self, deliveries: list[Delivery]) -> None:
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


def ended_ago(end, now) -> str:
    """How long ago a meeting ended, in whole days from a day on ("6 days ago"), hours before.

    The nudge is due a day after the end but goes out later when the worker was down (or the
    meeting was seeded days ago): it says the real time since, not the usual "a day ago"."""
    elapsed = now - end
    if elapsed < timedelta(hours=1):
        return "just now"
    if elapsed < timedelta(days=1):
        hours = int(elapsed.total_seconds() // 3600)
        return "an hour ago" if hours == 1 else f"{hours} hours ago"
    days = elapsed.days
    return "a day ago" if days == 1 else f"{days} days ago"


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
        return {"meetings": meetings, "ics": {}, "contexts": {}}

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
        # Every invitee in one zone gets the same reminder but for the unsubscribe link: its context is
        # worked out once a chunk, and the email rendered once (``share_key``, see ``mail.render_email``).
        zone = recipient_zone(delivery)
        context = shared["contexts"].get((meeting.pk, zone, lead))
        if context is None:
            context = shared["contexts"][meeting.pk, zone, lead] = meeting_context(meeting, zone)
            context["lead_label"] = _lead_phrase(lead)
        return Message(
            template=self.template,
            context=context,
            unsubscribe_kind=self.unsubscribe_kind,
            attachments=[(f"meeting-{meeting.pk}.ics", ics, "text/calendar")],
            share_key=("reminder", meeting.pk, lead),
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
        context = meeting_context(meeting, recipient_zone(delivery))
        context["ended_ago"] = ended_ago(meeting.end, now)
        return self.message(delivery, context)


class FollowupComposer(MeetingComposer):
    template = "emails/followup"

    def build(self, delivery, shared, *, now):
        meeting = _meeting(delivery, shared)
        if not meeting.minutes_posted_at:
            raise Skip("no minutes posted")
        context = meeting_context(meeting, recipient_zone(delivery))
        context["minutes_html"] = meeting.minutes_html
        return self.message(delivery, context)


class MeetingInvitationComposer(Composer):
    """To a member a partnership admin invited: the meeting, one-click RSVP links and its calendar file.

    A personal email, sent once per meeting and member whatever their reminder settings (it has no
    unsubscribe link); skipped if they were removed from the invitees, or the meeting was cancelled or
    has started, while it waited. Four queries a chunk: the meetings with their agendas, the invitees.
    """

    template = "emails/meeting_invitation"

    def prepare(self, deliveries, *, now):
        meetings = _meetings_by_id(deliveries)
        invitees = {
            (invitee.meeting_id, invitee.user_id): invitee
            for invitee in Invitee.objects.filter(
                meeting_id__in=list(meetings), user_id__in={d.user_id for d in deliveries if d.user_id}
            ).select_related("invited_by__profile")
        }
        return {"meetings": meetings, "invitees": invitees}

    def build(self, delivery, shared, *, now):
        meeting = _meeting(delivery, shared["meetings"])
        invitee = shared["invitees"].get((meeting.pk, delivery.user_id))
        if invitee is None:
            raise Skip("no longer invited")
        if meeting.status == Meeting.Status.CANCELLED:
            raise Skip("meeting cancelled")
        if meeting.start <= now:
            raise Skip("meeting already started")
        context = meeting_context(meeting, recipient_zone(delivery))
        inviter = invitee.invited_by
        context["inviter"] = inviter.profile.display_name if inviter and hasattr(inviter, "profile") else ""
        return Message(
            template=self.template,
            context=context,
            attachments=[(f"meeting-{meeting.pk}.ics", meeting_ics(meeting), "text/calendar")],
        )


class DigestComposer(Composer):
    template = "emails/digest"
    unsubscribe_kind = tokens.DIGEST

    def prepare(self, deliveries, *, now):
        # The rows come with their users, profiles, preferences and memberships (mail._claimed_rows).
        users = {d.user_id: d.user for d in deliveries if d.user_id}
        preferences = [u.email_preference for u in users.values() if hasattr(u, "email_preference")]
        prefetch_related_objects(preferences, "focus_areas")
        # Every delivery of a fan-out carries its run and the run's time: the period ends there for
        # all its members, and the run's content is loaded once. Older rows end at the send time.
        runs: dict[tuple, dict] = {}
        for delivery in deliveries:
            if delivery.user_id:
                run, until = delivery.params.get("run"), delivery.params.get("until")
                runs.setdefault((run, until), {})[delivery.user_id] = users[delivery.user_id]
        digests = {}
        for (run, until), members in runs.items():
            end = datetime.fromisoformat(until) if until else now
            digests.update(build_digests(list(members.values()), now=end, run=run))
        return ChunkDigests(digests=digests)

    def build(self, delivery, shared, *, now):
        digest = shared.digests.get(delivery.user_id)
        if digest is None:
            raise Skip("digest turned off")
        if digest.is_empty:
            raise Skip("nothing new")
        # Members who follow the same focus areas, share a zone and a coalition get the same email but
        # for the unsubscribe link: each section is rendered once per chunk (``sections``), and the
        # whole email once per ``share_key`` (``mail.render_email``), the link put in afterwards.
        context = digest_context(digest, sections=shared.sections)
        return Message(
            template=self.template,
            context=context,
            unsubscribe_kind=self.unsubscribe_kind,
            share_key=(digest.frequency, digest.zone, digest.since, context["section_keys"]),
        )

    def on_sent(self, deliveries):
        # The next digest starts where this one ended: one UPDATE per run for the whole chunk (the
        # fan-out created the preference rows; a member without one gets it here).
        ends: dict[str, list[int]] = {}
        for delivery in deliveries:
            ends.setdefault(delivery.params.get("until") or "", []).append(delivery.user_id)
        for until, user_ids in ends.items():
            end = datetime.fromisoformat(until) if until else timezone.now()
            updated = Preference.objects.filter(user_id__in=user_ids).update(last_digest_sent_at=end)
            if updated < len(user_ids):
                have = set(Preference.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))
                Preference.objects.bulk_create(
                    [Preference(user_id=pk, last_digest_sent_at=end) for pk in set(user_ids) - have],
                    ignore_conflicts=True,
                )


@dataclass
class ChunkDigests:
    """A chunk's digests by member, and its sections rendered so far (by ``section_keys``)."""

    digests: dict
    sections: dict = field(default_factory=dict)


DIGEST_SECTIONS = ("practices", "adoptions", "comments", "meetings", "calls", "needs")


def section_keys(digest) -> dict[str, tuple]:
    """What each section of a digest shows, as a key: two digests with equal keys render equal sections.

    Every value a section template reads is in its key (the items by id, the totals behind "and N
    more", the followed areas' names, the zone the meetings' times are shown in)."""
    return {
        "practices": (
            "practices",
            tuple(digest.followed),
            tuple(p.pk for p in digest.practices.items),
            digest.practices.total,
        ),
        "adoptions": ("adoptions", tuple(a.pk for a in digest.adoptions.items), digest.adoptions.total),
        "comments": ("comments", tuple(c.pk for c in digest.comments.items), digest.comments.total),
        "meetings": ("meetings", digest.zone, tuple(m.pk for m in digest.meetings)),
        "calls": ("calls", tuple(digest.followed), tuple(c.pk for c in digest.calls.items), digest.calls.total),
        "needs": ("needs", tuple(digest.followed), tuple(n.pk for n in digest.needs.items), digest.needs.total),
    }


def digest_context(digest, *, sections: dict | None = None) -> dict:
    """Template context of a digest (also used by the staff preview).

    The four sections come rendered (``emails/_digest_<section>.txt`` and ``.html``); with a
    ``sections`` memo, each distinct section is rendered once and reused for every member it fits,
    and what only the sections read (the meetings' times in the member's zone) is worked out only
    for a section not yet rendered.
    """
    context = {
        "digest": digest,
        "period_label": "week" if digest.frequency == Preference.Frequency.WEEKLY else "month",
    }
    keys = section_keys(digest)
    rendered = {}
    section_context = None
    for name in DIGEST_SECTIONS:
        key = keys[name]
        parts = sections.get(key) if sections is not None else None
        if parts is None:
            if section_context is None:
                section_context = {**context, **_section_context(digest)}
            parts = (
                render_to_string(f"emails/_digest_{name}.txt", section_context),
                render_to_string(f"emails/_digest_{name}.html", section_context),
            )
            if sections is not None:
                sections[key] = parts
        rendered[f"{name}_text"], rendered[f"{name}_html"] = parts
    context["sections"] = rendered
    context["section_keys"] = tuple(keys[name] for name in DIGEST_SECTIONS)
    return context


def _section_context(digest) -> dict:
    return {
        "site_url": settings.SITE_URL,
        "practices_url": absolute_url("/practices/"),
        "calls_url": absolute_url(reverse("calls:call_list")),
        "needs_url": absolute_url(reverse("calls:need_list") + "?status=shared"),
        "meetings": [
            {
                "meeting": m,
                "local_start": format_instant(m.start, m.time_zone, digest.zone),
                "url": absolute_url(m.get_absolute_url()),
            }
            for m in digest.meetings
        ],
    }


class RowComposer(Composer):
    """An email about one row, named by the delivery's ``param``: a chunk's rows are read in one query
    (``rows()``), and a delivery whose row is gone is skipped, saying ``gone``."""

    param: str
    gone: str

    def rows(self):
        raise NotImplementedError

    def prepare(self, deliveries, *, now):
        ids = [d.params.get(self.param) for d in deliveries]
        return self.rows().in_bulk([i for i in ids if i])

    def row(self, delivery, shared):
        row = shared.get(delivery.params.get(self.param))
        if row is None:
            raise Skip(self.gone)
        return row


class JoinComposer(RowComposer):
    template = "emails/join_decided"
    param, gone = "join_request", "join request deleted"

    def rows(self):
        return JoinRequest.objects.select_related("coalition")

    def build(self, delivery, shared, *, now):
        join_request = self.row(delivery, shared)
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


class InvitationComposer(RowComposer):
    template = "emails/invitation"
    param, gone = "invitation", "invitation deleted"

    def rows(self):
        return Invitation.objects.select_related("coalition", "invited_by__profile")

    def build(self, delivery, shared, *, now):
        invitation = self.row(delivery, shared)
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


class _AdoptionComposer(RowComposer):
    """An email about one adoption; skipped if it was withdrawn."""

    param, gone = "adoption", "adoption withdrawn"

    def rows(self):
        return Adoption.objects.select_related("practice__coalition", "coalition")


class AdoptionNewsComposer(_AdoptionComposer):
    """To the sharing coalition: another coalition started or stopped using its practice."""

    template = "emails/adoption_news"

    def build(self, delivery, shared, *, now):
        adoption = self.row(delivery, shared)
        stopped = delivery.params.get("event") == "stopped"
        if stopped != (adoption.stage == Adoption.Stage.STOPPED):
            raise Skip("adoption changed again since")
        practice_url = absolute_url(adoption.practice.get_absolute_url())
        return Message(
            template=self.template,
            context={
                "adoption": adoption,
                "practice": adoption.practice,
                "stopped": stopped,
                "story_url": f"{practice_url}#adoption-{adoption.pk}",
                "comment_url": f"{practice_url}#comments",
            },
        )


class AdoptionCheckComposer(_AdoptionComposer):
    """Once a year, to each admin of the adopting coalition: is this adoption still current?"""

    template = "emails/adoption_check"

    def build(self, delivery, shared, *, now):
        adoption = self.row(delivery, shared)
        if adoption.confirmation_asked_at is None or (
            adoption.confirmed_at and adoption.confirmed_at >= adoption.confirmation_asked_at
        ):
            raise Skip("already answered")
        practice_url = absolute_url(adoption.practice.get_absolute_url())
        return Message(
            template=self.template,
            context={
                "adoption": adoption,
                "practice": adoption.practice,
                "confirmed_on": format_local(adoption.confirmed_at, recipient_zone(delivery)).rsplit(",", 1)[0]
                if adoption.confirmed_at
                else "",
                "confirm_url": absolute_url(confirm_path(adoption_id=adoption.pk, user_id=delivery.user_id)),
                "update_url": absolute_url(reverse("practices:adopt", args=[adoption.practice.slug])),
                "story_url": f"{practice_url}#adoption-{adoption.pk}",
            },
        )


class AdoptionClaimComposer(_AdoptionComposer):
    """To each admin of the adopting coalition: a member recorded an adoption for it; confirm it?"""

    template = "emails/adoption_claim"

    def build(self, delivery, shared, *, now):
        adoption = self.row(delivery, shared)
        if adoption.confirmation == Adoption.Confirmation.CONFIRMED:
            raise Skip("already confirmed")
        practice_url = absolute_url(adoption.practice.get_absolute_url())
        return Message(
            template=self.template,
            context={
                "adoption": adoption,
                "practice": adoption.practice,
                "confirm_url": absolute_url(reverse("practices:adoption_confirm", args=[adoption.pk])),
                "story_url": f"{practice_url}#adoption-{adoption.pk}",
            },
        )


class ContractExpiryComposer(RowComposer):
    """A cooperative contract's owners: it expires in 90 (then 30) days; renew it or update the page."""

    template = "emails/contract_expiry"
    param, gone = "contract", "contract deleted"

    def rows(self):
        return Contract.objects.select_related("practice")

    def build(self, delivery, shared, *, now):
        contract = self.row(delivery, shared)
        # Checked at send time: the owners may have changed the expiry while this waited.
        if contract.expires_on.isoformat() != delivery.params.get("expires_on"):
            raise Skip("expiry date changed; the reminder for the new date goes out on its own")
        today = timezone.localdate(now)
        if contract.expires_on < today:
            raise Skip("contract already expired")
        practice = contract.practice
        return Message(
            template=self.template,
            context={
                "contract": contract,
                "practice": practice,
                "days_left": (contract.expires_on - today).days,
                "expires": format_when_day(contract.expires_on),
                "contract_url": absolute_url(contract.get_absolute_url()),
                "edit_url": absolute_url(reverse("practices:contract_edit", args=[practice.slug, contract.pk])),
            },
        )


class _SubmissionComposer(RowComposer):
    """An email to a call's submitter, about their submission."""

    param, gone = "submission", "submission deleted"

    def rows(self):
        return Submission.objects.select_related("call__coalition")

    def context(self, delivery, submission) -> dict:
        call = submission.call
        return {
            "submission": submission,
            "call": call,
            "call_url": absolute_url(call.get_absolute_url()),
            "edit_url": delivery.params.get("edit_url", ""),
            # The call's own zone, and the recipient's when it is a member in another.
            "closes": format_instant(
                call.closes_at, call.time_zone, recipient_zone(delivery) if delivery.user else None
            ),
        }


class CallVerifyComposer(_SubmissionComposer):
    template = "emails/call_verify"

    def build(self, delivery, shared, *, now):
        submission = self.row(delivery, shared)
        if submission.is_verified:
            raise Skip("submission already verified")
        context = {**self.context(delivery, submission), "verify_url": delivery.params.get("verify_url", "")}
        return Message(template=self.template, context=context)


class CallReceiptComposer(_SubmissionComposer):
    template = "emails/call_receipt"

    def build(self, delivery, shared, *, now):
        return Message(template=self.template, context=self.context(delivery, self.row(delivery, shared)))


class CallDecisionComposer(_SubmissionComposer):
    template = "emails/call_decision"

    def build(self, delivery, shared, *, now):
        submission = self.row(delivery, shared)
        return Message(
            template=self.template,
            context={**self.context(delivery, submission), "status": submission.get_status_display().lower()},
        )


class CallEvaluationComposer(RowComposer):
    """An evaluator's reminder: scoring ends soon, and how many submissions they have yet to score."""

    template = "emails/call_evaluation"
    param, gone = "evaluator", "evaluator removed"

    def rows(self):
        return Evaluator.objects.select_related("call__coalition")

    def build(self, delivery, shared, *, now):
        evaluator = self.row(delivery, shared)
        call = evaluator.call
        if call.closed_at or call.evaluation_ends_at <= now:
            raise Skip("scoring has ended")
        return Message(
            template=self.template,
            context={
                "call": call,
                "ends": format_instant(call.evaluation_ends_at, call.time_zone, recipient_zone(delivery)),
                "submissions_url": absolute_url(reverse("calls:submission_list", args=[call.pk])),
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
    Delivery.Kind.ADOPTION: AdoptionNewsComposer(),
    Delivery.Kind.ADOPTION_CHECK: AdoptionCheckComposer(),
    Delivery.Kind.ADOPTION_CLAIM: AdoptionClaimComposer(),
    Delivery.Kind.CONTRACT: ContractExpiryComposer(),
    Delivery.Kind.INVITED: MeetingInvitationComposer(),
    Delivery.Kind.CALL_VERIFY: CallVerifyComposer(),
    Delivery.Kind.CALL_RECEIPT: CallReceiptComposer(),
    Delivery.Kind.CALL_EVAL: CallEvaluationComposer(),
    Delivery.Kind.CALL_DECIDE: CallDecisionComposer(),
}
