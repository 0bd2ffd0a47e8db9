"""The coalitions services refuse an actor who may not act, whoever calls them (a view, the admin,
a task): ``PermissionDenied`` from the service itself, and not one row changed."""

import pytest
from django.contrib.auth.models import AnonymousUser

from coalitions import services
from coalitions.models import Membership
from tests.coalitions.conftest import image_upload
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
NOT_THIS_COALITIONS_ADMINS = ["member", "other_member", "other_admin", "outsider"]


@pytest.fixture
def actor(request):
    """The persona named by the test's parameter (``anonymous``: nobody signed in)."""
    return ANONYMOUS if request.param == "anonymous" else request.getfixturevalue(request.param)


def personas(*names):
    return pytest.mark.parametrize("actor", names, indirect=True)


@personas("member", "coalition_admin", "outsider", "anonymous")
def test_only_partnership_admins_create_coalitions(assert_refused, actor):
    data = {"name": "Ohio Smart Region", "slug": "ohio", "short_name": "OSR", "time_zone": "America/New_York"}
    assert_refused(services.create_coalition, by=actor, data=data)


@personas(*NOT_THIS_COALITIONS_ADMINS, "anonymous")
def test_only_its_admins_edit_a_coalition(assert_refused, actor, coalition):
    assert_refused(services.update_coalition, by=actor, coalition=coalition, data={"name": "Taken over"})
    coalition.refresh_from_db()
    assert coalition.name == "Colorado Smart Cities Alliance"


@personas("member", "other_admin")
def test_only_its_admins_change_a_coalitions_logo(assert_refused, actor, coalition):
    assert_refused(services.set_coalition_logo, by=actor, coalition=coalition, logo=image_upload())
    assert not coalition.logo  # the caller's copy is untouched too: saving it later changes nothing


@personas(*NOT_THIS_COALITIONS_ADMINS, "anonymous")
def test_only_its_admins_approve_a_join_request(assert_refused, actor, pending_request, decisions):
    assert_refused(services.approve_join_request, by=actor, join_request=pending_request)
    assert decisions == []


@personas(*NOT_THIS_COALITIONS_ADMINS, "anonymous")
def test_only_its_admins_reject_a_join_request(assert_refused, actor, pending_request, decisions):
    assert_refused(services.reject_join_request, by=actor, join_request=pending_request)
    assert decisions == []


@personas("member", "coalition_admin", "anonymous")
def test_only_the_person_who_asked_withdraws_a_request(assert_refused, actor, pending_request):
    assert_refused(services.withdraw_join_request, by=actor, join_request=pending_request)


@personas(*NOT_THIS_COALITIONS_ADMINS, "anonymous")
def test_only_its_admins_invite(assert_refused, actor, coalition, invitations_sent):
    assert_refused(services.invite_member, by=actor, coalition=coalition, email="new@example.org")
    assert invitations_sent == []


@personas(*NOT_THIS_COALITIONS_ADMINS, "anonymous")
def test_only_its_admins_revoke_an_invitation(assert_refused, actor, coalition, coalition_admin):
    invitation = InvitationFactory(coalition=coalition, invited_by=coalition_admin, email="new@example.org")
    assert_refused(services.revoke_invitation, by=actor, invitation=invitation)


def test_a_member_cannot_make_themselves_an_admin(assert_refused, member, coalition):
    mine = Membership.objects.get(user=member, coalition=coalition)
    assert_refused(services.change_role, by=member, membership=mine, role=Membership.Role.ADMIN)


@personas("other_admin", "other_member", "anonymous")
def test_only_its_admins_change_roles(assert_refused, actor, member, coalition):
    membership = Membership.objects.get(user=member, coalition=coalition)
    assert_refused(services.change_role, by=actor, membership=membership, role=Membership.Role.ADMIN)


@personas(*NOT_THIS_COALITIONS_ADMINS, "anonymous")
def test_only_its_admins_remove_members(assert_refused, actor, coalition, coalition_admin):
    target = Membership.objects.create(user=UserFactory(email="gus@example.org"), coalition=coalition)
    assert_refused(services.remove_member, by=actor, membership=target)


def test_nobody_signed_in_cannot_ask_to_join(assert_refused, coalition):
    assert_refused(services.request_to_join, by=ANONYMOUS, coalition=coalition, message="Let me in")


def test_nobody_signed_in_cannot_accept_an_invitation(assert_refused, coalition, coalition_admin):
    invitation = InvitationFactory(coalition=coalition, invited_by=coalition_admin, email="new@example.org")
    assert_refused(services.accept_invitation, by=ANONYMOUS, invitation=invitation)


def test_nobody_signed_in_cannot_leave_or_edit_a_profile(assert_refused, coalition):
    assert_refused(services.leave_coalition, by=ANONYMOUS, coalition=coalition)
    assert_refused(services.update_profile, by=ANONYMOUS, full_name="Mallory", job_title="", time_zone="")


def test_a_deactivated_account_cannot_ask_to_join(assert_refused, outsider, coalition):
    outsider.is_active = False
    outsider.save()
    assert_refused(services.request_to_join, by=outsider, coalition=coalition)
