"""Glue between user accounts (Django's and allauth's) and our profiles."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from .middleware import note_visit
from .models import Profile


def user_display(user) -> str:
    """allauth's name for a user in its pages and emails."""
    try:
        return user.profile.full_name or user.email
    except Profile.DoesNotExist:
        return user.email


def name_users_by_email() -> None:
    """Make ``str(user)`` the email address (called once, from the app's ``ready``).

    People sign in by email and never see the usernames allauth generates (``user19``); naming them
    that way in the Django admin (lists, autocomplete, history) made them impossible to recognise.
    """
    User = get_user_model()
    if User.__str__ is AbstractBaseUser.__str__:  # a custom user model keeps its own
        User.__str__ = lambda user: user.email or user.get_username()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="coalitions.profile_for_every_user")
def create_profile_for_new_user(sender, instance, created, raw=False, **kwargs):
    # Every way a user comes to be (signup, createsuperuser, the Django admin, a script) gets a
    # profile in the same transaction, so nothing that reads ``user.profile`` meets a missing row
    # and the directory never silently leaves someone out. Fixtures (raw) bring their own rows.
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(user_logged_in, dispatch_uid="coalitions.visit_on_login")
def record_visit_on_login(sender, request, user, **kwargs):
    # Signing in starts a visit: the time is written now, whatever this browser's session said,
    # and the hour until the next write counts from here.
    if request is not None and hasattr(request, "session") and user.is_active:
        note_visit(request, user=user, force=True)
