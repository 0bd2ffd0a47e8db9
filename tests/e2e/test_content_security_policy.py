"""Under the enforced Content-Security-Policy, pages work in Chromium and nothing is refused."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import CalendarToken
from tests.factories import PASSWORD, MembershipFactory, PracticeFactory, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enforced(settings):
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None


def test_calendar_page_selects_and_confirms_without_inline_script(page, live_server, coalition, enforced):
    user = UserFactory(email="cal@example.org")
    MembershipFactory(user=user, coalition=coalition)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )

    login(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('meetings:calendar')}")
    old_token = CalendarToken.objects.get(user=user).token

    page.click("#feed-url")
    # calendar.js selects the whole address on click, ready to copy.
    selected = page.eval_on_selector(
        "#feed-url", "field => field.value.slice(field.selectionStart, field.selectionEnd)"
    )
    assert selected == page.input_value("#feed-url") and "/meetings/" in selected

    # Resetting asks on a page of its own (no dialog): "Keep the address" changes nothing.
    page.get_by_role("link", name="Reset my calendar address").click()
    page.get_by_role("link", name="Keep the address").click()
    assert CalendarToken.objects.get(user=user).token == old_token  # said no: nothing reset

    page.get_by_role("link", name="Reset my calendar address").click()
    page.get_by_role("button", name="Reset my calendar address").click()
    page.wait_for_load_state()
    assert CalendarToken.objects.get(user=user).token != old_token

    for path in ("/", "/practices/", "/meetings/", reverse("coalitions:profile"), reverse("notifications:preferences")):
        page.goto(f"{live_server.url}{path}")
    assert refused == []


def test_staff_digest_preview_shows_the_email_as_sent(page, live_server, coalition, enforced):
    # The preview frames the email's HTML, whose styles are inline attributes (as email needs).
    member = UserFactory(email="reader@example.org")
    MembershipFactory(user=member, coalition=coalition, joined=timezone.now() - dt.timedelta(days=30))
    PracticeFactory(title="Leak sensors", published_at=timezone.now() - dt.timedelta(days=1))
    staff = UserFactory(email="staff@example.org", is_staff=True)
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )

    login(page, live_server, staff.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('notifications:preview_digest', args=[member.pk])}")

    frame = page.frame_locator("iframe.email-preview")
    assert frame.get_by_text("Leak sensors").first.is_visible()
    assert refused == []
