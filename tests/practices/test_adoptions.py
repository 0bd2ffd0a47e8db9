"""Adoption: a member marks that their coalition is exploring, piloting or has adopted a practice."""

import pytest
from django.urls import reverse

from practices.models import Adoption, Practice
from tests.factories import AdoptionFactory, PracticeFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


@pytest.fixture
def practice(other_coalition, cybersecurity):
    return PracticeFactory(
        coalition=other_coalition, focus_areas=[cybersecurity], visibility=Practice.Visibility.PUBLIC
    )


def adopt_url(practice):
    return reverse("practices:adopt", args=[practice.slug])


def test_member_records_adoption_for_their_coalition(member_client, member, coalition, practice):
    response = member_client.post(
        adopt_url(practice),
        {"coalition": coalition.pk, "stage": "piloting", "notes": "Shorter scope.", "outcome": "Running."},
    )
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.coalition, adoption.stage, adoption.created_by) == (coalition, "piloting", member)
    page = member_client.get(practice.get_absolute_url()).content.decode()
    assert coalition.name in page and "Shorter scope." in page


def test_recording_again_updates_the_same_adoption(member_client, coalition, practice):
    member_client.post(adopt_url(practice), {"coalition": coalition.pk, "stage": "exploring"})
    member_client.post(adopt_url(practice), {"coalition": coalition.pk, "stage": "adopted"})
    assert list(Adoption.objects.values_list("stage", flat=True)) == ["adopted"]


def test_members_cannot_adopt_for_another_coalition(member_client, practice, other_coalition):
    response = member_client.post(adopt_url(practice), {"coalition": other_coalition.pk, "stage": "adopted"})
    assert "Select a valid choice" in response.content.decode()
    assert not Adoption.objects.exists()


def test_the_service_refuses_adoptions_for_another_coalition(member, practice, other_coalition):
    from django.core.exceptions import PermissionDenied

    from practices import services

    with pytest.raises(PermissionDenied):
        services.record_adoption(practice=practice, coalition=other_coalition, by=member, stage="adopted")


def test_coalition_cannot_adopt_its_own_practice(other_member_client, practice, other_coalition):
    response = other_member_client.post(adopt_url(practice), {"coalition": other_coalition.pk, "stage": "adopted"})
    assert response.status_code == 403


def test_outsider_cannot_record_adoptions(outsider_client, practice):
    assert outsider_client.get(adopt_url(practice)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, practice):
    assert client.get(adopt_url(practice)).status_code == 302


def test_drafts_cannot_be_adopted(member_client, coalition, practice):
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.DRAFT)
    assert member_client.post(adopt_url(practice), {"coalition": coalition.pk, "stage": "adopted"}).status_code == 404


def test_member_withdraws_their_coalitions_adoption(member_client, coalition, practice):
    adoption = AdoptionFactory(practice=practice, coalition=coalition)
    member_client.post(reverse("practices:adoption_withdraw", args=[adoption.pk]), CONFIRMED)
    assert not Adoption.objects.exists()


def test_other_coalitions_cannot_withdraw_an_adoption(other_member_client, coalition, practice):
    adoption = AdoptionFactory(practice=practice, coalition=coalition)
    assert (
        other_member_client.post(reverse("practices:adoption_withdraw", args=[adoption.pk]), CONFIRMED).status_code
        == 403
    )
    assert Adoption.objects.exists()


def test_bad_stage_is_a_form_error(member_client, coalition, practice):
    response = member_client.post(adopt_url(practice), {"coalition": coalition.pk, "stage": "finished"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
