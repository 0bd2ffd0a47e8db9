"""A member shares a practice with a focus area and a tag, finds it in the list, and searches for it."""

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from practices.models import Adoption
from tests.e2e.conftest import DESKTOP, login
from tests.factories import (
    PASSWORD,
    AttachmentFactory,
    FocusAreaFactory,
    PracticeFactory,
    PracticeKindFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vocabulary(db):
    FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    FocusAreaFactory(slug="transportation", name="Transportation")
    PracticeKindFactory(slug="rfp-template", name="RFP or procurement template")


def test_member_shares_a_practice_with_live_suggestions_and_finds_it(
    page, live_server, member, vocabulary, viewport, check
):
    PracticeFactory(title="Incident response retainer template", coalition=member.memberships.get().coalition)
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/practices/new/")
    title = page.get_by_label(re.compile(r"^Title:?$"))
    title.fill("Incident response retainer")
    # Similar practices are suggested while the title is typed.
    expect(page.locator("#similar-panel").get_by_role("link")).to_have_text(["Incident response retainer template"])
    title.fill("Ransomware incident response retainer for small towns")
    page.get_by_label("One-paragraph summary").fill("A retainer with a one-hour response commitment, for towns.")
    page.get_by_label("The full story").fill("## Scope\n\n**Remote triage** within the hour.")
    expect(page.locator("#live-preview strong")).to_have_text("Remote triage")  # the live preview
    page.get_by_label("Cybersecurity").check()
    page.get_by_label("Tags").fill("Incident Response, incident response")
    page.get_by_label("Level of government").select_option("city")
    check(page, "practice-form-suggestions", full_page=True)
    page.get_by_role("button", name="Publish").click()

    expect(page).to_have_url(re.compile(r"/practices/ransomware-incident-response-retainer-for-small-towns/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ransomware incident response retainer for small towns")
    expect(page.get_by_role("link", name="incident response", exact=True)).to_have_count(1)
    check(page, "practice-published")

    page.goto(f"{live_server.url}/practices/")
    expect(page.get_by_role("link", name="Ransomware incident response retainer for small towns")).to_be_visible()
    check(page, "practices", full_page=True)

    page.get_by_role("searchbox", name="Search practices").fill("ransomware")
    page.get_by_role("searchbox", name="Search practices").press("Enter")
    expect(page).to_have_url(re.compile(r"/practices/\?q=ransomware"))
    expect(page.get_by_role("link", name="Ransomware incident response retainer for small towns")).to_be_visible()


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
    picker = page.locator(".picker-input").first  # each row's searchable picker (discovery's search)
    picker.fill("curb sensors")
    option = page.get_by_role("option", name="Curb occupancy sensors")
    expect(option).to_have_count(1)  # found by its words though it is not among the newest
    option.click()
    expect(picker).to_have_value("Curb occupancy sensors")
    page.fill("input[name='agenda-0-title']", "Sensors at the curb")
    page.get_by_role("button", name="Save agenda").click()
    expect(page.get_by_role("link", name="Curb occupancy sensors")).to_be_visible()
    assert list(meeting.agenda_items.values_list("practice_id", flat=True)) == [sensors.pk]


def test_member_finds_a_practice_downloads_its_file_adopts_it_and_asks_a_question(
    page, live_server, coalition, other_member, vocabulary, viewport, check
):
    practice = PracticeFactory(
        title="Ransomware retainer RFP for small towns",
        summary="A retainer with a one-hour response commitment, shared by eight towns.",
        coalition=coalition,
    )
    AttachmentFactory(practice=practice, name="retainer-rfp.pdf")
    login(page, live_server, other_member.email, PASSWORD)

    # Search from the header, open the practice.
    page.get_by_role("searchbox", name="Search practices").fill("ransomware retainer")
    page.get_by_role("searchbox", name="Search practices").press("Enter")
    result = page.get_by_role("link", name="Ransomware retainer RFP for small towns")
    expect(result).to_be_visible()
    check(page, "search-results", full_page=True)
    # Wide screens show the filters unfolded, so they are announced as expanded; phones fold them.
    filters = page.locator("details.filters-panel")
    if viewport == DESKTOP:
        expect(filters).to_have_attribute("open", "")
    else:
        expect(filters).not_to_have_attribute("open", "")
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ransomware retainer RFP for small towns")
    check(page, "practice", full_page=True)

    # Download its file.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="retainer-rfp.pdf").click()
    assert Path(download_info.value.path()).read_bytes().startswith(b"%PDF")

    # Record that their coalition is piloting it.
    page.get_by_role("link", name="Record that your coalition uses this").click()
    check(page, "adopt", full_page=True)
    page.get_by_label("Piloting").check()
    page.get_by_label("What you changed").fill("Four towns instead of eight.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("region", name="Who is reusing it")).to_contain_text("Four towns instead of eight.")
    assert Adoption.objects.filter(practice=practice, coalition=other_member.memberships.get().coalition).exists()

    # Ask a question.
    page.get_by_label("Your question or answer").fill("How long did **procurement** take?")
    page.get_by_role("button", name="Post").click()
    comments = page.get_by_role("region", name="Questions and answers")
    expect(comments.locator("strong", has_text="procurement")).to_be_visible()
    check(page, "practice-adopted-and-asked")
