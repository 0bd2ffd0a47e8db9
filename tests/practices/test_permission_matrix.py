"""Who may do what with a practice, in one table per action.

Personas: the practice's ``author`` (a plain member of the coalition), that coalition's admin, a member
of another coalition, a partnership admin (staff, in no coalition), a signed-in outsider (in no
coalition) and an anonymous visitor. "login" means a redirect to the login page; every refusal also
leaves the database as it was.
"""

import pytest
from django.urls import reverse

from practices.models import Comment, Practice, Report
from tests.factories import AttachmentFactory, CommentFactory, PracticeFactory

pytestmark = pytest.mark.django_db

CLIENTS = {
    "author": "member_client",
    "coalition_admin": "coalition_admin_client",
    "other_member": "other_member_client",
    "partnership_admin": "partnership_admin_client",
    "outsider": "outsider_client",
    "anonymous": "client",
}


def matrix(**expected):
    assert set(expected) == set(CLIENTS), "every persona has an expected outcome"
    return pytest.mark.parametrize(("persona", "expected"), list(expected.items()))


@pytest.fixture
def as_persona(request):
    return lambda persona: request.getfixturevalue(CLIENTS[persona])


@pytest.fixture
def practice(coalition, member):
    """Published, members only: the default for a coalition's work."""
    return PracticeFactory(coalition=coalition, author=member, title="Members-only retainer")


@pytest.fixture
def draft(coalition, member):
    return PracticeFactory(coalition=coalition, author=member, status="draft", published_at=None)


def outcome(response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


@matrix(author=200, coalition_admin=200, other_member=200, partnership_admin=200, outsider=403, anonymous="login")
def test_view_members_only_practice(as_persona, practice, persona, expected):
    assert outcome(as_persona(persona).get(practice.get_absolute_url())) == expected


@matrix(author=200, coalition_admin=200, other_member=404, partnership_admin=200, outsider=404, anonymous=404)
def test_view_draft_by_its_guessed_address(as_persona, draft, persona, expected):
    assert outcome(as_persona(persona).get(draft.get_absolute_url())) == expected


@matrix(author=200, coalition_admin=200, other_member=403, partnership_admin=200, outsider=403, anonymous="login")
def test_open_the_edit_form(as_persona, practice, persona, expected):
    assert outcome(as_persona(persona).get(reverse("practices:edit", args=[practice.slug]))) == expected


@matrix(author=302, coalition_admin=302, other_member=403, partnership_admin=302, outsider=403, anonymous="login")
def test_save_an_edit(as_persona, practice, cybersecurity, kind, persona, expected):
    data = {
        "title": "Rewritten",
        "summary": "New summary.",
        "body": "",
        "focus_areas": ["cybersecurity"],
        "tags": "",
        "kind": kind.pk,
        "maturity": "pilot",
        "visibility": "members",
        "action": "save",
    }
    assert outcome(as_persona(persona).post(reverse("practices:edit", args=[practice.slug]), data)) == expected
    practice.refresh_from_db()
    assert (practice.title == "Rewritten") == (expected == 302)


@pytest.mark.parametrize(("action", "status"), [("unpublish", "draft"), ("archive", "archived")])
@matrix(author=302, coalition_admin=302, other_member=403, partnership_admin=302, outsider=403, anonymous="login")
def test_unpublish_or_archive(as_persona, practice, action, status, persona, expected):
    url = reverse("practices:status", args=[practice.slug])
    assert outcome(as_persona(persona).post(url, {"action": action})) == expected
    practice.refresh_from_db()
    assert practice.status == (status if expected == 302 else "published")


@matrix(author=200, coalition_admin=200, other_member=200, partnership_admin=200, outsider=403, anonymous="login")
def test_download_a_members_only_file(as_persona, practice, persona, expected):
    attachment = AttachmentFactory(practice=practice)
    url = reverse("practices:attachment", args=[practice.slug, attachment.pk])
    assert outcome(as_persona(persona).get(url)) == expected


@matrix(author=200, coalition_admin=200, other_member=404, partnership_admin=200, outsider=404, anonymous=404)
def test_download_a_drafts_file(as_persona, draft, persona, expected):
    attachment = AttachmentFactory(practice=draft)
    url = reverse("practices:attachment", args=[draft.slug, attachment.pk])
    assert outcome(as_persona(persona).get(url)) == expected


@matrix(author=302, coalition_admin=302, other_member=403, partnership_admin=302, outsider=403, anonymous="login")
def test_remove_a_file(as_persona, practice, persona, expected):
    attachment = AttachmentFactory(practice=practice)
    url = reverse("practices:attachment_delete", args=[practice.slug, attachment.pk])
    assert outcome(as_persona(persona).post(url, {"confirmed": "yes"})) == expected
    assert practice.attachments.exists() == (expected != 302)


# A comment written by the member of the other coalition: its author and admins may change it; the
# practice's author (a plain member) may not.
@pytest.fixture
def comment(practice, other_member):
    return CommentFactory(practice=practice, author=other_member, body="Original question")


@matrix(author=403, coalition_admin=302, other_member=302, partnership_admin=302, outsider=403, anonymous="login")
def test_edit_a_comment(as_persona, comment, persona, expected):
    url = reverse("practices:comment_edit", args=[comment.pk])
    assert outcome(as_persona(persona).post(url, {"body": "Changed"})) == expected
    comment.refresh_from_db()
    assert (comment.body == "Changed") == (expected == 302)


@matrix(author=403, coalition_admin=302, other_member=302, partnership_admin=302, outsider=403, anonymous="login")
def test_delete_a_comment(as_persona, comment, persona, expected):
    url = reverse("practices:comment_delete", args=[comment.pk])
    assert outcome(as_persona(persona).post(url, {"confirmed": "yes"})) == expected
    assert Comment.objects.filter(pk=comment.pk).exists() == (expected != 302)


@matrix(author=302, coalition_admin=302, other_member=302, partnership_admin=302, outsider=403, anonymous="login")
def test_comment(as_persona, practice, persona, expected):
    url = reverse("practices:comment", args=[practice.slug])
    assert outcome(as_persona(persona).post(url, {"body": "A question"})) == expected
    assert Comment.objects.filter(body="A question").exists() == (expected == 302)


@matrix(author=302, coalition_admin=302, other_member=302, partnership_admin=302, outsider=403, anonymous="login")
def test_report_a_practice(as_persona, practice, persona, expected):
    url = reverse("practices:report", args=[practice.slug])
    assert outcome(as_persona(persona).post(url, {"reason": "misleading"})) == expected
    assert Report.objects.exists() == (expected == 302)


@matrix(author=403, coalition_admin=403, other_member=403, partnership_admin=200, outsider=403, anonymous="login")
def test_open_the_moderation_queue(as_persona, persona, expected):
    assert outcome(as_persona(persona).get(reverse("practices:moderation"))) == expected


@matrix(author=403, coalition_admin=403, other_member=403, partnership_admin=302, outsider=403, anonymous="login")
def test_hide_reported_content(as_persona, practice, other_member, persona, expected):
    report = Report.objects.create(practice=practice, reporter=other_member, reason="spam")
    url = reverse("practices:moderation_resolve", args=[report.pk])
    assert outcome(as_persona(persona).post(url, {"action": "hide"})) == expected
    practice.refresh_from_db()
    assert practice.is_hidden == (expected == 302)


@matrix(author=404, coalition_admin=404, other_member=404, partnership_admin=404, outsider=404, anonymous=404)
def test_a_practice_that_does_not_exist(as_persona, db, persona, expected):
    assert outcome(as_persona(persona).get(reverse("practices:detail", args=["no-such-practice"]))) == expected


def test_members_only_practice_stays_members_only_in_every_listing(client, practice):
    """The anonymous column above, for lists: not in the list, the search, the API or the feed."""
    assert practice.visibility == Practice.Visibility.MEMBERS
    for url, params in [
        (reverse("practices:list"), {}),
        (reverse("practices:list"), {"q": "retainer"}),
        (reverse("practices:api_list"), {}),
        (reverse("practices:feed"), {}),
    ]:
        assert "Members-only retainer" not in client.get(url, params).content.decode(), url
