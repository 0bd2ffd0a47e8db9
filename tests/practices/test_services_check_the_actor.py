"""The practices services refuse an actor who may not act, whoever calls them (a view, the admin,
an API): ``PermissionDenied`` from the service itself, and not one row changed."""

import pytest
from django.contrib.auth.models import AnonymousUser

from practices import services
from practices.models import Practice, Report
from tests.factories import AdoptionFactory, AttachmentFactory, CommentFactory, PracticeFactory, ReportFactory
from tests.practices.conftest import pdf_upload

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
# Neither the author (a member of ``coalition``) nor an admin of ``coalition``.
NOT_ITS_MANAGERS = ["other_member", "other_admin", "outsider", "anonymous"]
NOT_MODERATORS = ["member", "coalition_admin", "outsider", "anonymous"]


@pytest.fixture
def actor(request):
    """The persona named by the test's parameter (``anonymous``: nobody signed in)."""
    return ANONYMOUS if request.param == "anonymous" else request.getfixturevalue(request.param)


def personas(*names):
    return pytest.mark.parametrize("actor", names, indirect=True)


@pytest.fixture
def practice(member, coalition, cybersecurity):
    """Alice's published practice for ``coalition``."""
    return PracticeFactory(author=member, coalition=coalition, focus_areas=[cybersecurity])


@pytest.fixture
def draft(member, coalition, cybersecurity):
    return PracticeFactory(author=member, coalition=coalition, status=Practice.Status.DRAFT, published_at=None)


# --- sharing and editing -------------------------------------------------------------------------


@personas("other_member", "outsider", "anonymous")
def test_only_its_members_share_a_practice_for_a_coalition(assert_refused, actor, coalition, cybersecurity, kind):
    data = {"title": "Borrowed", "summary": "x", "body": "x", "kind": kind, "focus_areas": [cybersecurity]}
    assert_refused(services.create_practice, author=actor, coalition=coalition, data=data)


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_edit_a_practice(assert_refused, actor, practice):
    assert_refused(services.update_practice, practice=practice, by=actor, data={"title": "Taken over"})


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_publish_unpublish_or_archive(assert_refused, actor, practice, draft):
    assert_refused(services.publish_practice, practice=draft, by=actor)
    assert_refused(services.unpublish_practice, practice=practice, by=actor)
    assert_refused(services.archive_practice, practice=practice, by=actor)


@personas(*NOT_ITS_MANAGERS)
def test_only_its_managers_add_or_remove_files(assert_refused, actor, practice):
    assert_refused(services.add_attachment, practice=practice, upload=pdf_upload(), by=actor)
    assert_refused(services.delete_attachment, attachment=AttachmentFactory(practice=practice), by=actor)


def test_an_author_who_left_the_coalition_no_longer_edits(assert_refused, member, practice):
    member.memberships.all().delete()
    assert_refused(services.update_practice, practice=practice, by=member, data={"title": "Mine still?"})


# --- adoptions -----------------------------------------------------------------------------------


@personas("member", "coalition_admin")
def test_the_sharing_coalition_cannot_adopt_its_own_practice(assert_refused, actor, practice, coalition):
    assert_refused(services.record_adoption, practice=practice, coalition=coalition, by=actor, stage="adopted")


@personas("member", "outsider", "anonymous")
def test_nobody_records_an_adoption_for_a_coalition_they_are_not_in(assert_refused, actor, practice, other_coalition):
    assert_refused(services.record_adoption, practice=practice, coalition=other_coalition, by=actor, stage="adopted")


def test_nobody_adopts_a_draft(assert_refused, other_member, draft, other_coalition):
    assert_refused(
        services.record_adoption, practice=draft, coalition=other_coalition, by=other_member, stage="adopted"
    )


@personas("member", "coalition_admin", "outsider", "anonymous")
def test_only_the_adopting_coalition_withdraws_its_adoption(assert_refused, actor, practice, other_coalition):
    adoption = AdoptionFactory(practice=practice, coalition=other_coalition)
    assert_refused(services.withdraw_adoption, adoption=adoption, by=actor)


# --- comments and reports ------------------------------------------------------------------------


@personas("outsider", "anonymous")
def test_only_members_comment(assert_refused, actor, practice):
    assert_refused(services.add_comment, practice=practice, author=actor, body="Hello")


def test_nobody_comments_on_a_draft(assert_refused, other_member, draft):
    assert_refused(services.add_comment, practice=draft, author=other_member, body="Early bird")


@personas("member", "other_admin", "outsider", "anonymous")
def test_only_its_author_and_the_practices_admins_change_a_comment(assert_refused, actor, practice, other_member):
    """Charlie's comment on Alice's practice: Alice (not an admin) and Charlie's own admin may not change it."""
    comment = CommentFactory(practice=practice, author=other_member)
    assert_refused(services.update_comment, comment=comment, by=actor, body="Edited by someone else")
    assert_refused(services.delete_comment, comment=comment, by=actor)


@personas("outsider", "anonymous")
def test_only_members_report(assert_refused, actor, practice):
    assert_refused(services.report_content, by=actor, practice=practice, reason=Report.Reason.SPAM)


# --- moderation and the curated list ------------------------------------------------------------


@personas(*NOT_MODERATORS)
def test_only_partnership_admins_hide_or_restore(assert_refused, actor, practice):
    assert_refused(services.set_content_hidden, by=actor, target=practice, hidden=True)


@personas(*NOT_MODERATORS)
def test_only_partnership_admins_resolve_reports(assert_refused, actor, practice, other_member):
    report = ReportFactory(practice=practice, reporter=other_member)
    for action in services.ModerationAction.ALL:
        assert_refused(services.resolve_report, report=report, by=actor, action=action)


@personas(*NOT_MODERATORS)
def test_only_partnership_admins_curate_focus_areas(assert_refused, actor, cybersecurity):
    assert_refused(services.create_focus_area, by=actor, name="Water", description="Utilities.")
    assert_refused(services.update_focus_area, by=actor, area=cybersecurity, name="Security", description="x")
    assert cybersecurity.name == "Cybersecurity"  # the caller's copy is untouched too
