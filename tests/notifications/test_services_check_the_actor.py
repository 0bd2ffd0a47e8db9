"""The notifications services refuse an actor who may not act: ``update_preferences`` anyone not
signed in, ``unsubscribe``/``resubscribe`` a link that is not one we signed. ``PermissionDenied``
from the service itself, and not one row changed."""

import pytest
from django.contrib.auth.models import AnonymousUser

from notifications import services, tokens
from notifications.models import Preference
from tests.factories import PreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db

PREFERENCES = {
    "digest_frequency": Preference.Frequency.MONTHLY,
    "focus_areas": [],
    "wants_reminders": False,
    "reminder_leads": [],
    "time_zone": "America/Phoenix",
}


def test_nobody_signed_in_cannot_save_preferences(assert_refused, member):
    assert_refused(services.update_preferences, by=AnonymousUser(), **PREFERENCES)


def test_a_deactivated_account_cannot_save_preferences(assert_refused, member):
    member.is_active = False
    member.save()
    assert_refused(services.update_preferences, by=member, **PREFERENCES)


@pytest.mark.parametrize("service", [services.unsubscribe, services.resubscribe], ids=["unsubscribe", "resubscribe"])
def test_a_forged_link_changes_nothing(assert_refused, service, member):
    PreferenceFactory(user=member, wants_reminders=True)
    genuine = tokens.make_unsubscribe_token(user_id=member.pk, kind=tokens.REMINDERS)
    assert_refused(service, token=genuine + "x")  # the signature no longer matches
    assert_refused(service, token="not-a-link")


def test_a_link_for_a_deleted_account_changes_nothing(assert_refused, member):
    gone = UserFactory(email="gone@example.org")
    token = tokens.make_unsubscribe_token(user_id=gone.pk, kind=tokens.DIGEST)
    gone.delete()
    assert_refused(services.unsubscribe, token=token)


def test_a_link_turns_off_only_its_own_members_email(member, coalition_admin):
    PreferenceFactory(user=member, wants_reminders=True)
    PreferenceFactory(user=coalition_admin, wants_reminders=True)
    services.unsubscribe(token=tokens.make_unsubscribe_token(user_id=member.pk, kind=tokens.REMINDERS))
    assert Preference.objects.get(user=member).wants_reminders is False
    assert Preference.objects.get(user=coalition_admin).wants_reminders is True
