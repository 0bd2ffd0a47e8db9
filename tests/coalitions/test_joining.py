"""Asking to join a coalition, and its admins approving or rejecting the request."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from coalitions import services
from coalitions.models import JoinRequest, Membership
from coalitions.services import MembershipError
from tests.factories import JoinRequestFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


def join_url(coalition):
    return reverse("coalitions:join", args=[coalition.slug])


def approve_url(join_request):
    return reverse("coalitions:approve_request", args=[join_request.coalition.slug, join_request.pk])


def reject_url(join_request):
    return reverse("coalitions:reject_request", args=[join_request.coalition.slug, join_request.pk])


# --- asking ---------------------------------------------------------------------------------------


def test_verified_user_can_ask_to_join_with_a_message(outsider_client, outsider, coalition):
    response = outsider_client.post(join_url(coalition), {"message": "I lead Greeley's smart-city work."})

    assert response.status_code == 302
    join_request = JoinRequest.objects.get(user=outsider, coalition=coalition)
    assert join_request.is_pending
    assert join_request.message == "I lead Greeley's smart-city work."
    page = outsider_client.get(response.url).content.decode()
    assert "was sent to its admins" in page
    assert "Request pending" in page


def test_second_request_gets_a_message_and_creates_nothing(outsider_client, outsider, pending_request):
    response = outsider_client.post(join_url(pending_request.coalition), {"message": "again"}, follow=True)

    assert "You already asked to join" in response.content.decode()
    assert JoinRequest.objects.filter(user=outsider).count() == 1


def test_existing_member_cannot_ask_again(member_client, member, coalition):
    response = member_client.post(join_url(coalition), {"message": ""}, follow=True)

    assert "already a member" in response.content.decode()
    assert not JoinRequest.objects.filter(user=member).exists()


def test_unverified_user_is_refused(unverified_user, client, coalition):
    client.force_login(unverified_user)

    response = client.post(join_url(coalition), {"message": "hi"})

    assert response.status_code == 302
    assert any("verify" in str(m) for m in get_messages(response.wsgi_request) if "error" in m.tags)
    assert "verify your email address" in client.get(response["Location"]).content.decode()
    assert not JoinRequest.objects.exists()


def test_unverified_user_sees_verify_notice_instead_of_join_form(unverified_user, client, coalition):
    client.force_login(unverified_user)

    page = client.get(coalition.get_absolute_url()).content.decode()

    assert "Verify your email address first" in page
    assert "Ask to join" not in page


def test_anonymous_visitor_is_sent_to_log_in(client, coalition):
    response = client.post(join_url(coalition), {"message": "hi"})

    assert response.status_code == 302
    assert reverse("account_login") in response.url
    assert not JoinRequest.objects.exists()


def test_over_long_message_is_a_form_error(outsider_client, coalition):
    response = outsider_client.post(join_url(coalition), {"message": "x" * 1001})

    assert response.status_code == 400
    assert "at most 1000 characters" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_a_rejected_person_may_ask_again(coalition_admin, outsider, pending_request):
    services.reject_join_request(by=coalition_admin, join_request=pending_request)

    again = services.request_to_join(by=outsider, coalition=pending_request.coalition)

    assert again.is_pending
    assert JoinRequest.objects.filter(user=outsider).count() == 2


def test_person_can_withdraw_their_pending_request(outsider_client, pending_request):
    url = reverse("coalitions:withdraw_request", args=[pending_request.pk])
    response = outsider_client.post(url, CONFIRMED, follow=True)

    assert "was withdrawn" in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_nobody_else_can_withdraw_a_request(member_client, pending_request):
    response = member_client.post(reverse("coalitions:withdraw_request", args=[pending_request.pk]), CONFIRMED)

    assert response.status_code == 404
    assert JoinRequest.objects.filter(pk=pending_request.pk).exists()


# --- deciding -------------------------------------------------------------------------------------


def test_admin_sees_pending_requests_on_manage_page(coalition_admin_client, pending_request):
    page = coalition_admin_client.get(reverse("coalitions:manage", args=[pending_request.coalition.slug]))

    assert "Erin Evans" in page.content.decode()
    assert "Erin from Greeley." in page.content.decode()


def test_admin_approval_creates_membership_and_signals_once_after_commit(
    coalition_admin_client, coalition_admin, outsider, pending_request, decisions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coalition_admin_client.post(approve_url(pending_request))

    assert response.status_code == 302
    membership = Membership.objects.get(user=outsider, coalition=pending_request.coalition)
    assert membership.role == Membership.Role.MEMBER
    pending_request.refresh_from_db()
    assert pending_request.status == JoinRequest.Status.APPROVED
    assert pending_request.decided_by == coalition_admin
    assert len(decisions) == 1
    assert decisions[0]["join_request"].pk == pending_request.pk
    assert decisions[0]["join_request"].status == JoinRequest.Status.APPROVED


def test_signal_waits_for_the_commit(coalition_admin, pending_request, decisions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.approve_join_request(by=coalition_admin, join_request=pending_request)

    assert decisions == []
    for callback in callbacks:  # the decision's signal, and the members' homes renewed again at commit
        callback()
    assert len(decisions) == 1


def test_approving_twice_is_idempotent(
    coalition_admin, outsider, pending_request, decisions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.approve_join_request(by=coalition_admin, join_request=pending_request)
        second = services.approve_join_request(by=coalition_admin, join_request=pending_request)

    assert first.pk == second.pk
    assert Membership.objects.filter(user=outsider).count() == 1
    assert len(decisions) == 1


def test_a_stale_approval_does_not_bring_back_someone_who_left(coalition_admin, outsider, pending_request):
    services.approve_join_request(by=coalition_admin, join_request=pending_request)
    services.leave_coalition(by=outsider, coalition=pending_request.coalition)

    with pytest.raises(MembershipError, match="has since left"):
        services.approve_join_request(by=coalition_admin, join_request=pending_request)
    assert not Membership.objects.filter(user=outsider).exists()


def test_rejection_creates_no_membership_and_signals(
    coalition_admin_client, outsider, pending_request, decisions, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        coalition_admin_client.post(reject_url(pending_request), CONFIRMED)

    pending_request.refresh_from_db()
    assert pending_request.status == JoinRequest.Status.REJECTED
    assert not Membership.objects.filter(user=outsider).exists()
    assert [d["join_request"].status for d in decisions] == [JoinRequest.Status.REJECTED]


def test_rejecting_asks_first_and_an_unconfirmed_post_changes_nothing(
    coalition_admin_client, pending_request, decisions, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = coalition_admin_client.post(reject_url(pending_request))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Reject the request from Erin Evans?" in page and "Keep it waiting" in page
    pending_request.refresh_from_db()
    assert pending_request.is_pending
    assert decisions == [] and mailoutbox == []


def test_approving_needs_a_post(coalition_admin_client, pending_request):
    response = coalition_admin_client.get(approve_url(pending_request))

    assert response.status_code == 405
    pending_request.refresh_from_db()
    assert pending_request.is_pending


def test_approving_a_rejected_request_is_refused(coalition_admin, pending_request):
    services.reject_join_request(by=coalition_admin, join_request=pending_request)

    with pytest.raises(MembershipError, match="already rejected"):
        services.approve_join_request(by=coalition_admin, join_request=pending_request)
    assert not Membership.objects.filter(user=pending_request.user).exists()


def test_partnership_admin_can_approve_for_any_coalition(partnership_admin_client, outsider, pending_request):
    partnership_admin_client.post(approve_url(pending_request))

    assert Membership.objects.filter(user=outsider, coalition=pending_request.coalition).exists()


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "outsider_client"])
@pytest.mark.parametrize("url", [approve_url, reject_url])
def test_non_admins_cannot_decide_and_nothing_is_sent(
    request, persona, url, pending_request, decisions, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(persona)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(pending_request), CONFIRMED)

    assert response.status_code == 403
    pending_request.refresh_from_db()
    assert pending_request.is_pending
    assert decisions == []


def test_admin_of_another_coalition_cannot_approve(other_coalition, pending_request, client, decisions):
    other_admin = MembershipFactory(coalition=other_coalition, role=Membership.Role.ADMIN).user
    client.force_login(other_admin)

    response = client.post(approve_url(pending_request))

    assert response.status_code == 403
    assert not Membership.objects.filter(user=pending_request.user).exists()
    assert decisions == []


def test_anonymous_cannot_decide(client, pending_request):
    response = client.post(approve_url(pending_request))

    assert response.status_code == 302
    assert reverse("account_login") in response.url
    pending_request.refresh_from_db()
    assert pending_request.is_pending


def test_request_of_another_coalition_is_not_found_through_this_coalition(coalition_admin_client, other_coalition):
    elsewhere = JoinRequestFactory(coalition=other_coalition)
    url = reverse("coalitions:approve_request", args=["colorado", elsewhere.pk])

    response = coalition_admin_client.post(url)

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.is_pending


def test_approve_needs_post(coalition_admin_client, pending_request):
    response = coalition_admin_client.get(approve_url(pending_request))

    assert response.status_code == 405


def test_asking_again_while_a_request_waits_leads_to_the_coalitions_page(outsider_client, pending_request):
    coalition = pending_request.coalition

    response = outsider_client.get(reverse("coalitions:join", args=[coalition.slug]), follow=True)

    assert response.redirect_chain == [(coalition.get_absolute_url(), 302)]
    body = response.content.decode()
    assert "You already asked to join" in body and "Withdraw request" in body
    assert JoinRequest.objects.filter(user=pending_request.user).count() == 1


def test_a_member_is_not_offered_to_ask_to_join_their_own_coalition(member_client, coalition):
    response = member_client.get(reverse("coalitions:join", args=[coalition.slug]), follow=True)

    assert response.redirect_chain == [(coalition.get_absolute_url(), 302)]
    assert f"You are already a member of {coalition.name}." in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_a_member_of_one_coalition_may_ask_to_join_another(member_client, other_coalition):
    response = member_client.get(reverse("coalitions:join", args=[other_coalition.slug]))

    assert response.status_code == 200
    assert "Ask to join" in response.content.decode()
