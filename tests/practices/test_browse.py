"""Browsing: filters that combine, sorting, pagination and the focus-area and tag pages."""

import pytest
from django.urls import reverse

from practices.models import Practice
from tests.factories import AdoptionFactory, CoalitionFactory, PracticeFactory, PracticeKindFactory

pytestmark = pytest.mark.django_db

LIST = reverse("practices:list")
PUBLIC = Practice.Visibility.PUBLIC


def titles(response):
    return [p.title for p in response.context["page_obj"].object_list]


@pytest.fixture
def catalogue(coalition, other_coalition, cybersecurity, transportation, kind):
    rfp_kind = PracticeKindFactory(slug="rfp-template", name="RFP or procurement template")
    return {
        "cyber_rfp": PracticeFactory(
            title="Cyber RFP", coalition=coalition, kind=rfp_kind, focus_areas=[cybersecurity], maturity="pilot",
            funding_source="federal", tags=["ransomware"], visibility=PUBLIC,
        ),
        "cyber_case": PracticeFactory(
            title="Cyber case", coalition=other_coalition, kind=kind, focus_areas=[cybersecurity],
            maturity="scaled", funding_source="local", visibility=PUBLIC,
        ),
        "transit": PracticeFactory(
            title="Transit case", coalition=coalition, kind=kind, focus_areas=[transportation], maturity="pilot",
            funding_source="federal", tags=["ransomware"], visibility=PUBLIC,
        ),
    }  # fmt: skip


def test_list_shows_published_practices(client, catalogue):
    assert set(titles(client.get(LIST))) == {"Cyber RFP", "Cyber case", "Transit case"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"focus_area": "cybersecurity"}, {"Cyber RFP", "Cyber case"}),
        ({"focus_area": "cybersecurity", "maturity": "pilot"}, {"Cyber RFP"}),
        ({"kind": "case-study", "coalition": "colorado"}, {"Transit case"}),
        ({"tag": "ransomware", "funding": "federal"}, {"Cyber RFP", "Transit case"}),
        ({"tag": "ransomware", "focus_area": "transportation"}, {"Transit case"}),
        ({"funding": "local"}, {"Cyber case"}),
    ],
)
def test_filters_combine(client, catalogue, params, expected):
    assert set(titles(client.get(LIST, params))) == expected


def test_unknown_filter_values_are_explained_and_ignored(client, catalogue):
    response = client.get(LIST, {"focus_area": "astrology", "maturity": "ancient", "sort": "random"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert len(titles(response)) == 3


def test_sorting_by_most_adopted(client, catalogue, other_coalition):
    AdoptionFactory(practice=catalogue["transit"], coalition=other_coalition)
    AdoptionFactory(practice=catalogue["transit"], coalition=CoalitionFactory())
    AdoptionFactory(practice=catalogue["cyber_rfp"], coalition=other_coalition)
    assert titles(client.get(LIST, {"sort": "adopted"})) == ["Transit case", "Cyber RFP", "Cyber case"]


def test_sorting_by_recently_updated(client, catalogue):
    catalogue["cyber_case"].save()  # bumps `updated`
    assert titles(client.get(LIST, {"sort": "updated"}))[0] == "Cyber case"


def test_newest_first_by_default(client, catalogue):
    from datetime import timedelta

    from django.utils import timezone

    Practice.objects.filter(pk=catalogue["cyber_case"].pk).update(published_at=timezone.now() + timedelta(days=1))
    assert titles(client.get(LIST))[0] == "Cyber case"


def test_list_shows_who_adopted_as_chips_and_nothing_when_none(client, catalogue, other_coalition):
    AdoptionFactory(practice=catalogue["cyber_rfp"], coalition=other_coalition, stage="piloting")
    page = client.get(LIST).content.decode()
    assert page.count('class="adopter-chips"') == 1
    assert '<span class="chip-name">NTXIA</span> <span class="chip-stage">Piloting</span>' in page
    assert "0 adoptions" not in page and "0 comments" not in page


@pytest.fixture
def many(coalition, kind):
    return PracticeFactory.create_batch(55, coalition=coalition, kind=kind, visibility=PUBLIC)


def test_page_that_is_not_a_number_shows_the_first_page(client, many):
    response = client.get(LIST, {"page": "abc"})
    assert response.status_code == 200 and response.context["page_obj"].number == 1


def test_page_out_of_range_shows_the_last_page(client, many):
    response = client.get(LIST, {"page": "9999"})
    assert response.status_code == 200 and response.context["page_obj"].number == 2
    assert len(titles(response)) == 5


def test_pagination_links_keep_the_filters(client, many):
    html = client.get(LIST, {"kind": "case-study"}).content.decode()
    assert "?kind=case-study&amp;page=2" in html


def test_focus_area_page_lists_only_that_area(client, catalogue, cybersecurity):
    response = client.get(reverse("practices:focus_area", args=["cybersecurity"]))
    assert set(titles(response)) == {"Cyber RFP", "Cyber case"}
    assert cybersecurity.name in response.content.decode()


def test_focus_area_page_combines_with_filters(client, catalogue):
    response = client.get(reverse("practices:focus_area", args=["cybersecurity"]), {"coalition": "colorado"})
    assert titles(response) == ["Cyber RFP"]


def test_unknown_focus_area_is_not_found(client, db):
    assert client.get(reverse("practices:focus_area", args=["astrology"])).status_code == 404


def test_tag_page_lists_tagged_practices(client, catalogue):
    response = client.get(reverse("practices:tag", args=["ransomware"]))
    assert set(titles(response)) == {"Cyber RFP", "Transit case"}


def test_unknown_tag_is_not_found(client, db):
    assert client.get(reverse("practices:tag", args=["nothing-here"])).status_code == 404


def test_focus_area_index_counts_visible_practices(client, catalogue):
    PracticeFactory(focus_areas=[catalogue["cyber_rfp"].focus_areas.get()])  # members only
    html = client.get(reverse("practices:focus_areas")).content.decode()
    assert "2 practices" in html


def test_my_practices_lists_drafts_for_the_author(member_client, member, coalition):
    PracticeFactory(title="My draft", author=member, coalition=coalition, status="draft", published_at=None)
    PracticeFactory(title="Someone else's draft", coalition=coalition, status="draft", published_at=None)
    html = member_client.get(reverse("practices:mine")).content.decode()
    assert "My draft" in html and "Someone else" not in html


def test_my_practices_lists_only_what_the_member_may_still_edit(member_client, member, coalition, other_coalition):
    # Written for a coalition the author has since left: Practice.is_managed_by no longer holds.
    PracticeFactory(title="From my old coalition", author=member, coalition=other_coalition)
    PracticeFactory(title="For my coalition now", author=member, coalition=coalition)
    html = member_client.get(reverse("practices:mine")).content.decode()
    assert "For my coalition now" in html and "From my old coalition" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/practices/tags/%00/",
        "/practices/?tag=%00",
        "/practices/?coalition=%00&focus_area=%00&page=%00",
        "/practices/api/?tag=%00&kind=%00",
        "/practices/similar/?title=%00",
    ],
)
def test_nul_characters_in_addresses_are_harmless(client, catalogue, url):
    assert client.get(url).status_code in (200, 400, 404)
