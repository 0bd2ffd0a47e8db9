"""A member follows the unsubscribe link of a real reminder: confirms, sees what was turned off, undoes it."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import Preference
from notifications.services import run_reminder_tick
from notifications.tokens import DIGEST, make_unsubscribe_token
from tests.e2e.conftest import login
from tests.factories import PASSWORD, FocusAreaFactory, MeetingFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_changes_preferences_then_unsubscribes_from_a_reminder_undoes_it_and_takes_the_digest_monthly(
    page, live_server, coalition, viewport, check
):
    member = UserFactory(email="paz@example.org")
    MembershipFactory(user=member, coalition=coalition)
    FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    FocusAreaFactory(slug="transportation", name="Transportation")

    # Preferences: only transportation in the digest, reminders a day ahead only.
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('notifications:preferences')}")
    check(page, "email-preferences", full_page=True)
    page.get_by_label("Transportation").check()
    page.get_by_label("One hour before").uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_be_visible()
    check(page, "email-preferences-saved")
    preference = Preference.objects.get(user=member)
    assert [area.slug for area in preference.focus_areas.all()] == ["transportation"]
    page.context.clear_cookies()  # the links below work signed out, as from a mail client

    start = timezone.now() + dt.timedelta(days=1) - dt.timedelta(minutes=1)
    MeetingFactory(title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1))
    run_reminder_tick()  # autocommit here: the eager deliver task sends right after the fan-out commits
    (reminder,) = mail.outbox
    link = reminder.extra_headers["List-Unsubscribe"].strip("<>").replace(settings.SITE_URL, live_server.url)

    page.goto(link)
    assert page.get_by_role("heading").first.inner_text() == "Unsubscribe from meeting reminders and follow-ups?"
    check(page, "unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    check(page, "unsubscribed")
    assert not Preference.objects.get(user=member).wants_reminders

    page.get_by_role("button", name="Undo").click()
    assert "Undone: you will get meeting reminders and follow-ups again." in page.locator(".messages").inner_text()
    assert Preference.objects.get(user=member).wants_reminders

    # The digest's own link (no digest is due in this story): the lower-frequency offer.
    token = make_unsubscribe_token(user_id=member.pk, kind=DIGEST)
    page.goto(f"{live_server.url}{reverse('notifications:unsubscribe', args=[token])}")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_role("button", name="Send it monthly instead").click()
    assert "once a month" in page.locator(".messages").inner_text()
    assert Preference.objects.get(user=member).digest_frequency == Preference.Frequency.MONTHLY
