"""Moderation: members report, partnership admins hide, restore or dismiss; hidden content
disappears from lists, search, feeds and the API."""

import pytest
from django.urls import reverse

from practices.models import Comment, Practice, Report
from tests.factories import CommentFactory, PracticeFactory, ReportFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("practices:moderation")


@pytest.fixture
def practice(other_coalition):
    return PracticeFactory(
        title="Suspicious vendor pitch", coalition=other_coalition, visibility=Practice.Visibility.PUBLIC
    )


def test_member_reports_a_practice(member_client, member, practice):
    response = member_client.post(
        reverse("practices:report", args=[practice.slug]), {"reason": "spam", "details": "An advert."}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.practice, report.comment, report.reporter, report.status) == (practice, None, member, "open")


def test_reporting_twice_updates_the_open_report(member_client, practice):
    url = reverse("practices:report", args=[practice.slug])
    member_client.post(url, {"reason": "spam"})
    member_client.post(url, {"reason": "misleading"})
    assert list(Report.objects.values_list("reason", flat=True)) == ["misleading"]


def test_member_reports_a_comment(member_client, practice):
    comment = CommentFactory(practice=practice)
    member_client.post(reverse("practices:report_comment", args=[comment.pk]), {"reason": "abusive"})
    assert Report.objects.get().comment == comment


def test_report_needs_a_known_reason(member_client, practice):
    response = member_client.post(reverse("practices:report", args=[practice.slug]), {"reason": "boring"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Report.objects.exists()


def test_outsider_and_anonymous_cannot_report(outsider_client, client, practice):
    url = reverse("practices:report", args=[practice.slug])
    assert outsider_client.post(url, {"reason": "spam"}).status_code == 403
    assert client.post(url, {"reason": "spam"}).status_code == 302
    assert not Report.objects.exists()


@pytest.mark.parametrize("persona", ["member_client", "coalition_admin_client", "outsider_client"])
def test_only_partnership_admins_see_the_queue(request, persona):
    assert request.getfixturevalue(persona).get(QUEUE).status_code == 403


def test_queue_lists_open_reports(partnership_admin_client, practice):
    ReportFactory(practice=practice, details="Looks like an advert")
    html = partnership_admin_client.get(QUEUE).content.decode()
    assert "Suspicious vendor pitch" in html and "Looks like an advert" in html


def test_hiding_a_practice_removes_it_everywhere(partnership_admin_client, client, member_client, practice):
    report = ReportFactory(practice=practice)
    other_report = ReportFactory(practice=practice)
    partnership_admin_client.post(reverse("practices:moderation_resolve", args=[report.pk]), {"action": "hide"})
    practice.refresh_from_db()
    assert practice.is_hidden
    assert set(Report.objects.values_list("status", flat=True)) == {"hidden"}
    assert other_report.pk
    assert "Suspicious vendor pitch" not in client.get(reverse("practices:list")).content.decode()
    assert "Suspicious" not in member_client.get(reverse("practices:list"), {"q": "suspicious"}).content.decode()
    assert "Suspicious" not in client.get(reverse("practices:feed")).content.decode()
    assert client.get(reverse("practices:api_list")).json()["count"] == 0
    assert client.get(reverse("practices:api_detail", args=[practice.slug])).status_code == 404
    assert member_client.get(practice.get_absolute_url()).status_code == 404


def test_restoring_brings_it_back(partnership_admin_client, client, practice):
    Practice.objects.filter(pk=practice.pk).update(is_hidden=True)
    partnership_admin_client.post(reverse("practices:moderation_restore", args=["practice", practice.pk]))
    assert "Suspicious vendor pitch" in client.get(reverse("practices:list")).content.decode()


def test_dismissing_leaves_the_content_and_closes_reports(partnership_admin_client, practice):
    report = ReportFactory(practice=practice)
    partnership_admin_client.post(reverse("practices:moderation_resolve", args=[report.pk]), {"action": "dismiss"})
    practice.refresh_from_db()
    report.refresh_from_db()
    assert not practice.is_hidden and report.status == "dismissed"


def test_hiding_a_comment_removes_it_from_the_page(partnership_admin_client, member_client, practice):
    comment = CommentFactory(practice=practice, body="Buy my product")
    report = ReportFactory(practice=practice, comment=comment)
    partnership_admin_client.post(reverse("practices:moderation_resolve", args=[report.pk]), {"action": "hide"})
    assert Comment.objects.get().is_hidden
    assert "Buy my product" not in member_client.get(practice.get_absolute_url()).content.decode()


def test_members_cannot_resolve_reports(member_client, practice):
    report = ReportFactory(practice=practice)
    response = member_client.post(reverse("practices:moderation_resolve", args=[report.pk]), {"action": "hide"})
    assert response.status_code == 403
    practice.refresh_from_db()
    assert not practice.is_hidden


def test_unknown_moderation_action_changes_nothing(partnership_admin_client, practice):
    report = ReportFactory(practice=practice)
    partnership_admin_client.post(reverse("practices:moderation_resolve", args=[report.pk]), {"action": "delete"})
    report.refresh_from_db()
    assert report.status == "open"


def test_restore_of_unknown_kind_is_not_found(partnership_admin_client, practice):
    assert partnership_admin_client.post("/practices/moderation/restore/user/1/").status_code == 404


def test_report_form_offers_only_real_reasons(member_client, practice):
    html = member_client.get(reverse("practices:report", args=[practice.slug])).content.decode()
    assert "---------" not in html and "Spam or advertising" in html
    response = member_client.post(reverse("practices:report", args=[practice.slug]), {"reason": ""})
    assert "Choose a reason." in response.content.decode()
    assert not Report.objects.exists()
