"""The agenda editor and the series form with their scripts: rows added, searched, moved, dragged
and removed in place, then saved once; the series' next six dates follow the rule as it changes."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import MeetingSeries
from tests.factories import PASSWORD, AgendaItemFactory, MeetingFactory, PracticeFactory, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def collect_errors(page) -> list[str]:
    errors = []
    # Anything logged as an error fails the test (every page links its favicon: not even a 404 for it).
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def rows(page):
    return page.locator("[data-agenda-row]")


def titles(page) -> list[str]:
    return [row.locator("input[name$='-title']").input_value() for row in rows(page).all()]


def test_organizer_builds_an_agenda_in_place(page, live_server):
    organizer = UserFactory(email="dana@example.org", is_staff=True)
    meeting = MeetingFactory(title="Partnership monthly call")
    AgendaItemFactory(meeting=meeting, order=1, title="Welcome")
    AgendaItemFactory(meeting=meeting, order=2, title="Open floor")
    sensors = PracticeFactory(title="Curb occupancy sensors")
    errors = collect_errors(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, live_server, organizer.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/agenda/")
    assert not page.locator("[data-find-box]").is_visible()  # each row searches on its own

    page.get_by_role("button", name="+ Add an item").click()
    new = rows(page).last
    new.locator("input[name$='-title']").fill("Curb pilot results")
    picker = new.locator(".picker-input")
    picker.fill("curb sensors")
    option = new.get_by_role("option", name="Curb occupancy sensors")
    option.wait_for()
    picker.press("ArrowDown")
    picker.press("Enter")
    assert picker.input_value() == "Curb occupancy sensors"

    # Up three times with the buttons: from fourth place (after the empty row) to first.
    for place in (3, 2, 1):
        rows(page).nth(place).locator("[data-move=up]").click()
    assert titles(page)[:3] == ["Curb pilot results", "Welcome", "Open floor"]

    # Drag "Open floor" above "Welcome" by its handle.
    handle = rows(page).nth(2).locator("[data-drag-handle]")
    target = rows(page).nth(1)
    target.evaluate("row => row.scrollIntoView({block: 'start'})")
    start, end = handle.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(end["x"] + 200, end["y"] + 20, steps=10)
    page.mouse.up()
    assert titles(page)[:3] == ["Curb pilot results", "Open floor", "Welcome"]

    # Remove "Welcome", change our mind, then remove it for good.
    welcome = rows(page).nth(2)
    welcome.get_by_role("button", name="Remove").click()
    welcome.get_by_role("button", name="Undo").click()
    assert welcome.locator("input[name$='-DELETE']").is_checked() is False
    welcome.get_by_role("button", name="Remove").click()

    page.get_by_role("button", name="Save agenda").last.click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    items = list(meeting.agenda_items.order_by("order"))
    assert [(i.title, i.practice_id) for i in items] == [("Curb pilot results", sensors.pk), ("Open floor", None)]
    assert errors == []


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_series_form_shows_the_rules_fields_and_previews_six_dates(page, live_server, width, height):
    organizer = UserFactory(email="dana@example.org", is_staff=True, profile__time_zone="America/Phoenix")
    errors = collect_errors(page)
    page.set_viewport_size({"width": width, "height": height})
    login(page, live_server, organizer.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/series/new/")
    assert not page.get_by_role("button", name="Preview dates").is_visible()
    assert not page.locator("[data-field=day_of_month]").is_visible()

    page.get_by_label("Title").fill("Partnership monthly call")
    page.get_by_label("Week of the month").select_option("2")
    page.get_by_label("Day of the week").select_option("1")
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("Time zone").select_option("America/Denver")
    dates = page.locator(".series-preview-dates li")
    dates.nth(5).wait_for()
    assert dates.count() == 6
    assert all("(your time)" in text or "your time and Denver" in text for text in dates.all_inner_texts())

    assert not page.locator("[data-field=day_of_month]").is_visible()
    page.locator("input[name=rule_kind][value=day_of_month]").check()
    assert page.locator("[data-field=day_of_month]").is_visible()
    assert not page.locator("[data-field=week_of_month]").is_visible()
    page.locator("input[name=rule_kind][value=nth_weekday]").check()

    page.get_by_role("button", name="Create series").last.click()
    page.wait_for_url(re.compile(r"/meetings/series/\d+/$"))
    assert MeetingSeries.objects.get().title == "Partnership monthly call"
    assert errors == []


class Finger:
    """A finger on a touch screen: pressed, moved and lifted (Playwright has taps only, so the touches go
    through the DevTools protocol, and Chromium makes pointer events of them as it does for a phone)."""

    def __init__(self, page):
        self.session = page.context.new_cdp_session(page)

    def press(self, x: float, y: float) -> None:
        self.at = (x, y)
        self._send("touchStart", [{"x": x, "y": y}])

    def move(self, x: float, y: float, steps: int = 12) -> None:
        (x0, y0), self.at = self.at, (x, y)
        for i in range(1, steps + 1):
            self._send("touchMove", [{"x": x0 + (x - x0) * i / steps, "y": y0 + (y - y0) * i / steps}])

    def lift(self) -> None:
        self._send("touchEnd", [])
        self.session.detach()

    def _send(self, kind: str, points: list) -> None:
        self.session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def test_organizer_reorders_the_agenda_by_touch_on_a_phone(browser, live_server, check, console):
    organizer = UserFactory(email="dana@example.org", is_staff=True)
    meeting = MeetingFactory(title="Partnership monthly call")
    for order, title in enumerate(["Welcome", "Open floor", "Curb pilot results"], start=1):
        AgendaItemFactory(meeting=meeting, order=order, title=title)
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = console.watch(context.new_page())
    login(page, live_server, organizer.email, PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting.pk}/agenda/")
    assert page.evaluate("matchMedia('(pointer: coarse)').matches")  # a phone's touch screen, as emulated
    handle = rows(page).nth(2).locator("[data-drag-handle]")
    assert handle.is_visible()  # the handle is offered on touch screens too
    check(page, "meetings:agenda on a touch screen")

    # The third row's handle, pressed, then held at the top edge of the screen: the page scrolls up along
    # with the row until the first row is below the finger; lifted there, the row is first.
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    finger = Finger(page)
    finger.press(x, y)
    finger.move(x, 20)
    page.wait_for_function("() => window.scrollY === 0")
    finger.lift()

    assert titles(page)[:3] == ["Curb pilot results", "Welcome", "Open floor"]
    # Said to screen readers; the fourth place is the empty row for a new item.
    expect(page.locator("[data-agenda-status]")).to_have_text("“Curb pilot results” moved to place 1 of 4.")
    assert page.locator("[data-agenda-row]").first.locator("[data-row-number]").text_content() == "1"

    page.get_by_role("button", name="Save agenda").last.click()
    page.wait_for_url(f"{live_server.url}/meetings/{meeting.pk}/")
    assert list(meeting.agenda_items.order_by("order").values_list("title", flat=True)) == [
        "Curb pilot results",
        "Welcome",
        "Open floor",
    ]
    context.close()
