"""Funding programs: a curated list (seeded by the migration, extended in the Django admin) of what paid
for a practice; several per practice on the form, shown on the practice page with a link to the others
the same program funded, and a filter of the lists and the API."""

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from practices.models import FundingProgram, Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("practices:list")
API = reverse("practices:api_list")
CREATE = reverse("practices:create")


@pytest.fixture
def arpa(db):
    return FundingProgram.objects.get(slug="arpa-slfrf")


@pytest.fixture
def smart(db):
    return FundingProgram.objects.get(slug="iija-smart")


@pytest.fixture
def funded(coalition, other_coalition, cybersecurity, arpa, smart):
    return {
        "both": PracticeFactory(title="Sensor network", coalition=coalition, focus_areas=[cybersecurity],
                                funding_programs=[arpa, smart], visibility=Practice.Visibility.PUBLIC),
        "arpa": PracticeFactory(title="Broadband map", coalition=other_coalition, focus_areas=[cybersecurity],
                                funding_programs=[arpa], visibility=Practice.Visibility.PUBLIC),
        "none": PracticeFactory(title="Budget dashboard", coalition=coalition, focus_areas=[cybersecurity],
                                visibility=Practice.Visibility.PUBLIC),
    }  # fmt: skip


def test_the_migration_seeds_the_programs_the_partnership_named(db):
    names = set(FundingProgram.objects.values_list("name", flat=True))
    assert {
        "ARPA State and Local Fiscal Recovery Funds",
        "IIJA SMART grants",
        "BEAD broadband program",
        "Digital Equity Act programs",
        "FTA grants",
        "FHWA grants",
        "State grants",
        "Philanthropy",
        "Local budget",
        "Public-private partnership",
    } <= names


def test_partnership_admins_extend_the_list_in_the_django_admin(db):
    assert FundingProgram in site._registry


def test_new_practice_records_several_programs(member_client, form_data, arpa, smart):
    response = member_client.post(CREATE, {**form_data, "funding_programs": ["arpa-slfrf", "iija-smart"]})
    assert response.status_code == 302
    assert set(Practice.objects.get().funding_programs.all()) == {arpa, smart}


def test_programs_are_optional(member_client, form_data):
    member_client.post(CREATE, form_data)
    practice = Practice.objects.get()
    assert not practice.funding_programs.exists()
    assert practice.funding_source == "local"  # the single category stays beside the programs


def test_an_unknown_program_is_a_form_error_and_nothing_is_saved(member_client, form_data):
    response = member_client.post(CREATE, {**form_data, "funding_programs": ["moon-shot"]})
    assert response.status_code == 200
    assert "“moon-shot” is not one of the funding programs." in response.content.decode()
    assert not Practice.objects.exists()


def test_an_edit_replaces_the_programs(member_client, form_data, smart):
    member_client.post(CREATE, {**form_data, "funding_programs": ["arpa-slfrf"]})
    practice = Practice.objects.get()
    data = {k: v for k, v in form_data.items() if k != "coalition"}
    member_client.post(reverse("practices:edit", args=[practice.slug]), {**data, "funding_programs": ["iija-smart"]})
    assert list(practice.funding_programs.all()) == [smart]


def test_practice_page_names_its_programs_and_links_to_the_others_they_funded(client, funded):
    page = client.get(funded["both"].get_absolute_url()).content.decode()
    assert "ARPA State and Local Fiscal Recovery Funds" in page
    assert f'href="{LIST}?program=arpa-slfrf"' in page
    assert f'href="{LIST}?program=iija-smart"' in page
    assert "other practices funded by IIJA SMART grants" in page


def test_practice_page_without_programs_shows_none(client, funded):
    assert "Funding programs" not in client.get(funded["none"].get_absolute_url()).content.decode()


def test_list_filters_by_program(client, funded):
    page = client.get(LIST, {"program": "arpa-slfrf"}).content.decode()
    assert "Sensor network" in page and "Broadband map" in page
    assert "Budget dashboard" not in page
    page = client.get(LIST, {"program": "iija-smart"}).content.decode()
    assert "Sensor network" in page and "Broadband map" not in page


def test_list_offers_the_programs_in_its_filter_form(client, funded):
    page = client.get(LIST).content.decode()
    assert 'name="program"' in page
    assert '<option value="bead">BEAD broadband program</option>' in page


def test_api_filters_by_program_and_lists_each_practices_programs(client, funded):
    data = client.get(API, {"program": "iija-smart"}).json()
    assert [r["title"] for r in data["results"]] == ["Sensor network"]
    assert data["results"][0]["funding_programs"] == [
        {"name": "ARPA State and Local Fiscal Recovery Funds", "slug": "arpa-slfrf"},
        {"name": "IIJA SMART grants", "slug": "iija-smart"},
    ]


def test_api_refuses_an_unknown_program_with_a_clear_message(client, funded):
    response = client.get(API, {"program": "moon-shot"})
    assert response.status_code == 400
    assert "“moon-shot” is not one of the funding programs." in str(response.json()["errors"])


def test_api_detail_lists_the_programs(client, funded):
    data = client.get(reverse("practices:api_detail", args=[funded["arpa"].slug])).json()
    assert data["funding_programs"] == [{"name": "ARPA State and Local Fiscal Recovery Funds", "slug": "arpa-slfrf"}]


def test_renaming_a_program_renews_the_cached_anonymous_page(client, funded, arpa, settings):
    url = funded["arpa"].get_absolute_url()
    client.get(url)
    arpa.name = "American Rescue Plan recovery funds"
    arpa.save()
    assert "American Rescue Plan recovery funds" in client.get(url).content.decode()
