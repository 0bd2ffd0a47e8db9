"""Glue between django-allauth and our profiles."""

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from .models import Profile


def user_display(user) -> str:
    """allauth's name for a user in its pages and emails."""
    try:
        return user.profile.full_name or user.email
    except Profile.DoesNotExist:
        return user.email


@receiver(user_signed_up, dispatch_uid="coalitions.profile_on_signup")
def create_profile_on_signup(sender, request, user, **kwargs):
    # The signup form already wrote one when it asked for a name; every other path gets an empty one,
    # so nothing that reads ``user.profile`` ever meets a missing row.
    from .services import ensure_profile

    ensure_profile(user=user)
