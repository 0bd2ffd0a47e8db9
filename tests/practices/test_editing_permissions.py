"""Only the author (still a member) and that coalition's admins edit, unpublish or archive;
partnership admins moderate everything."""

import pytest
from django.urls import reverse

from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(coalition, member, cybersecurity, kind):
    return PracticeFactory(
        coalition=coalition, author=member, kind=kind, focus_areas=[cybersecurity], title="Original title"
    )


def edit_data(practice, **overrides):
    return {
        "title": "Changed title",
        "summary": practice.summary,
        "body": practice.body,
        "focus_areas": ["cybersecurity"],
        "tags": "",
        "kind": practice.kind_id,
        "maturity": practice.maturity,
        "jurisdiction": "",
        "funding_source": "",
        "contact": "",
        "visibility": practice.visibility,
        "action": "save",
        **overrides,
    }


def test_author_edits_own_practice(member_client, practice):
    response = member_client.post(reverse("practices:edit", args=[practice.slug]), edit_data(practice))
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.title == "Changed title"


def test_coalition_admin_edits_members_practice(coalition_admin_client, practice):
    coalition_admin_client.post(reverse("practices:edit", args=[practice.slug]), edit_data(practice))
    practice.refresh_from_db()
    assert practice.title == "Changed title"


def test_partnership_admin_edits_any_practice(partnership_admin_client, practice):
    partnership_admin_client.post(reverse("practices:edit", args=[practice.slug]), edit_data(practice))
    practice.refresh_from_db()
    assert practice.title == "Changed title"


def test_member_of_other_coalition_cannot_edit_practice(other_member_client, practice):
    url = reverse("practices:edit", args=[practice.slug])
    assert other_member_client.get(url).status_code == 403
    assert other_member_client.post(url, edit_data(practice)).status_code == 403
    practice.refresh_from_db()
    assert practice.title == "Original title"


def test_plain_member_cannot_edit_a_colleagues_practice(client, coalition, practice):
    from tests.factories import MembershipFactory, UserFactory

    colleague = UserFactory()
    MembershipFactory(user=colleague, coalition=coalition)
    client.force_login(colleague)
    assert client.post(reverse("practices:edit", args=[practice.slug]), edit_data(practice)).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in_to_edit(client, practice):
    response = client.get(reverse("practices:edit", args=[practice.slug]))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_author_who_left_the_coalition_can_no_longer_edit(member_client, member, practice):
    member.memberships.all().delete()
    assert member_client.get(reverse("practices:edit", args=[practice.slug])).status_code == 403


@pytest.mark.parametrize(
    ("action", "status"),
    [("unpublish", Practice.Status.DRAFT), ("archive", Practice.Status.ARCHIVED)],
)
def test_author_unpublishes_or_archives(member_client, practice, action, status):
    member_client.post(reverse("practices:status", args=[practice.slug]), {"action": action})
    practice.refresh_from_db()
    assert practice.status == status


def test_republishing_keeps_the_first_publication_date(member_client, practice):
    first = practice.published_at
    member_client.post(reverse("practices:status", args=[practice.slug]), {"action": "unpublish"})
    member_client.post(reverse("practices:status", args=[practice.slug]), {"action": "publish"})
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED and practice.published_at == first


def test_member_of_other_coalition_cannot_archive_practice(other_member_client, practice):
    response = other_member_client.post(reverse("practices:status", args=[practice.slug]), {"action": "archive"})
    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED


def test_unknown_status_action_changes_nothing(member_client, practice):
    response = member_client.post(reverse("practices:status", args=[practice.slug]), {"action": "delete"})
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.status == Practice.Status.PUBLISHED


def test_edit_form_shows_tags_as_comma_separated_text(member_client, practice):
    practice.tags.set(["open data", "rfp"])
    html = member_client.get(reverse("practices:edit", args=[practice.slug])).content.decode()
    assert 'value="open data, rfp"' in html


def test_editing_keeps_the_slug_and_updates_tags(member_client, practice):
    member_client.post(reverse("practices:edit", args=[practice.slug]), edit_data(practice, tags="LiDAR, lidar"))
    practice.refresh_from_db()
    assert practice.slug.startswith("practice-") and list(practice.tags.names()) == ["lidar"]


def test_first_publication_announces_itself_once(
    member, coalition, cybersecurity, kind, django_capture_on_commit_callbacks
):
    from practices import services
    from practices.signals import practice_published

    heard = []
    practice_published.connect(lambda sender, practice, **kw: heard.append(practice.pk), weak=False, dispatch_uid="t")
    try:
        data = {"title": "T", "summary": "S", "kind": kind, "visibility": "members", "focus_areas": [cybersecurity]}
        with django_capture_on_commit_callbacks(execute=True):
            practice = services.create_practice(author=member, coalition=coalition, data=data)
        with django_capture_on_commit_callbacks(execute=True):
            services.publish_practice(practice=practice, by=member)
        with django_capture_on_commit_callbacks(execute=True):
            services.unpublish_practice(practice=practice, by=member)
            services.publish_practice(practice=practice, by=member)
    finally:
        practice_published.disconnect(dispatch_uid="t")
    assert heard == [practice.pk]
