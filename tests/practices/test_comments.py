"""Comments: members ask and answer; authors and admins edit or delete; text is never run."""

import pytest
from django.urls import reverse

from practices.models import Comment, Practice
from tests.factories import CommentFactory, PracticeFactory

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


@pytest.fixture
def practice(coalition, member):
    return PracticeFactory(coalition=coalition, author=member, visibility=Practice.Visibility.PUBLIC)


def comment_url(practice):
    return reverse("practices:comment", args=[practice.slug])


def test_member_of_another_coalition_asks_a_question(other_member_client, other_member, practice):
    response = other_member_client.post(comment_url(practice), {"body": "How long did procurement take?"})
    comment = Comment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    assert comment.author == other_member
    page = other_member_client.get(practice.get_absolute_url()).content.decode()
    assert "How long did procurement take?" in page
    assert "NTXIA" in page  # the commenter's coalition


def test_outsider_cannot_comment(outsider_client, practice):
    assert outsider_client.post(comment_url(practice), {"body": "Hi"}).status_code == 403
    assert not Comment.objects.exists()


def test_anonymous_visitor_cannot_comment_or_read_the_discussion(client, practice):
    CommentFactory(practice=practice, body="Members-only discussion")
    assert client.post(comment_url(practice), {"body": "Hi"}).status_code == 302
    assert not Comment.objects.filter(body="Hi").exists()
    assert "Members-only discussion" not in client.get(practice.get_absolute_url()).content.decode()


def test_empty_comment_is_refused_with_a_message(member_client, practice):
    response = member_client.post(comment_url(practice), {"body": "   "}, follow=True)
    assert "Write something first." in response.content.decode()
    assert not Comment.objects.exists()


def test_over_long_comment_is_refused(member_client, practice):
    member_client.post(comment_url(practice), {"body": "x" * 5001})
    assert not Comment.objects.exists()


def test_script_in_a_comment_is_shown_as_text(member_client, practice):
    member_client.post(comment_url(practice), {"body": "<script>alert(1)</script> <img src=x onerror=alert(2)>"})
    html = member_client.get(practice.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "onerror" not in html


def test_author_edits_their_comment(other_member_client, other_member, practice):
    comment = CommentFactory(practice=practice, author=other_member)
    other_member_client.post(reverse("practices:comment_edit", args=[comment.pk]), {"body": "Edited"})
    comment.refresh_from_db()
    assert comment.body == "Edited"


def test_coalition_admin_deletes_a_comment_on_their_practice(coalition_admin_client, other_member, practice):
    comment = CommentFactory(practice=practice, author=other_member)
    coalition_admin_client.post(reverse("practices:comment_delete", args=[comment.pk]), CONFIRMED)
    assert not Comment.objects.exists()


def test_partnership_admin_edits_any_comment(partnership_admin_client, practice):
    comment = CommentFactory(practice=practice)
    partnership_admin_client.post(reverse("practices:comment_edit", args=[comment.pk]), {"body": "Moderated"})
    comment.refresh_from_db()
    assert comment.body == "Moderated"


def test_other_members_cannot_edit_or_delete_a_comment(member_client, other_member, other_coalition):
    foreign = PracticeFactory(coalition=other_coalition)
    comment = CommentFactory(practice=foreign, author=other_member, body="Mine")
    assert member_client.post(reverse("practices:comment_edit", args=[comment.pk]), {"body": "X"}).status_code == 403
    assert member_client.post(reverse("practices:comment_delete", args=[comment.pk]), CONFIRMED).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_comments_on_drafts_are_refused(member_client, practice):
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.DRAFT)
    assert member_client.post(comment_url(practice), {"body": "Hi"}).status_code == 403
