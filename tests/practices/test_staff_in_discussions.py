"""Partnership admins (staff, in no coalition) take part in discussions and moderate from the page."""

import pytest
from django.urls import reverse

from practices.models import Comment, Practice, Report
from tests.factories import CommentFactory, PracticeFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(coalition, member):
    return PracticeFactory(coalition=coalition, author=member, visibility=Practice.Visibility.PUBLIC)


def hide_url(kind, pk):
    return reverse("practices:moderation_hide", args=[kind, pk])


def test_partnership_admin_answers_a_question_labelled_as_partnership_admin(
    partnership_admin_client, partnership_admin, member_client, practice
):
    response = partnership_admin_client.post(
        reverse("practices:comment", args=[practice.slug]), {"body": "The partnership has a template for this."}
    )
    comment = Comment.objects.get()
    assert response.status_code == 302 and comment.author == partnership_admin
    html = member_client.get(practice.get_absolute_url()).content.decode()
    assert "The partnership has a template for this." in html
    assert "<span>Partnership admin</span>" in html


def test_partnership_admin_sees_the_comment_form(partnership_admin_client, practice):
    html = partnership_admin_client.get(practice.get_absolute_url()).content.decode()
    assert 'id="comment-form"' in html


def test_partnership_admin_hides_a_comment_from_the_practice_page(
    partnership_admin_client, member_client, other_member, practice
):
    comment = CommentFactory(practice=practice, author=other_member, body="Buy cheap watches")
    report = ReportFactory(practice=practice, comment=comment)
    page = partnership_admin_client.get(practice.get_absolute_url()).content.decode()
    assert hide_url("comment", comment.pk) in page
    response = partnership_admin_client.post(hide_url("comment", comment.pk))
    assert response.status_code == 302 and response["Location"].endswith("#comments")
    comment.refresh_from_db()
    report.refresh_from_db()
    assert comment.is_hidden and report.status == Report.Status.HIDDEN
    assert "Buy cheap watches" not in member_client.get(practice.get_absolute_url()).content.decode()


def test_partnership_admin_hides_a_practice_and_restores_it_from_its_page(partnership_admin_client, client, practice):
    partnership_admin_client.post(hide_url("practice", practice.pk))
    practice.refresh_from_db()
    assert practice.is_hidden
    assert client.get(practice.get_absolute_url()).status_code == 404
    page = partnership_admin_client.get(practice.get_absolute_url()).content.decode()
    assert reverse("practices:moderation_restore", args=["practice", practice.pk]) in page


@pytest.mark.parametrize("persona", ["member_client", "coalition_admin_client", "other_member_client"])
def test_only_partnership_admins_hide_directly(request, persona, other_member, practice):
    comment = CommentFactory(practice=practice, author=other_member)
    persona_client = request.getfixturevalue(persona)
    assert persona_client.post(hide_url("comment", comment.pk)).status_code == 403
    assert persona_client.post(hide_url("practice", practice.pk)).status_code == 403
    assert hide_url("comment", comment.pk) not in persona_client.get(practice.get_absolute_url()).content.decode()
    comment.refresh_from_db()
    practice.refresh_from_db()
    assert not comment.is_hidden and not practice.is_hidden


def test_anonymous_visitor_cannot_hide(client, practice):
    assert client.post(hide_url("practice", practice.pk)).status_code == 302
    practice.refresh_from_db()
    assert not practice.is_hidden


def test_hiding_needs_post_and_a_known_kind(partnership_admin_client, practice):
    assert partnership_admin_client.get(hide_url("practice", practice.pk)).status_code == 405
    assert partnership_admin_client.post(hide_url("attachment", 1)).status_code == 404
    assert partnership_admin_client.post(hide_url("practice", 999999)).status_code == 404
