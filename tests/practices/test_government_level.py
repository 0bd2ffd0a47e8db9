"""Government level: every practice and adoption says which level of government it comes from; the
forms ask for it, the practice page shows it, and lists, search, the API and the feeds filter by it."""

import importlib
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from practices import services
from practices.government_levels import GovernmentLevel, guess_government_level
from practices.models import Adoption, Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("practices:list")
API = reverse("practices:api_list")
FEED = reverse("practices:feed")
PUBLIC = Practice.Visibility.PUBLIC
CREATE = reverse("practices:create")


@pytest.mark.parametrize(
    ("jurisdiction", "level"),
    [
        ("City of Dallas", "city"),
        ("Village of Schaumburg", "city"),
        ("Kansas City, Missouri", "city"),  # a state after a comma qualifies the city
        ("Portland, OR", "city"),
        ("City of Dallas, Office of Innovation", "city"),  # so does a department
        ("Oklahoma City", "city"),  # a state's name inside a city's is not a state
        ("", "city"),
        ("Miami-Dade County", "county"),
        ("Unified Government of Wyandotte County", "county"),
        ("City and County of Denver", "county"),  # a consolidated city-county is one government
        ("Boulder County, Colorado", "county"),
        ("Orleans Parish", "county"),
        ("State of Colorado", "state"),
        ("Commonwealth of Virginia", "state"),
        ("Texas", "state"),
        ("Colorado Department of Transportation", "state"),
        ("Navajo Nation", "tribal"),
        ("Confederated Tribes of the Umatilla Indian Reservation", "tribal"),
        ("Pueblo of Zuni", "tribal"),
        ("Denver Regional Council of Governments", "regional"),
        ("Maricopa Association of Governments", "regional"),
        ("Kansas City metro", "regional"),
        ("Chandler, Gilbert, Mesa, Tempe and Scottsdale", "multi"),
        ("Cities of Dallas and Fort Worth", "multi"),
        ("Adams County and Arapahoe County", "multi"),
        ("Boulder; Longmont", "multi"),
        ("Dallas, TX and Fort Worth, TX", "multi"),
    ],
)
def test_free_text_jurisdiction_maps_to_a_level(jurisdiction, level):
    assert guess_government_level(jurisdiction) == level


def test_migration_fills_existing_practices_from_their_jurisdiction():
    county = PracticeFactory(jurisdiction="Adams County", government_level="")
    nameless = PracticeFactory(jurisdiction="", government_level="")
    stated = PracticeFactory(jurisdiction="Adams County", government_level="state")  # left as it is
    migration = importlib.import_module("practices.migrations.0010_government_level")
    migration.fill_practice_levels(apps, None)
    levels = dict(Practice.objects.values_list("pk", "government_level"))
    assert (levels[county.pk], levels[nameless.pk], levels[stated.pk]) == ("county", "city", "state")


@pytest.fixture
def levels(coalition, other_coalition, cybersecurity, transportation):
    return {
        "city": PracticeFactory(
            title="City cyber", coalition=coalition, focus_areas=[cybersecurity], government_level="city",
            visibility=PUBLIC, jurisdiction="City of Boulder",
        ),
        "county": PracticeFactory(
            title="County cyber", coalition=other_coalition, focus_areas=[cybersecurity], government_level="county",
            visibility=PUBLIC, jurisdiction="Adams County",
        ),
        "county_transit": PracticeFactory(
            title="County transit", coalition=coalition, focus_areas=[transportation], government_level="county",
            visibility=PUBLIC, jurisdiction="Adams County",
        ),
        "tribal": PracticeFactory(
            title="Tribal transit", coalition=coalition, focus_areas=[transportation], government_level="tribal",
            jurisdiction="Navajo Nation",
        ),
    }  # fmt: skip


def titles(response):
    return {p.title for p in response.context["page_obj"].object_list}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"government_level": "county"}, {"County cyber", "County transit"}),
        ({"government_level": "county", "focus_area": "cybersecurity"}, {"County cyber"}),
        ({"government_level": "county", "coalition": "colorado"}, {"County transit"}),
        ({"government_level": "tribal"}, {"Tribal transit"}),
        ({"government_level": "state"}, set()),
    ],
)
def test_list_filters_by_level_combined_with_other_filters(member_client, levels, params, expected):
    assert titles(member_client.get(LIST, params)) == expected


def test_search_filters_by_level(member_client, levels):
    assert titles(member_client.get(LIST, {"q": "transit", "government_level": "tribal"})) == {"Tribal transit"}


def test_focus_area_page_filters_by_level(member_client, levels):
    url = reverse("practices:focus_area", args=["transportation"])
    assert titles(member_client.get(url, {"government_level": "county"})) == {"County transit"}


def test_list_filter_panel_offers_every_level(client, levels):
    html = client.get(LIST, {"government_level": "county"}).content.decode()
    assert 'name="government_level"' in html
    for value, label in GovernmentLevel.choices:
        assert f'<option value="{value}"' in html and label in html
    assert '<option value="county" selected>' in html
    assert f"{FEED}?government_level=county" in html  # the Atom link keeps the level


def test_unknown_level_in_the_list_is_explained_and_ignored(client, levels):
    response = client.get(LIST, {"government_level": "galactic"})
    assert response.status_code == 200
    assert "“galactic” is not a level of government" in response.content.decode()
    assert titles(response) == {"City cyber", "County cyber", "County transit"}


def test_api_returns_and_filters_by_level(member_client, levels):
    data = member_client.get(API, {"government_level": "county"}).json()
    assert {r["title"]: r["government_level"] for r in data["results"]} == {
        "County cyber": "county",
        "County transit": "county",
    }
    detail = member_client.get(reverse("practices:api_detail", args=[levels["tribal"].slug])).json()
    assert detail["government_level"] == "tribal"


def test_api_refuses_an_unknown_level_with_a_clear_message(client, levels):
    response = client.get(API, {"government_level": "galactic"})
    assert response.status_code == 400
    assert "“galactic” is not a level of government" in response.json()["errors"]["government_level"][0]


def test_api_lists_an_adopters_level(client, levels, coalition, member):
    practice = levels["county"]  # shared by other_coalition; ``member`` adopts it for ``coalition``
    services.record_adoption(
        practice=practice, coalition=coalition, by=member, stage="piloting", government_level="state"
    )
    detail = client.get(reverse("practices:api_detail", args=[practice.slug])).json()
    assert [(a["coalition"], a["government_level"]) for a in detail["adoptions"]] == [(coalition.name, "state")]


def test_feed_filters_by_level(client, levels):
    response = client.get(FEED, {"government_level": "county"})
    xml = response.content.decode()
    assert response.status_code == 200
    assert "County cyber" in xml and "County transit" in xml and "City cyber" not in xml
    assert "New county practices" in xml
    assert "http://testserver/practices/feed/?government_level=county" in xml


def test_focus_area_feed_filters_by_level(client, levels):
    url = reverse("practices:focus_area_feed", args=["cybersecurity"])
    xml = client.get(url, {"government_level": "city"}).content.decode()
    assert "City cyber" in xml and "County cyber" not in xml
    assert "New city cybersecurity practices" in xml


def test_feed_refuses_an_unknown_level_with_a_clear_message(client, levels):
    response = client.get(FEED, {"government_level": "galactic"})
    assert response.status_code == 400
    assert "“galactic” is not a level of government" in response.content.decode()


def test_practice_page_shows_its_level(client, levels):
    html = client.get(levels["county"].get_absolute_url()).content.decode()
    assert "<dt>Level</dt>" in html and f'{LIST}?government_level=county">County</a>' in html


def test_new_practice_must_state_its_level(member_client, form_data):
    response = member_client.post(CREATE, {**form_data, "government_level": ""})
    assert response.status_code == 200
    assert "Choose the level of government it comes from." in response.content.decode()
    assert not Practice.objects.exists()


def test_new_practice_refuses_an_unknown_level(member_client, form_data):
    response = member_client.post(CREATE, {**form_data, "government_level": "galactic"})
    assert response.status_code == 200
    assert "“galactic” is not a level of government" in response.content.decode()
    assert not Practice.objects.exists()


def test_new_practice_records_its_level(member_client, form_data):
    member_client.post(CREATE, {**form_data, "government_level": "regional"})
    assert Practice.objects.get().government_level == "regional"


def test_a_stated_level_cannot_be_emptied_by_an_edit(member_client, form_data):
    member_client.post(CREATE, form_data)
    practice = Practice.objects.get()
    data = {k: v for k, v in form_data.items() if k != "coalition"}
    response = member_client.post(reverse("practices:edit", args=[practice.slug]), {**data, "government_level": ""})
    assert "Choose the level of government it comes from." in response.content.decode()
    practice.refresh_from_db()
    assert practice.government_level == "city"


def test_adoption_form_records_the_adopters_level(member_client, coalition, levels):
    practice = levels["county"]
    url = reverse("practices:adopt", args=[practice.slug])
    assert 'name="government_level"' in member_client.get(url).content.decode()
    member_client.post(url, {"coalition": coalition.pk, "stage": "piloting", "government_level": "county"})
    assert Adoption.objects.get().government_level == "county"


def test_adoption_form_refuses_an_unknown_level(member_client, coalition, levels):
    url = reverse("practices:adopt", args=[levels["county"].slug])
    response = member_client.post(url, {"coalition": coalition.pk, "stage": "piloting", "government_level": "moon"})
    assert response.status_code == 200
    assert "“moon” is not a level of government" in response.content.decode()
    assert not Adoption.objects.exists()


def test_adoption_service_refuses_an_unknown_level(member, coalition, levels):
    with pytest.raises(ValidationError) as refused:
        services.record_adoption(
            practice=levels["county"], coalition=coalition, by=member, stage="adopted", government_level="moon"
        )
    assert "government_level" in refused.value.message_dict
    assert not Adoption.objects.exists()


def test_every_demo_practice_states_a_level():
    data = tomllib.loads(Path(apps.get_app_config("practices").path, "demo.toml").read_text(encoding="utf-8"))
    assert {row["government_level"] for row in data["practice"]} <= set(GovernmentLevel.values)
    assert len({row["government_level"] for row in data["practice"]}) >= 3
