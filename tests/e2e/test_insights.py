"""A member opens the insights page: the charts are drawn under the Content-Security-Policy, each has its
data as a table behind "Show data", the reuse matrix scrolls in its own box on a phone, and axe is clean."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from practices.models import FundingProgram, PracticeViewCount
from tests.e2e.conftest import login
from tests.factories import (
    PASSWORD,
    AdoptionFactory,
    CoalitionFactory,
    FocusAreaFactory,
    MeetingFactory,
    PracticeFactory,
    RSVPFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def history(member):
    now = timezone.now()
    areas = [FocusAreaFactory(name=name, slug=name.lower()) for name in ("Cybersecurity", "Mobility", "Energy")]
    coalitions = [member.memberships.get().coalition] + [
        CoalitionFactory(short_name=name) for name in ("NTXIA", "KC Region", "Arizona Smart", "Georgia Tech Hub")
    ]
    # A transactional test empties the tables the migration seeded: the programs are made again if need be.
    programs = [
        FundingProgram.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in (("arpa-slfrf", "ARPA recovery funds"), ("iija-smart", "SMART grants"), ("bead", "BEAD"))
    ]
    for coalition, codes in zip(coalitions, ("CO", "TX", "MO,KS", "AZ", "GA"), strict=True):
        coalition.state_codes = codes
        coalition.save()
    coalitions[2].latitude, coalitions[2].longitude = 39.0997, -94.5786  # a metro: drawn as a point
    coalitions[2].save()
    made = []
    for n in range(24):
        practice = PracticeFactory(
            title=f"Practice number {n}",
            coalition=coalitions[n % len(coalitions)],
            focus_areas=[areas[n % 3]],
            funding_programs=[programs[n % 3]],
            published_at=now - dt.timedelta(days=30 * (n % 20) + 1),
        )
        made.append(practice)
        PracticeViewCount.objects.create(practice=practice, month=now.date().replace(day=1), views=100 - n)
        for adopter in coalitions[: 1 + n % 4]:
            if adopter != practice.coalition:
                AdoptionFactory(practice=practice, coalition=adopter, confirmation="confirmed" if n % 2 else "claimed",
                                government_level=("city", "county", "state")[n % 3])  # fmt: skip
    RSVPFactory(meeting=MeetingFactory(start=now - dt.timedelta(days=20)), user=member)
    return {"practices": made, "programs": programs}


def test_member_reads_the_charts_and_their_data(page, live_server, member, history, viewport, check):
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/insights/")
    expect(page.get_by_role("heading", name="Insights", level=1)).to_be_visible()
    charts = ("chart-practices-by-month", "chart-adoptions-by-month", "chart-funding", "chart-most-adopted",
              "chart-first-adoption", "chart-attendance")  # fmt: skip
    for chart in charts:
        canvas = page.locator(f'canvas[data-chart="{chart}"]')
        expect(canvas).to_be_visible()
        assert page.evaluate("c => Boolean(Chart.getChart(c))", canvas.element_handle()), chart
    expect(page.locator("svg.us-map circle.map-metro")).to_have_count(1)
    assert page.locator("svg.us-map path.map-state.heat-0").count() > 40  # states without a coalition
    assert page.locator("svg.us-map path.map-state:not(.heat-0)").count() == 4  # CO, TX, AZ, GA: KC is a point
    check(page, "insights", full_page=True)

    page.locator("summary", has_text="Show data").first.click()
    expect(page.get_by_role("region", name="Practices shared per month, as a table")).to_be_visible()
    if viewport["width"] < 600:
        matrix = page.get_by_role("region", name="Reuse matrix (scrolls sideways)")
        sizes = matrix.evaluate("el => [el.scrollWidth, el.clientWidth, document.documentElement.scrollWidth]")
        assert sizes[0] > sizes[1], "the matrix should scroll inside its box"
        assert sizes[2] <= viewport["width"], "the page itself should not scroll sideways"
    check(page, "insights-data-shown")

    page.goto(f"{live_server.url}{history['practices'][0].get_absolute_url()}")
    link = page.get_by_role("link", name=f"other practices funded by {history['programs'][0].name}")
    expect(link).to_be_visible()
    check(page, "practice-funding-programs")
    link.click()
    expect(page.get_by_role("link", name="Practice number 3", exact=True)).to_be_visible()


def test_partnership_admin_opens_the_printable_summary(page, live_server, partnership_admin, history, viewport, check):
    login(page, live_server, partnership_admin.email, PASSWORD)
    page.goto(f"{live_server.url}/insights/")
    page.get_by_role("link", name="Summary for funders (printable)").click()
    expect(page.get_by_role("heading", name="Key figures")).to_be_visible()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()  # shown by the script
    expect(page.locator("svg.us-map circle.map-metro")).to_have_count(1)
    for chart in ("chart-practices-by-month", "chart-adoptions-by-month"):
        canvas = page.locator(f'canvas[data-chart="{chart}"]')
        assert page.evaluate("c => Boolean(Chart.getChart(c))", canvas.element_handle()), chart
    check(page, "funders-summary", full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()  # the print styles leave the site's chrome out
