"""At 390 px: an outside vendor answers an open public call without an account, confirms by the emailed
link, and an invited evaluator scores the submission."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls import services
from calls.models import Score, Submission
from tests.e2e.conftest import PHONE, login
from tests.factories import PASSWORD, FocusAreaFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_vendor_submits_to_the_open_call_and_an_evaluator_scores_it(page, live_server, member, other_member, check):
    page.set_viewport_size(PHONE)
    now = timezone.now()
    call = services.publish_call(
        by=member,
        coalition=member.memberships.get().coalition,
        data={
            "title": "Keeping bike lanes clear", "problem": "Vans park in the **bike lanes**.",
            "asks": "An approach and its yearly cost.", "terms": "Shared with members.",
            "focus_areas": [FocusAreaFactory(slug="transportation", name="Transportation")],
            "is_public": True, "time_zone": "America/Denver", "opens_at": now - dt.timedelta(days=1),
            "closes_at": now + dt.timedelta(days=10), "evaluation_ends_at": now + dt.timedelta(days=20),
            "results_at": now + dt.timedelta(days=30),
        },
        criteria=[("Expected reduction", 3), ("Cost per year", 1)],
    )  # fmt: skip
    services.invite_evaluator(call=call, by=member, user=other_member)

    # A vendor, signed out, answers from the call's page.
    page.goto(f"{live_server.url}{call.get_absolute_url()}")
    check(page, "call-public", full_page=True)
    page.get_by_label("Your name").fill("Ana Lindqvist")
    page.get_by_label("Organization").fill("LoadingBay")
    page.get_by_label("Email").fill("ana@loadingbay.example")
    page.get_by_label("Summary").fill("Bookable loading slots next to the lane.")
    page.get_by_label("Description").fill("Drivers reserve a curb slot; we price and enforce the slots.")
    page.get_by_label("I accept the call's terms").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    check(page, "call-submitted")

    # The link from the email confirms the address.
    submission = Submission.objects.get()
    page.goto(services.verify_url(submission).replace("http://testserver", live_server.url))
    page.get_by_role("button", name="Confirm submission").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submission confirmed")

    # The evaluator scores it.
    login(page, live_server, other_member.email, PASSWORD)
    page.goto(f"{live_server.url}/calls/{call.pk}/submissions/")
    check(page, "call-submissions")
    page.get_by_role("link", name="LoadingBay").click()
    page.get_by_label("Expected reduction").select_option("4")
    page.get_by_label("Cost per year").select_option("3")
    page.get_by_role("button", name="Save scores").click()
    expect(page.get_by_text("Scores saved.")).to_be_visible()
    check(page, "call-scored", full_page=True)

    submission.refresh_from_db()
    assert Score.objects.count() == 2 and str(submission.score_mean) == "75.0"
