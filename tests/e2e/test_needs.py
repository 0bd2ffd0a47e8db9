"""A member posts a need while the panel shows a need like it; a member of another coalition co-signs."""

import re

import pytest
from playwright.sync_api import expect

from calls import services
from calls.models import Need
from tests.e2e.conftest import login
from tests.factories import PASSWORD, FocusAreaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_posts_a_need_and_another_coalition_co_signs_it(
    page, live_server, member, other_member, viewport, check
):
    transportation = FocusAreaFactory(slug="transportation", name="Transportation")
    other_coalition = other_member.memberships.get().coalition
    services.post_need(
        by=other_member,
        coalition=other_coalition,
        data={"title": "Counting bus stop riders", "problem": "Fare data misses transfers.",
              "focus_areas": [transportation]},
    )  # fmt: skip
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/needs/new/")
    title = page.get_by_label(re.compile(r"^Title:?$"))
    title.fill("Counting riders at bus stops without cameras")
    # The need North Texas posted is shown while the title is typed.
    expect(page.locator("#similar-panel").get_by_role("link")).to_have_text(["Counting bus stop riders"])
    page.get_by_label("What hurts").fill("Fare data misses **transfers**; video at stops is ruled out.")
    page.get_by_label("Transportation").check()
    check(page, "need-form-suggestions", full_page=True)
    page.get_by_role("button", name="Post need").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Counting riders at bus stops without cameras")
    need = Need.objects.get(title="Counting riders at bus stops without cameras")
    check(page, "need-posted")

    page.context.clear_cookies()
    login(page, live_server, other_member.email, PASSWORD)
    page.goto(f"{live_server.url}{need.get_absolute_url()}")
    page.get_by_label("Your context").fill("Plano: 300 suburban stops, same no-video rule.")
    page.get_by_role("button", name="Co-sign").click()
    expect(page.get_by_text("Plano: 300 suburban stops, same no-video rule.")).to_be_visible()
    check(page, "need-co-signed", full_page=True)

    page.goto(f"{live_server.url}/needs/")
    expect(page.get_by_role("link", name="Counting riders at bus stops without cameras")).to_be_visible()
    check(page, "needs", full_page=True)
