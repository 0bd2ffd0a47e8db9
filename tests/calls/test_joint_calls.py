"""A partnership admin turns a shared need into a joint call for solutions (the new-call form, prefilled from
the need), and the need can be closed as met by that call."""

import pytest
from django.urls import reverse

from calls import services
from calls.models import Call, Need
from tests.factories import CoalitionFactory, MembershipFactory, UserFactory

from .test_calls import form_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_need(member, coalition, transportation):
    need = services.post_need(
        by=member, coalition=coalition,
        data={"title": "Counting riders at bus stops", "problem": "Fare data misses transfers.",
              "focus_areas": [transportation], "government_level": "city"},
    )  # fmt: skip
    for n in range(2):
        other = CoalitionFactory(slug=f"signer-{n}")
        signer = UserFactory()
        MembershipFactory(user=signer, coalition=other)
        services.cosign_need(need=need, by=signer, coalition=other, context="Same here.")
    return need


def test_partnership_admin_gets_the_new_call_form_prefilled_from_the_need(partnership_admin_client, shared_need):
    page = partnership_admin_client.get(shared_need.get_absolute_url()).content.decode()
    link = f"{reverse('calls:call_create')}?need={shared_need.pk}"
    assert link in page

    form = partnership_admin_client.get(link).content.decode()

    assert "Counting riders at bus stops" in form and "Fare data misses transfers." in form
    assert 'value="transportation" checked' in form or 'value="transportation"\n' in form or "checked" in form


def test_the_joint_call_links_to_the_need_and_back(partnership_admin_client, shared_need, coalition):
    response = partnership_admin_client.post(
        f"{reverse('calls:call_create')}?need={shared_need.pk}", form_body(coalition, title="Joint call: riders")
    )

    call = Call.objects.get()
    assert response.status_code == 302 and call.need == shared_need
    assert call.get_absolute_url() in partnership_admin_client.get(shared_need.get_absolute_url()).content.decode()
    assert shared_need.get_absolute_url() in partnership_admin_client.get(call.get_absolute_url()).content.decode()


@pytest.mark.parametrize("who", ["member_client", "coalition_admin_client"])
def test_only_partnership_admins_make_a_joint_call(request, who, shared_need, coalition, unchanged_database):
    client = request.getfixturevalue(who)
    url = f"{reverse('calls:call_create')}?need={shared_need.pk}"
    with unchanged_database():
        assert client.get(url).status_code == 403
        assert client.post(url, form_body(coalition)).status_code == 403


def test_the_need_is_closed_as_met_by_the_call(member_client, partnership_admin, shared_need, coalition, call):
    url = reverse("calls:need_met_by_call", args=[shared_need.pk])

    member_client.post(url, {"call": call.pk, "confirmed": "yes"})

    shared_need.refresh_from_db()
    assert shared_need.status == Need.Status.MET and shared_need.met_by_call == call and shared_need.met_by is None
    assert call.title in member_client.get(shared_need.get_absolute_url()).content.decode()


def test_others_cannot_close_the_need_by_a_call(other_member_client, shared_need, call, unchanged_database):
    with unchanged_database():
        response = other_member_client.post(
            reverse("calls:need_met_by_call", args=[shared_need.pk]), {"call": call.pk, "confirmed": "yes"}
        )
    assert response.status_code == 403
