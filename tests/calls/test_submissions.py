"""Answering a call: outside submitters without an account (verified by an emailed link), members, the
honeypot and the limits, the signed edit link, and the closing second in any zone."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from calls import services
from calls.models import Submission
from notifications.models import Delivery

from .conftest import submission_body, submission_data

pytestmark = pytest.mark.django_db


def links(message) -> list[str]:
    return re.findall(r"http://testserver(/calls/submissions/\S+/)", message.body)


def submit(client, call, run, **overrides):
    url = reverse("calls:submission_create", args=[call.pk])
    return run(client.post, url, submission_body(**overrides))


def test_outside_submission_counts_only_after_its_address_is_verified(client, call, run):
    response = submit(client, call, run)

    submission = Submission.objects.get()
    assert response.status_code == 200 and "Your submission counts once you follow it" in response.content.decode()
    assert submission.verified_at is None and submission.user is None
    assert "<strong>20%</strong>" in submission.description_html
    (message,) = mail.outbox
    assert message.to == ["vera@curbworks.example"] and "Confirm your submission" in message.subject
    verify, edit = links(message)
    assert "/verify/" in verify and "/edit/" in edit

    assert client.get(verify).status_code == 200  # a mail scanner's GET confirms nothing
    assert Submission.objects.get().verified_at is None
    run(client.post, verify)
    run(client.post, verify)  # a second click sends no second receipt

    assert Submission.objects.get().verified_at is not None
    assert [m.subject for m in mail.outbox[1:]] == [
        "Received: your submission to “Revenue models for curbside sensors”"
    ]


def test_member_submits_with_their_verified_account_address_and_gets_the_receipt(member_client, member, call, run):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=member, email=member.email, defaults={"verified": True})

    submit(member_client, call, run, email="someone-else@example.org")

    submission = Submission.objects.get()
    assert submission.user == member and submission.email == member.email and submission.is_verified
    assert [m.to for m in mail.outbox] == [[member.email]] and "Received" in mail.outbox[0].subject


def test_honeypot_looks_like_success_but_stores_and_sends_nothing(client, call, run, unchanged_database):
    with unchanged_database():
        response = submit(client, call, run, website="http://spam.example")

    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert mail.outbox == []


def test_the_same_email_address_is_limited_per_hour(client, call, run, settings):
    settings.CALL_SUBMISSION_LIMITS = {"address": (100, 3600), "email": (2, 3600)}
    for _ in range(2):
        assert submit(Client(REMOTE_ADDR="10.0.0.1"), call, run).status_code == 200

    response = submit(Client(REMOTE_ADDR="10.0.0.2"), call, run, email="VERA@curbworks.example")

    assert response.status_code == 429 and "Too many submissions" in response.content.decode()
    assert Submission.objects.count() == 2


def test_one_client_address_is_limited_behind_our_proxy(call, run, settings):
    settings.CALL_SUBMISSION_LIMITS = {"address": (2, 3600), "email": (100, 3600)}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.9"}
    for n in range(2):
        submit(Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"), call, run, email=f"v{n}@example.org")

    refused = submit(Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5"), call, run, email="v9@example.org")
    other_visitor = submit(Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"), call, run, email="w@example.org")

    assert refused.status_code == 429
    assert other_visitor.status_code == 200  # behind the same proxy, but another client
    assert Submission.objects.count() == 3


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"summary": "x" * 501}, "Keep the summary to 500 characters"),
        ({"accepted_terms": ""}, "Accept the call&#x27;s terms to submit."),
        ({"organization": "  "}, "Give your organization"),
        ({"email": "not-an-address"}, "Enter a valid email address."),
    ],
)
def test_bad_submissions_are_refused_with_a_message(client, call, run, overrides, message, unchanged_database):
    with unchanged_database():
        response = submit(client, call, run, **overrides)

    assert response.status_code == 400 and message in response.content.decode()
    assert mail.outbox == []


def test_a_30_mb_file_is_refused(client, call, run, unchanged_database):
    big = SimpleUploadedFile("deck.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024), content_type="application/pdf")
    with unchanged_database():
        response = run(
            client.post, reverse("calls:submission_create", args=[call.pk]), {**submission_body(), "files": big}
        )

    assert response.status_code == 400 and "files may be at most" in response.content.decode()


def test_a_forged_call_id_is_a_404(client, call, run, unchanged_database):
    with unchanged_database():
        response = run(client.post, reverse("calls:submission_create", args=[call.pk + 999]), submission_body())
    assert response.status_code == 404


def test_partnership_only_call_takes_no_outside_submission(
    client, outsider_client, members_call, run, unchanged_database
):
    url = reverse("calls:submission_create", args=[members_call.pk])
    with unchanged_database():
        assert run(client.post, url, submission_body()).status_code == 302  # asked to sign in
        assert run(outsider_client.post, url, submission_body()).status_code == 403
    with pytest.raises(Exception, match="members of the partnership"):
        services.submit_solution(call=members_call, data=submission_data())


def test_submitter_edits_through_the_signed_link_until_the_close(client, submission):
    url = reverse("calls:submission_edit", args=[services.edit_token(submission)])

    response = client.post(url, {**submission_body(), "summary": "A better summary."})

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.summary == "A better summary." and submission.email == "vera@curbworks.example"


def test_a_tampered_edit_link_is_refused_and_changes_nothing(client, submission, unchanged_database):
    token = services.edit_token(submission)
    forged = services.edit_token(Submission(pk=submission.pk + 1, email=submission.email))
    for bad in (token[:-3] + "abc", token + "x", forged):
        with unchanged_database():
            response = client.post(reverse("calls:submission_edit", args=[bad]), submission_body(summary="Hacked"))
        assert response.status_code == 400 and "This link is not valid" in response.content.decode()


def test_a_verify_link_does_not_open_the_edit_page(client, submission):
    response = client.get(reverse("calls:submission_edit", args=[services.verify_token(submission)]))
    assert response.status_code == 400


def test_editing_after_the_close_is_refused_and_changes_nothing(client, submission, unchanged_database):
    url = reverse("calls:submission_edit", args=[services.edit_token(submission)])
    with time_machine.travel(submission.call.closes_at + dt.timedelta(seconds=1), tick=False), unchanged_database():
        response = client.post(url, {**submission_body(), "summary": "Too late."})

    assert response.status_code == 403 and "Submissions to this call closed at" in response.content.decode()


ZONES = ["America/Chicago", "Pacific/Honolulu", "Asia/Tokyo", "Europe/London", None]


@pytest.mark.parametrize("zone", ZONES)
def test_the_closing_second_is_accepted_and_the_next_refused_in_any_zone(zone, member, call, run):
    """The call closes at 17:00 Chicago time; a submitter in Honolulu, Tokyo or London (or a visitor whose
    zone we do not know) is held to that same instant."""
    if zone:
        member.profile.time_zone = zone
        member.profile.save()
        client = Client()
        client.force_login(member)
    else:
        client = Client()
    at_close, after = call.closes_at, call.closes_at + dt.timedelta(seconds=1)

    with time_machine.travel(at_close, tick=False):
        assert submit(client, call, run, email="first@example.org").status_code == 200
    with time_machine.travel(after, tick=False):
        response = submit(client, call, run, email="late@example.org")

    assert response.status_code == 400
    assert "Submissions to this call closed at" in response.content.decode()
    assert Submission.objects.count() == 1


def test_the_closing_time_reads_in_the_calls_zone_and_utc(call):
    message = services.closed_message(call)
    local = call.closes_at.astimezone(dt.timezone(dt.timedelta(hours=-6)))  # CST in winter, CDT in summer
    assert "C" in message and "UTC" in message and str(local.year) in message


def test_receipt_and_verification_are_sent_once_each(client, call, run):
    submit(client, call, run)
    submission = Submission.objects.get()
    token = services.verify_token(submission)
    run(services.verify_submission, token=token)
    run(services.verify_submission, token=token)

    keys = sorted(Delivery.objects.values_list("key", flat=True))
    assert keys == [f"call-receipt:{submission.pk}", f"call-verify:{submission.pk}"]
    assert len(mail.outbox) == 2
