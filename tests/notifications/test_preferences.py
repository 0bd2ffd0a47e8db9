"""The preferences page: frequency, focus areas, reminders and their leads, time zone."""

import datetime as dt

import pytest
from django.urls import reverse

from coalitions.models import Profile
from notifications.models import Preference
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db

URL = reverse("notifications:preferences")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_page_shows_the_defaults(member_client, frozen):
    FocusAreaFactory(name="Water", slug="water")

    response = member_client.get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Email preferences" in page
    assert "Water" in page
    assert "Next digest: Mon 16 Nov 2026, 08:00 MST" in page
    form = response.context["form"]
    assert form.initial["digest_frequency"] == "weekly"
    assert form.initial["reminder_leads"] == ["1d", "1h"]
    assert form.initial["wants_reminders"] is True


def test_saving_writes_preferences_and_the_profile_time_zone(member_client, member, frozen):
    water = FocusAreaFactory(name="Water", slug="water")

    response = member_client.post(
        URL,
        {
            "digest_frequency": "monthly",
            "focus_areas": [water.pk],
            "wants_reminders": "on",
            "reminder_leads": ["7d", "15m"],
            "time_zone": "America/New_York",
        },
    )

    assert response.status_code == 302
    preference = Preference.objects.get(user=member)
    assert preference.digest_frequency == "monthly"
    assert list(preference.focus_areas.all()) == [water]
    assert preference.reminder_leads == ["7d", "15m"]
    assert Profile.objects.get(user=member).time_zone == "America/New_York"
    # December 1, 08:00 in New York.
    assert preference.next_digest_at == dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC)


def test_turning_the_digest_off_unschedules_it(member_client, member):
    member_client.post(URL, {"digest_frequency": "off", "time_zone": ""})

    preference = Preference.objects.get(user=member)
    assert preference.next_digest_at is None
    assert preference.wants_reminders is False  # unticked box


def test_unknown_time_zone_is_refused_with_a_message(member_client, member):
    response = member_client.post(URL, {"digest_frequency": "weekly", "time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=member).time_zone == ""


def test_reminders_on_need_at_least_one_lead(member_client, member):
    response = member_client.post(URL, {"digest_frequency": "weekly", "wants_reminders": "on", "time_zone": ""})

    assert "Pick at least one time" in response.content.decode()
    assert Preference.objects.get(user=member).reminder_leads == ["1d", "1h"]  # unchanged


def test_a_new_time_zone_from_the_profile_moves_the_next_digest(member, frozen):
    from notifications.services import preference_for

    preference = preference_for(member)
    assert preference.next_digest_at == dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)  # Denver

    profile = member.profile
    profile.time_zone = "America/New_York"
    profile.save()

    preference.refresh_from_db()
    assert preference.next_digest_at == dt.datetime(2026, 11, 16, 13, 0, tzinfo=dt.UTC)
