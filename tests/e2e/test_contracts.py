"""An owner lists a cooperative contract with its award as a file; a buyer finds it through "can buy now"."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, FocusAreaFactory, PracticeFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AWARD = {"name": "award.pdf", "mimeType": "application/pdf", "buffer": PDF}


def test_owner_lists_a_contract_and_a_buyer_finds_what_it_can_buy_now(
    page, live_server, member, other_member, viewport, check
):
    area = FocusAreaFactory(slug="transportation", name="Transportation")
    practice = PracticeFactory(
        title="Connected signal controllers",
        coalition=member.memberships.get().coalition,
        author=member,
        focus_areas=[area],
        visibility="public",
    )
    PracticeFactory(title="Parking sensor pilot", focus_areas=[area], visibility="public")
    today = timezone.localdate()
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}{practice.get_absolute_url()}")
    page.get_by_role("link", name="Add a contract").click()
    page.get_by_label("Lead agency:").fill("State of Colorado")
    page.get_by_label("Kind of contract").select_option("state")
    page.get_by_label("Contract number").fill("PA-2026-0042")
    page.get_by_label("Supplier").fill("Acme Signals")
    page.get_by_label("Awarded on").fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_label("Expires on").fill((today - dt.timedelta(days=31)).isoformat())
    page.get_by_label("Awarded through a competitive solicitation").check()
    page.get_by_label("Award: a file").set_input_files(AWARD)
    page.get_by_role("button", name="Add the contract").click()
    expect(page.get_by_text("The expiry date must be on or after the award date.")).to_be_visible()
    expect(page.get_by_label("Supplier")).to_have_value("Acme Signals")  # nothing typed is lost
    check(page, "contract-form-error", full_page=True)

    page.get_by_label("Expires on").fill((today + dt.timedelta(days=400)).isoformat())
    page.get_by_label("The solicitation or award names other public bodies").check()
    page.get_by_label("Award: a file").set_input_files(AWARD)
    page.get_by_role("button", name="Add the contract").click()
    expect(page).to_have_url(re.compile(r"#contract-\d+$"))
    contract = page.locator(".contract")
    expect(contract.get_by_text("Others can buy now")).to_be_visible()
    expect(contract.get_by_text("Missing: solicitation, pricing.")).to_be_visible()
    expect(contract.get_by_role("link", name="Award")).to_be_visible()
    check(page, "contract-on-practice", full_page=True)

    page.context.clear_cookies()  # sign out: a buyer from another coalition looks
    login(page, live_server, other_member.email, PASSWORD)
    page.goto(f"{live_server.url}/practices/?contract=open")
    expect(page.get_by_role("link", name="Connected signal controllers")).to_be_visible()
    expect(page.get_by_role("link", name="Parking sensor pilot")).to_have_count(0)
    page.get_by_role("link", name="Connected signal controllers").click()
    expect(page.locator(".contract").get_by_role("link", name="Edit")).to_have_count(0)
