"""The home page: what is new, as each visitor may see it, in a fixed number of queries."""

import pytest
from django.urls import reverse

from practices.models import Practice
from tests.factories import FocusAreaFactory, MeetingFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def _seed_practices(coalition, n):
    area = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    for i in range(n):
        PracticeFactory(
            coalition=coalition,
            title=f"Shared practice {i}",
            visibility=Practice.Visibility.PUBLIC if i % 2 else Practice.Visibility.MEMBERS,
            focus_areas=[area],
            tags=["rfp", f"tag {i}"],
        )


def test_anonymous_visitor_sees_public_practices_only(client, coalition):
    PracticeFactory(coalition=coalition, title="Open broadband map", visibility=Practice.Visibility.PUBLIC)
    PracticeFactory(coalition=coalition, title="Internal ransomware drill", visibility=Practice.Visibility.MEMBERS)
    body = client.get(reverse("home")).content.decode()
    assert "Open broadband map" in body
    assert "Internal ransomware drill" not in body


def test_member_sees_members_only_practices_and_new_members(member_client, coalition, member):
    PracticeFactory(coalition=coalition, title="Internal ransomware drill", visibility=Practice.Visibility.MEMBERS)
    body = member_client.get(reverse("home")).content.decode()
    assert "Internal ransomware drill" in body
    assert "Alice Archer" in body  # new members are for members


def test_signed_in_outsider_does_not_see_member_names(outsider_client, member):
    assert "Alice Archer" not in outsider_client.get(reverse("home")).content.decode()


def test_signed_in_outsider_is_pointed_to_the_coalitions_to_join(outsider_client):
    page = outsider_client.get(reverse("home")).content.decode()

    assert f'href="{reverse("coalitions:list")}">Find your coalition</a>' in page
    assert reverse("practices:create") not in page


def test_anonymous_visitor_is_invited_to_sign_up(client, db):
    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("account_signup")}">Join the exchange</a>' in page


@pytest.mark.parametrize("persona", ["member_client", "partnership_admin_client"])
def test_members_and_partnership_admins_are_offered_to_share(request, persona):
    page = request.getfixturevalue(persona).get(reverse("home")).content.decode()

    assert f'href="{reverse("practices:create")}">Share a practice</a>' in page


def test_next_meetings_leave_out_cancelled_ones(client, db):
    MeetingFactory(title="Quarterly cybersecurity roundtable")
    MeetingFactory(title="Called-off session", status="cancelled")
    body = client.get(reverse("home")).content.decode()
    assert "Quarterly cybersecurity roundtable" in body
    assert "Called-off session" not in body


@pytest.mark.parametrize("count", [3, 30])
def test_home_page_runs_a_fixed_number_of_queries(member_client, coalition, count, django_assert_max_num_queries):
    _seed_practices(coalition, count)
    for _ in range(3):
        MeetingFactory()
    with django_assert_max_num_queries(14):
        assert member_client.get(reverse("home")).status_code == 200
