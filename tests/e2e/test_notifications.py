"""A member follows the unsubscribe link of a real reminder: confirms, sees what was turned off, undoes it."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Preference
from notifications.services import run_reminder_tick
from notifications.tokens import DIGEST, make_unsubscribe_token
from tests.factories import MeetingFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_unsubscribes_from_a_reminder_link_undoes_it_and_takes_the_digest_monthly(page, live_server, coalition):
    member = UserFactory(email="paz@example.org")
    MembershipFactory(user=member, coalition=coalition)
    start = timezone.now() + dt.timedelta(days=1) - dt.timedelta(minutes=1)
    MeetingFactory(title="Partnership monthly call", start=start, end=start + dt.timedelta(hours=1))
    run_reminder_tick()  # autocommit here: the eager deliver task sends right after the fan-out commits
    (reminder,) = mail.outbox
    link = reminder.extra_headers["List-Unsubscribe"].strip("<>").replace(settings.SITE_URL, live_server.url)

    page.goto(link)
    assert page.get_by_role("heading").first.inner_text() == "Unsubscribe from meeting reminders and follow-ups?"
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
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
