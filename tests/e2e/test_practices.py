"""A member shares a practice with a focus area and a tag, finds it in the list, and searches for it."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import PASSWORD, FocusAreaFactory, PracticeFactory, PracticeKindFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vocabulary(db):
    FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    FocusAreaFactory(slug="transportation", name="Transportation")
    PracticeKindFactory(slug="rfp-template", name="RFP or procurement template")


def test_member_shares_a_practice_and_finds_it(page, live_server, member, vocabulary):
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/practices/new/")
    page.fill("input[name=title]", "Ransomware retainer RFP for small towns")
    page.fill("textarea[name=summary]", "A retainer with a one-hour response commitment, shared by eight towns.")
    page.fill("textarea[name=body]", "## Scope\n\n**Remote triage** within the hour.")
    expect(page.locator("#live-preview strong")).to_have_text("Remote triage")  # the live preview
    page.get_by_label("Cybersecurity").check()
    page.fill("input[name=tags]", "Incident Response, incident response")
    page.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(re.compile(r"/practices/ransomware-retainer-rfp-for-small-towns/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ransomware retainer RFP for small towns")
    expect(page.get_by_role("link", name="incident response", exact=True)).to_have_count(1)

    page.goto(f"{live_server.url}/practices/")
    expect(page.get_by_role("link", name="Ransomware retainer RFP for small towns")).to_be_visible()

    page.fill("#header-q", "retainer")
    page.press("#header-q", "Enter")
    expect(page).to_have_url(re.compile(r"/practices/\?q=retainer"))
    expect(page.get_by_role("link", name="Ransomware retainer RFP for small towns")).to_be_visible()


def test_similar_practices_appear_while_typing_a_title(page, live_server, member, vocabulary):
    PracticeFactory(title="Incident response retainer template", coalition=member.memberships.get().coalition)
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/practices/new/")
    page.fill("input[name=title]", "Incident response retainer")
    expect(page.locator("[data-similar-target]").get_by_role("link")).to_have_text(
        ["Incident response retainer template"]
    )


def test_on_a_phone_similar_practices_show_right_under_the_focus_areas(browser, live_server, member, vocabulary):
    PracticeFactory(title="Incident response retainer template", coalition=member.memberships.get().coalition)
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/practices/new/")
    page.fill("input[name=title]", "Incident response retainer")
    page.get_by_label("Cybersecurity").check()
    panel = page.locator("#similar-panel")
    expect(panel.get_by_role("link")).to_have_text(["Incident response retainer template"])
    areas_bottom = page.locator("#id_focus_areas").bounding_box()
    summary_top = page.locator("textarea[name=summary]").bounding_box()
    panel_box = panel.bounding_box()
    assert areas_bottom["y"] < panel_box["y"] < summary_top["y"]
    context.close()


def test_without_javascript_the_buttons_preview_and_check_for_similar(browser, live_server, member, vocabulary):
    PracticeFactory(title="Incident response retainer template", coalition=member.memberships.get().coalition)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/practices/new/")
    page.fill("input[name=title]", "Incident response retainer")
    page.fill("textarea[name=body]", "**Remote triage** <script>alert(1)</script>")
    page.get_by_role("button", name="Check for similar practices").click()
    expect(page).to_have_url(re.compile(r"/practices/new/#similar-panel$"))
    expect(page.locator("#similar-panel").get_by_role("link")).to_have_text(["Incident response retainer template"])
    expect(page.locator("input[name=title]")).to_have_value("Incident response retainer")  # nothing lost
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview strong")).to_have_text("Remote triage")
    expect(page.locator("#preview script")).to_have_count(0)
    context.close()


def test_agenda_picker_offers_what_discovery_finds_as_the_organizer_types(page, live_server, partnership_admin):
    from tests.factories import MeetingFactory

    meeting = MeetingFactory()
    PracticeFactory.create_batch(21)
    sensors = PracticeFactory(title="Curb occupancy sensors", published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    login(page, live_server, partnership_admin.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/agenda/")
    first_picker = page.locator("select[name='agenda-0-practice']")
    expect(first_picker.locator(f"option[value='{sensors.pk}']")).to_have_count(0)  # not among the newest
    expect(page.get_by_role("button", name="Find")).to_be_hidden()
    page.fill("#agenda-find", "curb sensors")
    expect(first_picker.locator(f"option[value='{sensors.pk}']")).to_have_count(1)
    first_picker.select_option(str(sensors.pk))
    page.fill("input[name='agenda-0-title']", "Sensors at the curb")
    page.get_by_role("button", name="Save agenda").click()
    expect(page.get_by_role("link", name="Curb occupancy sensors")).to_be_visible()
