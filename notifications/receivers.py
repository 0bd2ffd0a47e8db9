"""Reactions to other apps' signals: they know nothing of email, we listen."""

import logging

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_save
from django.dispatch import receiver

from calls.models import Submission
from calls.signals import decisions_sent, evaluation_due, submission_received, submission_verified
from coalitions.models import Membership, Profile
from coalitions.signals import invitation_created, join_request_decided
from meetings.signals import invitees_added
from practices.models import AdoptionStep
from practices.signals import adoption_changed, adoption_claimed, adoption_confirmation_due

from .mail import clear_bounce
from .models import Delivery, Preference
from .outbox import queue_email, queue_emails
from .services import queue_meeting_invitations, reschedule_digest

logger = logging.getLogger(__name__)


@receiver(join_request_decided, dispatch_uid="notifications.join_request_decided")
def email_join_decision(sender, join_request, **kwargs):
    queue_email(
        key=f"join:{join_request.pk}",
        kind=Delivery.Kind.JOIN,
        user=join_request.user,
        params={"join_request": join_request.pk},
    )


@receiver(invitation_created, dispatch_uid="notifications.invitation_created")
def email_invitation(sender, invitation, accept_url, **kwargs):
    # The invitee has no account yet: the delivery carries only the address.
    queue_email(
        key=f"invitation:{invitation.pk}",
        kind=Delivery.Kind.INVITATION,
        to_address=invitation.email,
        params={"invitation": invitation.pk, "accept_url": accept_url},
    )


@receiver(email_confirmed, dispatch_uid="notifications.email_confirmed")
def forget_bounce_on_confirmation(sender, request=None, email_address=None, **kwargs):
    """Confirming an address again proves it works: lift its hard-bounce mark."""
    if email_address is not None and clear_bounce(address=email_address.email):
        logger.info("Hard-bounce mark lifted for %s after confirmation", email_address.email)


@receiver(post_save, sender=Profile, dispatch_uid="notifications.profile_saved")
def reschedule_digest_on_zone_change(sender, instance, **kwargs):
    """A new time zone moves the member's next 08:00 digest slot."""
    preference = Preference.objects.filter(user_id=instance.user_id).exclude(digest_frequency="off").first()
    if preference is not None:
        reschedule_digest(preference=preference, user=instance.user)


def _active_admins(coalition_id: int):
    return [
        m.user
        for m in Membership.objects.filter(
            coalition_id=coalition_id, role=Membership.Role.ADMIN, user__is_active=True
        ).select_related("user")
    ]


@receiver(adoption_changed, dispatch_uid="notifications.adoption_changed")
def email_sharing_coalition(sender, adoption, event, by=None, **kwargs):
    """Someone started or stopped using a practice: its author (while a member of its coalition) and
    that coalition's admins hear of it, once per step of the adoption's timeline."""
    practice = adoption.practice
    recipients = {u.pk: u for u in _active_admins(practice.coalition_id)}
    if Membership.objects.filter(user_id=practice.author_id, coalition_id=practice.coalition_id).exists():
        recipients.setdefault(practice.author_id, practice.author)
    recipients.pop(getattr(by, "pk", None), None)
    step = AdoptionStep.objects.filter(adoption=adoption).order_by("-pk").values_list("pk", flat=True).first()
    for user in recipients.values():
        if not user.is_active:
            continue
        queue_email(
            key=f"adoption:{adoption.pk}:{step}:{user.pk}",
            kind=Delivery.Kind.ADOPTION,
            user=user,
            params={"adoption": adoption.pk, "event": event},
        )


@receiver(adoption_confirmation_due, dispatch_uid="notifications.adoption_confirmation_due")
def email_adoption_check(sender, adoption, **kwargs):
    """The yearly "is this still current?" to each admin of the adopting coalition: one email per admin
    and confirmation (the key carries the confirmation it asks about), however often the tick runs."""
    stamp = adoption.confirmed_at.strftime("%Y%m%dT%H%M%S") if adoption.confirmed_at else "never"
    for user in _active_admins(adoption.coalition_id):
        queue_email(
            key=f"adopt-check:{adoption.pk}:{user.pk}:{stamp}",
            kind=Delivery.Kind.ADOPTION_CHECK,
            user=user,
            params={"adoption": adoption.pk},
        )


@receiver(adoption_claimed, dispatch_uid="notifications.adoption_claimed")
def email_adoption_claim(sender, adoption, by=None, **kwargs):
    """A member recorded an adoption, or a new stage, for their coalition: its admins are asked to confirm
    it, once per step of the timeline (a member editing the text again asks nobody twice)."""
    step = AdoptionStep.objects.filter(adoption=adoption).order_by("-pk").values_list("pk", flat=True).first()
    for user in _active_admins(adoption.coalition_id):
        if user.pk == getattr(by, "pk", None):
            continue
        queue_email(
            key=f"adopt-claim:{adoption.pk}:{step}:{user.pk}",
            kind=Delivery.Kind.ADOPTION_CLAIM,
            user=user,
            params={"adoption": adoption.pk},
        )


@receiver(invitees_added, dispatch_uid="notifications.invitees_added")
def email_meeting_invitations(sender, meeting, user_ids, **kwargs):
    """Each member newly invited to a meeting gets one invitation (``invited:<meeting>:<user>``)."""
    queue_meeting_invitations(meeting=meeting, user_ids=user_ids)


# --- Calls for solutions: the submitter (often without an account) and the evaluators ---------------


def _submitter(submission) -> dict:
    """A member's submission is mailed to their account (their zone, their address); an outside one to
    the address it was made with."""
    return {"user": submission.user} if submission.user_id else {"to_address": submission.email}


@receiver(submission_received, dispatch_uid="notifications.submission_received")
def email_submission_received(sender, submission, verify_url, edit_url, **kwargs):
    """An outside submitter gets the verification link (the submission counts once it is followed); a
    member whose address is already verified gets the receipt at once."""
    if verify_url:
        queue_email(
            key=f"call-verify:{submission.pk}",
            kind=Delivery.Kind.CALL_VERIFY,
            params={"submission": submission.pk, "verify_url": verify_url, "edit_url": edit_url},
            **_submitter(submission),
        )
    else:
        email_submission_verified(sender, submission=submission, edit_url=edit_url)


@receiver(submission_verified, dispatch_uid="notifications.submission_verified")
def email_submission_verified(sender, submission, edit_url, **kwargs):
    queue_email(
        key=f"call-receipt:{submission.pk}",
        kind=Delivery.Kind.CALL_RECEIPT,
        params={"submission": submission.pk, "edit_url": edit_url},
        **_submitter(submission),
    )


@receiver(evaluation_due, dispatch_uid="notifications.evaluation_due")
def email_evaluation_reminder(sender, evaluator, **kwargs):
    """Once per evaluator seat: the key names it, so the tick may find it due many times."""
    if evaluator.user.is_active:
        queue_email(
            key=f"call-eval:{evaluator.pk}",
            kind=Delivery.Kind.CALL_EVAL,
            user=evaluator.user,
            params={"evaluator": evaluator.pk},
        )


@receiver(decisions_sent, dispatch_uid="notifications.decisions_sent")
def email_decisions(sender, call, **kwargs):
    """Each verified submitter hears their status once (the key names the submission), queued together:
    a call's hundreds of submissions cost the owner's click three statements, not an insert each."""
    submissions = Submission.objects.filter(call=call).exclude(verified_at=None).select_related("user")
    queue_emails(
        {
            "key": f"call-decision:{submission.pk}",
            "kind": Delivery.Kind.CALL_DECIDE,
            "params": {"submission": submission.pk},
            **_submitter(submission),
        }
        for submission in submissions.order_by("pk")
    )
