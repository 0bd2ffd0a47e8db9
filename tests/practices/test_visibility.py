"""Who sees which practice: the visible_to() queryset and the detail page agree."""

import pytest
from django.urls import reverse

from practices.models import Practice
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db

PUBLIC, MEMBERS = Practice.Visibility.PUBLIC, Practice.Visibility.MEMBERS


@pytest.fixture
def practices(coalition, member):
    return {
        "public": PracticeFactory(coalition=coalition, author=member, visibility=PUBLIC),
        "members": PracticeFactory(coalition=coalition, author=member, visibility=MEMBERS),
        "draft": PracticeFactory(coalition=coalition, author=member, status=Practice.Status.DRAFT, published_at=None),
        "archived": PracticeFactory(coalition=coalition, author=member, status=Practice.Status.ARCHIVED),
        "hidden": PracticeFactory(coalition=coalition, author=member, visibility=PUBLIC, is_hidden=True),
    }


def visible_names(practices, user):
    visible = set(Practice.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name, p in practices.items() if p.pk in visible}


def test_anonymous_visitors_see_only_public_published_practices(practices):
    from django.contrib.auth.models import AnonymousUser

    assert visible_names(practices, AnonymousUser()) == {"public"}


def test_signed_in_outsider_sees_only_public_practices(practices, outsider):
    assert visible_names(practices, outsider) == {"public"}


def test_member_of_another_coalition_sees_published_but_not_drafts_or_hidden(practices, other_member):
    assert visible_names(practices, other_member) == {"public", "members"}


def test_author_sees_own_drafts_archived_and_hidden(practices, member):
    assert visible_names(practices, member) == set(practices)


def test_coalition_admin_sees_the_coalitions_drafts(practices, coalition_admin):
    assert visible_names(practices, coalition_admin) == set(practices)


def test_partnership_admin_sees_everything(practices, partnership_admin):
    assert visible_names(practices, partnership_admin) == set(practices)


def test_published_excludes_drafts_archived_and_hidden(practices):
    published = set(Practice.objects.published().values_list("pk", flat=True))
    assert published == {practices["public"].pk, practices["members"].pk}


def test_anonymous_visitor_opens_public_practice(client, practices):
    response = client.get(practices["public"].get_absolute_url())
    assert response.status_code == 200
    assert practices["public"].title in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in_for_members_only_practice(client, practices):
    url = practices["members"].get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login")) and "next=" in response["Location"]


def test_outsider_is_refused_members_only_practice(outsider_client, practices):
    response = outsider_client.get(practices["members"].get_absolute_url())
    assert response.status_code == 403
    assert "members of the partnership" in response.content.decode()


def test_guessed_draft_url_is_not_found_for_member_of_another_coalition(other_member_client, practices):
    assert other_member_client.get(practices["draft"].get_absolute_url()).status_code == 404


def test_guessed_draft_url_is_not_found_for_anonymous_visitor(client, practices):
    assert client.get(practices["draft"].get_absolute_url()).status_code == 404


def test_hidden_practice_is_not_found_for_other_members(other_member_client, practices):
    assert other_member_client.get(practices["hidden"].get_absolute_url()).status_code == 404


def test_author_sees_draft_with_a_draft_notice(member_client, practices):
    response = member_client.get(practices["draft"].get_absolute_url())
    assert response.status_code == 200
    assert "This is a draft" in response.content.decode()


def test_unknown_slug_is_portal_styled_404(client, db):
    response = client.get("/practices/no-such-practice/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()
