"""The insights page: every figure on a small data set checked by hand, the filters, what a viewer may
see, the CSV downloads, the cache and the query budget.

The world (now: 15 June 2026; the default range: July 2024 – June 2026):
  practices (published)                          coalition  areas           level   visibility  programs
  p1 "Cyber retainer"     2026-01-10             CSCA       cyber           city    public      ARPA
  p2 "Signal timing"      2026-01-20             CSCA       cyber+transport county  members     ARPA, SMART
  p3 "Transit fares"      2026-03-05             NTXIA      transport       state   public      –
  old "Old practice"      2023-01-01 (before the range)  NTXIA  cyber      city    members     –
  a draft (CSCA, by the member) and a hidden practice (NTXIA): never counted.
  adoptions (recorded; none says when it started, so each counts on the day it was recorded)
  a1 NTXIA adopts p1  2026-02-01 confirmed      a5 KC adopts p3     2026-04-02 stopped (left out)
  a2 KC adopts p1     2026-02-15 claimed        a6 CSCA adopts hidden 2026-04-03 (left out: hidden)
  a3 NTXIA adopts p2  2026-03-10 lapsed         a7 KC adopts old    2026-05-01 claimed
  a4 CSCA adopts p3   2026-04-01 confirmed
"""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse

from coalitions.models import Coalition
from insights import figures
from insights.exports import neutralise
from meetings.models import Meeting
from practices.filters import filter_options
from practices.models import Adoption, FundingProgram, Practice, PracticeViewCount
from tests.factories import (
    AdoptionFactory,
    CoalitionFactory,
    FocusAreaFactory,
    MeetingFactory,
    MembershipFactory,
    PracticeFactory,
    RSVPFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("insights:index")
UTC = dt.UTC
NOW = dt.datetime(2026, 6, 15, 12, tzinfo=UTC)


def at(y, m, d):
    return dt.datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def third_coalition(db):
    return CoalitionFactory(name="Kansas City Smart Region", slug="kansas-city", short_name="KC")


@pytest.fixture
def world(member, coalition, other_coalition, third_coalition):
    cyber = FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")
    transport = FocusAreaFactory(name="Transportation", slug="transportation")
    arpa = FundingProgram.objects.get(slug="arpa-slfrf")
    smart = FundingProgram.objects.get(slug="iija-smart")
    public, members = Practice.Visibility.PUBLIC, Practice.Visibility.MEMBERS
    p1 = PracticeFactory(
        title="Cyber retainer",
        coalition=coalition,
        focus_areas=[cyber],
        government_level="city",
        visibility=public,
        published_at=at(2026, 1, 10),
        funding_programs=[arpa],
    )
    p2 = PracticeFactory(
        title="Signal timing",
        coalition=coalition,
        focus_areas=[cyber, transport],
        government_level="county",
        visibility=members,
        published_at=at(2026, 1, 20),
        funding_programs=[arpa, smart],
    )
    p3 = PracticeFactory(
        title="Transit fares",
        coalition=other_coalition,
        focus_areas=[transport],
        government_level="state",
        visibility=public,
        published_at=at(2026, 3, 5),
    )
    old = PracticeFactory(
        title="Old practice",
        coalition=other_coalition,
        focus_areas=[cyber],
        government_level="city",
        visibility=members,
        published_at=at(2023, 1, 1),
    )
    PracticeFactory(
        title="Member's draft",
        coalition=coalition,
        author=member,
        focus_areas=[cyber],
        status=Practice.Status.DRAFT,
        published_at=None,
        funding_programs=[arpa],
    )
    hidden = PracticeFactory(
        title="Hidden one",
        coalition=other_coalition,
        focus_areas=[cyber],
        is_hidden=True,
        published_at=at(2026, 3, 1),
        funding_programs=[arpa],
    )
    confirmed, claimed, lapsed = "confirmed", "claimed", "lapsed"
    for practice, adopter, created, confirmation, stage in (
        (p1, other_coalition, at(2026, 2, 1), confirmed, "adopted"),
        (p1, third_coalition, at(2026, 2, 15), claimed, "piloting"),
        (p2, other_coalition, at(2026, 3, 10), lapsed, "adopted"),
        (p3, coalition, at(2026, 4, 1), confirmed, "adopted"),
        (p3, third_coalition, at(2026, 4, 2), claimed, "stopped"),
        (hidden, coalition, at(2026, 4, 3), claimed, "adopted"),
        (old, third_coalition, at(2026, 5, 1), claimed, "exploring"),
    ):  # fmt: skip
        AdoptionFactory(practice=practice, coalition=adopter, created=created, confirmation=confirmation, stage=stage)
    return {"p1": p1, "p2": p2, "p3": p3, "old": old}


def compute(user, **filters):
    scope = figures.Scope(**{**vars(figures.Scope.default(NOW.date())), **filters})
    return figures.compute(user, scope, filter_options())


def by_month(figure, slug_or_total="total"):
    """{"2026-01": n, …} of one series (or the totals), months with nothing left out."""
    if slug_or_total == "total":
        values = figure["totals"]
    else:
        values = next(s["data"] for s in figure["series"] if s["slug"] == slug_or_total)
    return {m.strftime("%Y-%m"): n for m, n in zip(figure["months"], values, strict=True) if n}


def test_an_adoption_counts_in_the_month_it_started_when_its_story_says(world, member, third_coalition):
    AdoptionFactory(practice=world["p2"], coalition=third_coalition, created=at(2026, 6, 1),
                    started_on=dt.date(2025, 11, 20))  # fmt: skip
    assert by_month(compute(member)["adoptions_by_month"], "claimed") == {"2025-11": 1, "2026-02": 1, "2026-05": 1}


# Every figure, for a member (who sees members-only practices, never drafts or hidden ones)


def test_default_range_is_the_last_24_months(world, member):
    months = compute(member)["practices_by_month"]["months"]
    assert (months[0], months[-1], len(months)) == (dt.date(2024, 7, 1), dt.date(2026, 6, 1), 24)


def test_practices_shared_per_month_stacked_by_focus_area(world, member):
    figure = compute(member)["practices_by_month"]
    assert by_month(figure, "cybersecurity") == {"2026-01": 2}
    assert by_month(figure, "transportation") == {"2026-01": 1, "2026-03": 1}
    assert by_month(figure) == {"2026-01": 2, "2026-03": 1}
    assert figure["total"] == 3


def test_focus_areas_keep_their_colour_by_name_order(world, member):
    series = {s["slug"]: s for s in compute(member)["practices_by_month"]["series"]}
    names = [slug for slug, _ in filter_options()["focus_area"]]
    for slug in ("cybersecurity", "transportation"):
        assert series[slug]["color"] == figures.PALETTE[names.index(slug) % len(figures.PALETTE)]


def test_adoptions_per_month_split_confirmed_claimed_and_lapsed_without_stopped_ones(world, member):
    figure = compute(member)["adoptions_by_month"]
    assert by_month(figure, "confirmed") == {"2026-02": 1, "2026-04": 1}
    assert by_month(figure, "claimed") == {"2026-02": 1, "2026-05": 1}
    assert by_month(figure, "lapsed") == {"2026-03": 1}
    assert figure["total"] == 5


def matrix(figure):
    columns = [c["name"] for c in figure["columns"]]
    return {
        row["name"]: {name: cell["n"] for name, cell in zip(columns, row["cells"], strict=True) if cell["n"]}
        for row in figure["rows"]
    }


def test_reuse_matrix_rows_adopters_columns_sharers_with_totals(world, member):
    figure = compute(member)["reuse"]
    assert [c["name"] for c in figure["columns"]] == ["CSCA", "NTXIA"]
    assert [r["name"] for r in figure["rows"]] == ["CSCA", "KC", "NTXIA"]
    assert matrix(figure) == {"CSCA": {"NTXIA": 1}, "KC": {"CSCA": 1, "NTXIA": 1}, "NTXIA": {"CSCA": 2}}
    assert [r["total"] for r in figure["rows"]] == [1, 2, 2]
    assert figure["column_totals"] == [3, 2]
    assert figure["total"] == 5
    assert figure["rows"][2]["cells"][0]["level"] == 5  # the largest cell is the darkest


def test_reuse_matrix_folds_the_quieter_coalitions_into_other_keeping_the_totals(world, member, monkeypatch):
    monkeypatch.setattr(figures, "MATRIX_SIDE", 1)
    figure = compute(member)["reuse"]
    # Rows: KC and NTXIA both adopted twice; KC comes first by name. Columns: CSCA shared the most (3).
    assert matrix(figure) == {
        "KC": {"CSCA": 1, "Other coalitions": 1},
        "Other coalitions": {"CSCA": 2, "Other coalitions": 1},
    }
    assert [r["total"] for r in figure["rows"]] == [2, 3]
    assert figure["column_totals"] == [3, 2] and figure["total"] == 5 and figure["folded"]
    assert len(figure["pairs"]) == 4  # the CSV still has every pair


def test_time_to_first_adoption_median_days_by_focus_area(world, member):
    # p1 Jan 10 → a1 Feb 1: 22 days; p2 Jan 20 → a3 Mar 10: 49; p3 Mar 5 → a4 Apr 1: 27 (a5, stopped, ignored).
    figure = compute(member)["first_adoption"]
    rows = {r["slug"]: (r["shared"], r["adopted"], r["median_days"]) for r in figure["rows"]}
    assert rows == {"cybersecurity": (2, 2, 35.5), "transportation": (2, 2, 38.0)}
    assert (figure["shared"], figure["adopted"], figure["median_days"]) == (3, 3, 27.0)


def test_first_adoption_is_kept_on_write_from_the_earliest_adoption_not_stopped(world, third_coalition):
    p3 = world["p3"]
    p3.refresh_from_db()
    assert p3.first_adopted_on == dt.date(2026, 4, 1)
    # A story told after the fact counts from the day it started; stopping it brings back the next one.
    late = AdoptionFactory(
        practice=p3, coalition=CoalitionFactory(), created=at(2026, 6, 1), started_on=dt.date(2026, 3, 20)
    )
    p3.refresh_from_db()
    assert p3.first_adopted_on == dt.date(2026, 3, 20)
    late.stage = "stopped"
    late.save()
    p3.refresh_from_db()
    assert p3.first_adopted_on == dt.date(2026, 4, 1)
    Adoption.objects.filter(practice=p3).delete()
    p3.refresh_from_db()
    assert p3.first_adopted_on is None


def test_editing_a_practice_from_an_older_copy_keeps_its_adoption_counts(world, partnership_admin):
    from practices.services import update_practice

    stale = Practice.objects.get(pk=world["p3"].pk)
    AdoptionFactory(practice=world["p3"], coalition=CoalitionFactory(), created=at(2026, 3, 20))
    update_practice(practice=stale, by=partnership_admin, data={"summary": "Edited from an older copy."})
    stale.refresh_from_db()
    assert (stale.adoption_count, stale.first_adopted_on) == (2, dt.date(2026, 3, 20))


def test_a_practice_not_adopted_counts_as_shared_only(world, member, coalition):
    PracticeFactory(coalition=coalition, published_at=at(2026, 5, 1))
    figure = compute(member)["first_adoption"]
    assert (figure["shared"], figure["adopted"], figure["median_days"]) == (4, 3, 27.0)


def test_median_of_counted_values():
    assert figures._median({}) is None
    assert figures._median({5: 1}) == 5
    assert figures._median({1: 1, 2: 1, 3: 1, 4: 1}) == 2.5
    assert figures._median({0: 3, 10: 1}) == 0
    assert figures._median({0: 2, 10: 2}) == 5


def set_adopting_levels(world):
    for practice, adopter, level in (("p1", "NTXIA", "state"), ("p1", "KC", "city"), ("p2", "NTXIA", "city"),
                                     ("p3", "CSCA", "county")):  # fmt: skip
        Adoption.objects.filter(practice=world[practice], coalition__short_name=adopter).update(government_level=level)


def test_reuse_matrix_by_government_level(world, member):
    set_adopting_levels(world)
    figure = compute(member)["reuse_by_level"]
    assert [c["slug"] for c in figure["columns"]] == ["city", "county", "state"]
    assert [r["slug"] for r in figure["rows"]] == ["city", "county", "state", ""]
    assert matrix(figure) == {
        "City, town or village": {"City, town or village": 1, "County": 1},
        "County": {"State": 1},
        "State": {"City, town or village": 1},
        "Not given": {"City, town or village": 1},  # a7: KC adopted the old city practice without a level
    }
    assert figure["column_totals"] == [3, 1, 1] and figure["total"] == 5


@pytest.fixture
def meetings(world, member, partnership_admin, coalition, other_coalition, third_coalition):
    """March 10 (Denver evening: 11 March 02:00 UTC): Alice (CSCA) and Bob (CSCA and NTXIA) yes, Carol (NTXIA)
    maybe, the partnership admin yes. April 14: Carol yes. A cancelled one, and one next week: not counted."""
    bob, carol = UserFactory(), UserFactory()
    MembershipFactory(user=bob, coalition=coalition)
    MembershipFactory(user=bob, coalition=other_coalition)
    MembershipFactory(user=carol, coalition=other_coalition)
    march = MeetingFactory(title="March call", start=at(2026, 3, 11) - dt.timedelta(hours=10))
    april = MeetingFactory(title="April call", start=at(2026, 4, 14))
    cancelled = MeetingFactory(title="Cancelled", start=at(2026, 5, 12), status=Meeting.Status.CANCELLED)
    upcoming = MeetingFactory(title="Next", start=at(2026, 6, 20))
    for meeting, user, answer in ((march, member, "yes"), (march, bob, "yes"), (march, carol, "maybe"),
                                  (march, partnership_admin, "yes"), (april, carol, "yes"), (cancelled, member, "yes"),
                                  (upcoming, member, "yes")):  # fmt: skip
        RSVPFactory(meeting=meeting, user=user, answer=answer)


def test_meeting_attendance_per_meeting_by_coalition(meetings, member):
    figure = compute(member)["attendance"]
    assert [(m["day"], m["title"]) for m in figure["meetings"]] == [
        (dt.date(2026, 3, 10), "March call"),  # the meeting's own date, in Denver
        (dt.date(2026, 4, 14), "April call"),
    ]
    assert {s["label"]: s["data"] for s in figure["series"]} == {
        "CSCA": [2, 0],
        "NTXIA": [1, 1],
        "No coalition": [1, 0],
    }
    assert figure["totals"] == [4, 1] and figure["total"] == 5


def test_meeting_attendance_keeps_the_chosen_coalitions_members(meetings, member):
    figure = compute(member, coalition="north-texas")["attendance"]
    assert {s["label"]: s["data"] for s in figure["series"]} == {"NTXIA": [1, 1]}


def test_meeting_attendance_folds_the_quieter_coalitions(meetings, member, monkeypatch):
    monkeypatch.setattr(figures, "ATTENDANCE_STACKS", 1)
    figure = compute(member)["attendance"]
    assert {s["label"]: s["data"] for s in figure["series"]} == {"CSCA": [2, 0], "Other coalitions": [2, 1]}


@pytest.fixture
def views(world, coalition, other_coalition):
    """Monthly page views: of the adopted p2 (50), of a hidden practice (40), of "Unadopted" (public: 30 in
    May, and 5 in 2023, before the range) and of "Quiet" (members-only: 10)."""
    unadopted = PracticeFactory(
        title="Unadopted", coalition=coalition, visibility="public", published_at=at(2026, 2, 1)
    )
    quiet = PracticeFactory(title="Quiet", coalition=other_coalition, visibility="members", published_at=at(2026, 2, 1))
    hidden = Practice.objects.get(title="Hidden one")
    for practice, month, n in ((world["p2"], dt.date(2026, 5, 1), 50), (hidden, dt.date(2026, 5, 1), 40),
                               (unadopted, dt.date(2026, 5, 1), 30), (unadopted, dt.date(2023, 5, 1), 5),
                               (quiet, dt.date(2026, 4, 1), 10)):  # fmt: skip
        PracticeViewCount.objects.create(practice=practice, month=month, views=n)


def test_viewed_often_but_never_adopted(views, member, outsider):
    def seen(user, **filters):
        return [(r["title"], r["views"]) for r in compute(user, **filters)["viewed_not_adopted"]]

    assert seen(member) == [("Unadopted", 30), ("Quiet", 10)]  # not p2 (adopted), not the hidden one
    assert seen(outsider) == [("Unadopted", 30)]  # members-only "Quiet" left out
    assert seen(member, coalition="north-texas") == [("Quiet", 10)]
    assert seen(member, start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 1)) == [("Unadopted", 5)]


def test_practices_shared_by_place_states_shaded_and_metros_as_points(
    world, member, outsider, coalition, other_coalition, third_coalition
):
    Coalition.objects.filter(pk=coalition.pk).update(state_codes="CO")
    Coalition.objects.filter(pk=other_coalition.pk).update(state_codes="TX,OK")
    Coalition.objects.filter(pk=third_coalition.pk).update(state_codes="MO,KS", latitude=39.0997, longitude=-94.5786)
    PracticeFactory(title="KC kiosk", coalition=third_coalition, published_at=at(2026, 5, 1))
    PracticeFactory(title="Unplaced", coalition=CoalitionFactory(name="Nowhere"), published_at=at(2026, 5, 2))
    places = compute(member)["places"]
    assert [(s["code"], s["n"], s["level"]) for s in places["states"]] == [("CO", 2, 5), ("OK", 1, 2), ("TX", 1, 2)]
    assert places["metros"] == [{"name": "KC", "lat": 39.0997, "lon": -94.5786, "n": 1, "radius": 15.0}]
    assert [(c["name"], c["place"], c["n"]) for c in places["coalitions"]] == [
        ("Colorado Smart Cities Alliance", "Colorado", 2),
        ("Kansas City Smart Region", "Missouri, Kansas (metro point)", 1),
        ("North Texas Innovation Alliance", "Texas, Oklahoma", 1),
        ("Nowhere", "No place given", 1),
    ]
    assert places["bands"] == [{"level": 2, "low": 1, "high": 1}, {"level": 5, "low": 2, "high": 2}]
    # An outsider's map counts public practices only: p1 (CSCA), p3 (NTXIA); the factory's default is members-only.
    assert [(s["code"], s["n"]) for s in compute(outsider_of(world))["places"]["states"]] == [
        ("CO", 1),
        ("OK", 1),
        ("TX", 1),
    ]


def outsider_of(world):
    return UserFactory()


def test_practices_and_adoptions_by_funding_program(world, member):
    rows = {r["slug"]: (r["practices"], r["adoptions"]) for r in compute(member)["funding"]["rows"]}
    assert rows["arpa-slfrf"] == (2, 3)
    assert rows["iija-smart"] == (1, 1)
    assert rows["bead"] == (0, 0)


def test_most_adopted_practices(world, member):
    rows = [(r["title"], r["adoptions"], r["confirmed"]) for r in compute(member)["most_adopted"]]
    assert rows == [("Cyber retainer", 2, 1), ("Transit fares", 1, 1), ("Old practice", 1, 0), ("Signal timing", 1, 0)]


def test_partnership_admin_sees_the_same_published_figures(world, member, partnership_admin):
    assert compute(partnership_admin) == compute(member)


def test_a_signed_in_non_member_would_count_public_practices_only(world, outsider):
    data = compute(outsider)
    assert by_month(data["practices_by_month"]) == {"2026-01": 1, "2026-03": 1}
    assert data["adoptions_by_month"]["total"] == 3  # a1, a2 of p1 and a4 of p3
    assert [r["title"] for r in data["most_adopted"]] == ["Cyber retainer", "Transit fares"]
    assert {r["slug"]: r["practices"] for r in data["funding"]["rows"]}["iija-smart"] == 0
    assert (data["first_adoption"]["shared"], data["first_adoption"]["median_days"]) == (2, 24.5)  # p1 and p3
    assert data["reuse_by_level"]["total"] == 3


# Filters apply to every figure


def test_coalition_filter_keeps_what_it_shared_and_the_adoptions_it_took_part_in(world, member):
    data = compute(member, coalition="colorado")
    assert data["practices_by_month"]["total"] == 2
    assert data["adoptions_by_month"]["total"] == 4  # a1, a2, a3 of its practices; a4 by it
    assert matrix(data["reuse"]) == {"CSCA": {"NTXIA": 1}, "KC": {"CSCA": 1}, "NTXIA": {"CSCA": 2}}
    assert [r["title"] for r in data["most_adopted"]] == ["Cyber retainer", "Transit fares", "Signal timing"]


def test_focus_area_filter(world, member):
    data = compute(member, focus_area="transportation")
    assert data["practices_by_month"]["total"] == 2
    assert data["adoptions_by_month"]["total"] == 2  # a3 of p2, a4 of p3
    assert {r["slug"]: r["practices"] for r in data["funding"]["rows"]}["arpa-slfrf"] == 1


def test_government_level_filter(world, member):
    data = compute(member, government_level="state")
    assert data["practices_by_month"]["total"] == 1
    assert [r["title"] for r in data["most_adopted"]] == ["Transit fares"]


def test_date_range_filter(world, member):
    data = compute(member, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1))
    assert len(data["practices_by_month"]["months"]) == 2
    assert data["practices_by_month"]["total"] == 1
    assert by_month(data["adoptions_by_month"]) == {"2026-03": 1, "2026-04": 1}


# The page


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for url in (URL, reverse("insights:csv", args=["reuse"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_signed_in_non_members_are_told_the_page_is_for_members(outsider_client, world):
    response = outsider_client.get(URL)
    assert response.status_code == 403
    assert "for members of its coalitions" in response.content.decode()
    assert outsider_client.get(reverse("insights:csv", args=["reuse"])).status_code == 403


def test_members_see_the_figures_and_the_data_tables(member_client, world):
    page = member_client.get(URL).content.decode()
    assert "Practices shared per month" in page
    assert 'id="chart-practices-by-month" type="application/json"' in page
    assert "<summary>Show data</summary>" in page
    assert ">Signal timing</a>" in page  # members-only, counted for a member
    assert "Member&#x27;s draft" not in page and "Hidden one" not in page


def test_the_filter_form_applies_and_bad_values_are_explained(member_client, world):
    page = member_client.get(URL, {"coalition": "atlantis", "start": "2026-13", "focus_area": "transportation"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "“atlantis” is not one of the coalitions." in text
    assert "Give a month as year and month, e.g. 2026-03." in text
    assert ">Transit fares</a>" in text and ">Cyber retainer</a>" not in text  # the valid filter applied


def test_a_range_that_ends_before_it_starts_is_explained(member_client, world):
    text = member_client.get(URL, {"start": "2026-05", "end": "2026-01"}).content.decode()
    assert "The last month comes before the first; swap them." in text


def test_header_links_to_insights_for_members_only(member_client, outsider_client, client, world):
    assert f'href="{URL}"' in member_client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in outsider_client.get(reverse("home")).content.decode()
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()


# CSV


def download(client, chart, **params):
    response = client.get(reverse("insights:csv", args=[chart]), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_practices_per_month_has_iso_dates_and_a_column_per_area(member_client, world):
    rows = download(member_client, "practices-by-month")
    assert rows[0] == ["month", "Cybersecurity", "Transportation", "practices"]
    assert len(rows) == 25
    assert ["2026-01-01", "2", "1", "2"] in rows
    assert rows[1][0] == "2024-07-01"


def test_csv_adoptions_per_month(member_client, world):
    rows = download(member_client, "adoptions-by-month")
    assert rows[0] == ["month", "claimed", "confirmed", "not confirmed recently", "adoptions"]
    assert ["2026-02-01", "1", "1", "0", "2"] in rows


def test_csv_reuse_pairs_funding_and_most_adopted(member_client, world):
    assert download(member_client, "reuse") == [
        ["adopting coalition", "sharing coalition", "adoptions"],
        ["NTXIA", "CSCA", "2"],
        ["CSCA", "NTXIA", "1"],
        ["KC", "CSCA", "1"],
        ["KC", "NTXIA", "1"],
    ]
    funding = download(member_client, "funding")
    assert funding[0] == ["funding program", "practices shared", "adoptions"]
    assert ["ARPA State and Local Fiscal Recovery Funds", "2", "3"] in funding
    most = download(member_client, "most-adopted")
    assert most[1] == ["Cyber retainer", "CSCA", "2", "1", f"http://testserver{world['p1'].get_absolute_url()}"]


def test_csv_follows_the_filters(member_client, world):
    rows = download(member_client, "practices-by-month", start="2026-01", end="2026-03", focus_area="transportation")
    assert [r[0] for r in rows[1:]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert rows[0] == ["month", "Transportation", "practices"]


def test_csv_reuse_by_level_and_first_adoption(member_client, world):
    set_adopting_levels(world)
    rows = download(member_client, "reuse-by-level")
    assert rows[0] == ["adopting level", "sharing level", "adoptions"]
    assert ["County", "State", "1"] in rows and len(rows) == 6
    assert download(member_client, "first-adoption") == [
        ["focus area", "practices shared", "adopted", "median days to first adoption"],
        ["Cybersecurity", "2", "2", "35.5"],
        ["Transportation", "2", "2", "38"],
        ["All practices", "3", "3", "27"],
    ]


def test_csv_attendance(member_client, meetings):
    assert download(member_client, "attendance") == [
        ["meeting date", "meeting", "coalition", "members attending"],
        ["2026-03-10", "March call", "CSCA", "2"],
        ["2026-03-10", "March call", "No coalition", "1"],
        ["2026-03-10", "March call", "NTXIA", "1"],
        ["2026-04-14", "April call", "NTXIA", "1"],
    ]


def test_csv_viewed_not_adopted(member_client, views):
    rows = download(member_client, "viewed-not-adopted")
    assert rows[0] == ["practice", "coalition", "page views", "address"]
    assert [r[:3] for r in rows[1:]] == [["Unadopted", "CSCA", "30"], ["Quiet", "NTXIA", "10"]]


def test_csv_neutralises_formulas_but_keeps_numbers(member_client, world, coalition):
    evil = CoalitionFactory(name="Evil", slug="evil", short_name='=HYPERLINK("http://x")')
    PracticeFactory(title="-35", coalition=coalition, published_at=at(2026, 5, 1))
    AdoptionFactory(practice=PracticeFactory(title="@SUM(A1)", coalition=coalition, published_at=at(2026, 5, 2)),
                    coalition=evil, created=at(2026, 5, 3))  # fmt: skip
    assert ['\'=HYPERLINK("http://x")', "CSCA", "1"] in download(member_client, "reuse")
    assert "'@SUM(A1)" in [row[0] for row in download(member_client, "most-adopted")]
    assert [neutralise(v) for v in (-35, "-35", "+1", "-3.5", "=1+1", "+x", "-x", "@x", "plain", 0)] == [
        "-35", "-35", "+1", "-3.5", "'=1+1", "'+x", "'-x", "'@x", "plain", "0",
    ]  # fmt: skip


def test_csv_of_an_unknown_chart_is_a_404(member_client, world):
    assert member_client.get(reverse("insights:csv", args=["nothing"])).status_code == 404


# Cache and budget


def test_a_new_adoption_shows_at_once_despite_the_cache(member_client, world, third_coalition):
    member_client.get(URL)
    AdoptionFactory(practice=world["p2"], coalition=third_coalition, created=at(2026, 6, 1))
    rows = download(member_client, "adoptions-by-month")
    assert rows[-1] == ["2026-06-01", "1", "0", "0", "1"]


def test_a_second_view_reads_the_figures_from_the_cache(member_client, world, django_assert_max_num_queries):
    member_client.get(URL)
    with django_assert_max_num_queries(6):  # session, user, memberships, filter options… no figure
        member_client.get(URL)


@pytest.mark.parametrize("extra", [0, 30])
def test_the_page_costs_a_fixed_number_of_queries_whatever_the_data_size(
    member_client, member, world, extra, coalition, other_coalition, django_assert_max_num_queries
):
    area = FocusAreaFactory(name="Sustainability", slug="sustainability")
    arpa = FundingProgram.objects.get(slug="arpa-slfrf")
    for n in range(extra):
        practice = PracticeFactory(coalition=other_coalition, focus_areas=[area], funding_programs=[arpa],
                                   published_at=at(2025, 1 + n % 12, 1))  # fmt: skip
        AdoptionFactory(practice=practice, coalition=coalition, created=at(2025, 6, 1))
        RSVPFactory(meeting=MeetingFactory(start=at(2025, 1 + n % 12, 3)), user=member)
        PracticeViewCount.objects.create(practice=PracticeFactory(coalition=other_coalition, focus_areas=[area]),
                                         month=dt.date(2025, 1 + n % 12, 1), views=n + 1)  # fmt: skip
    # Session, user, memberships, header counts, filter options, then the fifteen figure queries.
    with django_assert_max_num_queries(20):
        assert member_client.get(URL, {"focus_area": "sustainability"}).status_code == 200


# The funders' summary

SUMMARY = reverse("insights:summary")


def test_partnership_admins_print_a_summary_with_the_key_figures(partnership_admin_client, world):
    page = partnership_admin_client.get(SUMMARY).content.decode()
    assert "<h1>" in page and "Key figures" in page
    # 3 practices shared; adoptions a1–a4 and a7, each by another coalition than the sharer; adopters NTXIA, KC, CSCA.
    figures_shown = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert figures_shown == {
        "Practices shared": "3",
        "Adoptions started": "5",
        "Adopted across coalitions": "5",
        "Coalitions adopting": "3",
        "Median days to first adoption": "27",
        "Meeting attendances": "0",
    }
    assert "css/print.css" in page
    assert 'id="chart-practices-by-month" type="application/json"' in page


def test_the_summary_follows_the_filters(partnership_admin_client, world):
    page = partnership_admin_client.get(SUMMARY, {"coalition": "north-texas"}).content.decode()
    assert "North Texas Innovation Alliance" in page
    assert "<dt>Practices shared</dt><dd>1</dd>" in page


def test_only_partnership_admins_see_the_summary_and_its_link(member_client, partnership_admin_client, client, world):
    assert member_client.get(SUMMARY).status_code == 403
    assert client.get(SUMMARY).status_code == 302
    assert SUMMARY not in member_client.get(URL).content.decode()
    assert SUMMARY in partnership_admin_client.get(URL).content.decode()
