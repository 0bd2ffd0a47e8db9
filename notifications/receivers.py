"""Reactions to other apps' signals: they know nothing of email, we listen."""

import logging

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_save
from django.dispatch import receiver

from coalitions.models import Profile
from coalitions.signals import invitation_created, join_request_decided

from .mail import clear_bounce, queue_email
from .models import Delivery, Preference

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
    from .services import reschedule_digest

    preference = Preference.objects.filter(user_id=instance.user_id).exclude(digest_frequency="off").first()
    if preference is not None:
        reschedule_digest(preference=preference, user=instance.user)
