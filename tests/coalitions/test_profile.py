"""The member's own profile page and the public member pages."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from coalitions import services
from coalitions.models import Membership, Profile
from coalitions.services import MembershipError
from coalitions.timezones import coalition_time_zone
from tests.factories import CoalitionFactory, JoinRequestFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("coalitions:profile")


def test_member_edits_name_title_and_time_zone(member_client, member):
    response = member_client.post(
        URL, {"full_name": "Alice A. Archer", "job_title": "CIO, City of Golden", "time_zone": "America/Phoenix"}
    )

    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert (member.profile.full_name, member.profile.job_title, member.profile.time_zone) == (
        "Alice A. Archer",
        "CIO, City of Golden",
        "America/Phoenix",
    )


def test_blank_time_zone_means_the_coalition_default_and_says_which(member_client, member):
    # The persona's coalition is in Denver (the factory's default zone).
    page = member_client.get(URL).content.decode()

    assert '<option value="" selected>Coalition default — Mountain — Denver (America/Denver)</option>' in page
    member_client.post(URL, {"full_name": "Alice Archer", "job_title": "", "time_zone": ""})
    member.profile.refresh_from_db()
    assert member.profile.time_zone == ""


def test_someone_in_no_coalition_defaults_to_chicago(outsider_client):
    assert "Portal default — Central — Chicago (America/Chicago)" in outsider_client.get(URL).content.decode()


def test_member_of_an_arizona_coalition_sees_phoenix_time_by_default(client):
    arizona = CoalitionFactory(slug="arizona", time_zone="America/Phoenix")
    person = UserFactory()
    MembershipFactory(user=person, coalition=arizona)
    client.force_login(person)

    page = client.get(URL).content.decode()

    assert '<option value="" selected>Coalition default — Mountain, no daylight saving — Phoenix' in page
    assert "Times on the portal are shown in Mountain, no daylight saving — Phoenix (America/Phoenix)." in page


def test_unknown_time_zone_is_a_form_error(member_client, member):
    response = member_client.post(URL, {"full_name": "Alice", "job_title": "", "time_zone": "Mars/Olympus"})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    member.profile.refresh_from_db()
    assert member.profile.full_name == "Alice Archer"


def test_over_long_name_is_a_form_error(member_client, member):
    response = member_client.post(URL, {"full_name": "A" * 151, "job_title": "", "time_zone": ""})

    assert response.status_code == 400
    assert "at most 150 characters" in response.content.decode()


def test_name_is_required(member_client):
    response = member_client.post(URL, {"full_name": "", "job_title": "", "time_zone": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_service_refuses_unknown_time_zone(member):
    with pytest.raises(MembershipError):
        services.update_profile(by=member, full_name="A", job_title="", time_zone="Nowhere/Land")


def test_profile_lists_memberships_with_roles_and_pending_requests(
    coalition_admin_client, coalition_admin, other_coalition
):
    JoinRequestFactory(user=coalition_admin, coalition=other_coalition)

    page = coalition_admin_client.get(URL).content.decode()

    assert "Colorado Smart Cities Alliance" in page
    assert "Coalition admin" in page
    assert "Waiting for a decision" in page
    assert "North Texas Innovation Alliance" in page
    assert reverse("account_email") in page
    assert reverse("account_change_password") in page


def test_profile_page_creates_a_missing_profile(client):
    user = get_user_model().objects.create_user(username="nobody", email="nobody@example.org", password="x")
    client.force_login(user)

    response = client.get(URL)

    assert response.status_code == 200
    assert Profile.objects.filter(user=user).exists()


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("account_login") in response.url


# --- public member pages --------------------------------------------------------------------------


def test_member_sees_another_members_page(member_client, other_member):
    page = member_client.get(reverse("coalitions:member", args=[other_member.pk])).content.decode()

    assert "Charlie Chen" in page
    assert "North Texas Innovation Alliance" in page
    assert "charlie@example.org" in page


def test_unknown_user_is_a_404(member_client):
    response = member_client.get(reverse("coalitions:member", args=[999999]))

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_person_in_no_coalition_has_no_member_page(member_client, outsider):
    assert member_client.get(reverse("coalitions:member", args=[outsider.pk])).status_code == 404


def test_outsider_cannot_see_member_pages(outsider_client, member):
    assert outsider_client.get(reverse("coalitions:member", args=[member.pk])).status_code == 403


def test_anonymous_cannot_see_member_pages(client, member):
    response = client.get(reverse("coalitions:member", args=[member.pk]))

    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_default_zone_is_the_first_joined_coalitions_in_one_query(member, other_coalition, django_assert_num_queries):
    Membership.objects.filter(user=member).update(joined=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    MembershipFactory(user=member, coalition=other_coalition)  # Chicago, joined later
    member.refresh_from_db()

    with django_assert_num_queries(1):
        assert coalition_time_zone(member) == "America/Denver"


def test_profile_links_to_email_preferences(member_client):
    body = member_client.get(reverse("coalitions:profile")).content.decode()
    assert reverse("notifications:preferences") in body
    assert reverse("notifications:failed_deliveries") not in body


def test_staff_sees_digest_preview_link_on_member_page(partnership_admin_client, member, member_client):
    preview = reverse("notifications:preview_digest", args=[member.pk])
    assert preview in partnership_admin_client.get(reverse("coalitions:member", args=[member.pk])).content.decode()
    assert preview not in member_client.get(reverse("coalitions:member", args=[member.pk])).content.decode()
