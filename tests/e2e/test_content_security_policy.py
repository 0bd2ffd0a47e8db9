"""Under the enforced Content-Security-Policy, pages work in Chromium and nothing is refused."""

import pytest
from django.urls import reverse

from meetings.models import CalendarToken
from tests.factories import PASSWORD, MembershipFactory, UserFactory

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

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Reset my calendar address").click()
    assert CalendarToken.objects.get(user=user).token == old_token  # said no: nothing reset

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset my calendar address").click()
    page.wait_for_load_state()
    assert CalendarToken.objects.get(user=user).token != old_token

    for path in ("/", "/practices/", "/meetings/", reverse("coalitions:profile"), reverse("notifications:preferences")):
        page.goto(f"{live_server.url}{path}")
    assert refused == []
