"""{% coalition_practices coalition %}: what a coalition shared and adopted, as the viewer may see it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from practices.models import Practice
from tests.factories import AdoptionFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def render(coalition, user):
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load practice_tags %}{% coalition_practices coalition %}")
    return template.render(Context({"coalition": coalition, "request": request}))


@pytest.fixture
def records(coalition, other_coalition):
    public = PracticeFactory(title="Shared in public", coalition=coalition, visibility=Practice.Visibility.PUBLIC)
    members = PracticeFactory(title="Shared with members", coalition=coalition)
    PracticeFactory(title="Unfinished draft", coalition=coalition, status="draft", published_at=None)
    adopted = PracticeFactory(title="Adopted from Texas", coalition=other_coalition)
    AdoptionFactory(practice=adopted, coalition=coalition, stage="piloting")
    return public, members, adopted


def test_members_see_shared_and_adopted_lists(records, coalition, other_member):
    html = render(coalition, other_member)
    assert "Shared by this coalition" in html and "Adopted by this coalition" in html
    assert "Shared in public" in html and "Shared with members" in html
    assert "Adopted from Texas" in html and "Piloting" in html
    assert "Unfinished draft" not in html


def test_anonymous_visitors_see_only_public_practices(records, coalition):
    html = render(coalition, AnonymousUser())
    assert "Shared in public" in html
    assert "Shared with members" not in html and "Adopted from Texas" not in html


def test_empty_coalition_says_so(coalition):
    html = render(coalition, AnonymousUser())
    assert "Nothing shared yet." in html and "No adoptions recorded yet." in html
