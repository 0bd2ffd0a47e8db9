"""A member's home in the browser, at a desktop and a phone width, with scripts off: the one-click
RSVP is a plain form, and the header's menu reaches "Your calendar" without JavaScript."""

import pytest
from playwright.sync_api import expect

from meetings.models import RSVP
from tests.factories import PASSWORD, FocusAreaFactory, MeetingFactory, MembershipFactory, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_member_answers_from_home_and_finds_their_pages_without_javascript(browser, live_server, coalition, width):
    member = UserFactory(email="paz@example.org", profile__full_name="Paz Ortega")
    MembershipFactory(user=member, coalition=coalition)
    meeting = MeetingFactory(title="Partnership monthly call")
    context = browser.new_context(viewport=WIDTHS[width], java_script_enabled=False)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Hello, Paz Ortega")).to_be_visible()
    row = page.locator(f"#meeting-{meeting.pk}")
    row.get_by_role("button", name="Maybe").click()

    expect(page.locator(".messages")).to_contain_text("your answer for Partnership monthly call is “maybe”")
    expect(page.locator(f"#meeting-{meeting.pk}").get_by_role("button", name="Maybe")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert RSVP.objects.get(meeting=meeting, user=member).answer == RSVP.Answer.MAYBE
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]

    if width == "phone":
        page.get_by_role("link", name="Menu").click()  # the :target panel lists the account's pages open
    else:
        page.locator(".account-menu > summary").click()  # the <details> dropdown
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Your calendar").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/calendar/")
    assert errors == []  # not even a missing favicon's 404: every page links one
    context.close()


# --- The landing page's hero: its contrast measured, not "needs review" ------------------------------


@pytest.mark.parametrize("width", list(WIDTHS))
def test_landing_hero_text_contrast_is_measured_and_passes(browser, live_server, check, console, db, width):
    FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")  # the seeded one, if a test left it
    context = browser.new_context(viewport=WIDTHS[width])
    page = console.watch(context.new_page())
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Don't start from scratch.")).to_be_visible()

    check(page, "home")  # the home page's color-contrast must be measured, see MEASURED_CONTRAST_PAGES
    context.close()


def test_contrast_axe_cannot_measure_fails_the_home_page_check(browser, live_server, check, console, db):
    """The check itself: text put back on a gradient is "needs review" for axe, and that fails here."""
    context = browser.new_context(viewport=WIDTHS["desktop"])
    page = console.watch(context.new_page())
    page.goto(f"{live_server.url}/")
    page.locator(".hero").evaluate("hero => hero.style.backgroundImage = 'linear-gradient(135deg, #0b5cad, #0f8a6c)'")

    problems = "\n".join(check.problems(page, "home", screenshot=False))

    assert "[needs review] color-contrast" in problems and ".hero" in problems
    assert check.problems(page, "another page", screenshot=False) == []  # elsewhere it stays a warning
    context.close()


def test_a_serious_violation_fails_the_page_check(browser, live_server, check, console, db):
    """The check itself: a button with no name (critical for axe-core) is reported, with where it is."""
    context = browser.new_context(viewport=WIDTHS["desktop"])
    page = console.watch(context.new_page())
    page.goto(f"{live_server.url}/")
    assert check.problems(page, "home", screenshot=False) == []

    page.locator("main").evaluate("main => main.insertAdjacentHTML('beforeend', '<button id=\"nameless\"></button>')")

    problems = "\n".join(check.problems(page, "home", screenshot=False))
    assert "[critical] button-name" in problems and "#nameless" in problems
    context.close()
