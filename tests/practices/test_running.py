"""What it takes to run a practice: maintenance, dependencies, standards, licence, and "based on" links."""

import pytest
from django.urls import reverse

from practices.models import Practice, Standard
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

URL = reverse("practices:create")


@pytest.fixture
def gtfs(db):
    # The migration starts the curated list; a test database flushed by another test may not have it.
    return Standard.objects.get_or_create(slug="gtfs", defaults={"name": "GTFS"})[0]


@pytest.fixture
def original(other_coalition, other_member, cybersecurity):
    return PracticeFactory(
        title="Transit data portal",
        coalition=other_coalition,
        author=other_member,
        focus_areas=[cybersecurity],
        visibility="public",
    )


def test_the_form_asks_what_it_takes_to_run_in_a_section_of_its_own(member_client):
    page = member_client.get(URL).content.decode()
    assert "What it takes to run (optional)" in page
    for name in ("maintained_by", "maintained_until", "dependencies", "standards", "software_license", "based_on"):
        assert f'name="{name}"' in page


def test_a_member_states_what_it_takes_to_run_and_the_page_and_api_show_it(member_client, client, form_data, gtfs):
    form = {
        **form_data,
        "maintained_by": "vendor",
        "maintained_until": "2028-06-30",
        "dependencies": "Roadside units at 14 intersections.",
        "standards": [gtfs.pk],
        "software_license": "Apache-2.0",
    }
    assert member_client.post(URL, form).status_code == 302
    practice = Practice.objects.get()
    assert (practice.maintained_by, practice.software_license) == ("vendor", "Apache-2.0")
    assert list(practice.standards.all()) == [gtfs]
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "What it takes to run" in page and "A vendor, under contract" in page
    assert "Roadside units at 14 intersections." in page and "GTFS" in page and "Apache-2.0" in page
    running = client.get(reverse("practices:api_detail", args=[practice.slug])).json()["running"]
    assert running == {
        "maintained_by": "vendor",
        "maintained_until": "2028-06-30",
        "dependencies": "Roadside units at 14 intersections.",
        "standards": [{"name": "GTFS", "slug": "gtfs"}],
        "software_license": "Apache-2.0",
        "based_on": None,
        "adaptations": [],
    }


def test_nothing_stated_shows_no_section(client, member, coalition, cybersecurity):
    practice = PracticeFactory(coalition=coalition, author=member, focus_areas=[cybersecurity], visibility="public")
    assert 'id="running"' not in client.get(practice.get_absolute_url()).content.decode()


@pytest.mark.parametrize("reference", ["address", "path", "slug"])
def test_based_on_takes_the_originals_address_and_the_original_lists_the_adaptation(
    member_client, client, form_data, original, reference
):
    value = {
        "address": f"https://portal.example.org{original.get_absolute_url()}",
        "path": original.get_absolute_url(),
        "slug": original.slug,
    }[reference]
    assert member_client.post(URL, {**form_data, "based_on": value}).status_code == 302
    adaptation = Practice.objects.exclude(pk=original.pk).get()
    assert adaptation.based_on == original
    assert original.title in client.get(adaptation.get_absolute_url()).content.decode()
    original_page = client.get(original.get_absolute_url()).content.decode()
    assert "Adapted by others" in original_page and adaptation.title in original_page
    api = client.get(reverse("practices:api_detail", args=[original.slug])).json()["running"]
    assert [a["slug"] for a in api["adaptations"]] == [adaptation.slug]


@pytest.mark.parametrize(
    "value, message",
    [
        ("https://portal.example.org/practices/no-such-practice/", "No published practice at that address"),
        ("/meetings/", "No published practice at that address"),
    ],
)
def test_an_unknown_original_gets_a_clear_message_and_nothing_is_saved(member_client, form_data, value, message):
    response = member_client.post(URL, {**form_data, "based_on": value})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Practice.objects.exists()


def test_a_practice_cannot_be_based_on_itself(member_client, member, coalition, cybersecurity, kind):
    practice = PracticeFactory(coalition=coalition, author=member, focus_areas=[cybersecurity], kind=kind)
    edit = reverse("practices:edit", args=[practice.slug])
    form = {
        "title": practice.title,
        "summary": practice.summary,
        "body": "",
        "focus_areas": ["cybersecurity"],
        "kind": kind.pk,
        "maturity": "idea",
        "government_level": "city",
        "visibility": "members",
        "based_on": practice.slug,
        "action": "save",
    }
    response = member_client.post(edit, form)
    assert "A practice cannot be based on itself." in response.content.decode()
    practice.refresh_from_db()
    assert practice.based_on is None


def test_a_members_only_adaptation_is_not_listed_to_visitors(client, member_client, original, member, coalition):
    adaptation = PracticeFactory(
        title="Members-only fork", coalition=coalition, author=member, based_on=original, visibility="members"
    )
    assert adaptation.title not in client.get(original.get_absolute_url()).content.decode()
    assert adaptation.title in member_client.get(original.get_absolute_url()).content.decode()


def test_a_preview_keeps_every_ticked_standard(member_client, form_data, gtfs):
    mds = Standard.objects.get_or_create(slug="mds", defaults={"name": "MDS"})[0]
    response = member_client.post(URL, {**form_data, "standards": [gtfs.pk, mds.pk], "action": "preview"})
    assert response.status_code == 200
    checked = response.context["form"]["standards"].value()
    assert sorted(map(str, checked)) == sorted([str(gtfs.pk), str(mds.pk)])
    assert not Practice.objects.exists()
