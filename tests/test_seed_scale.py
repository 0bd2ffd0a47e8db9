"""``seed_scale`` fills every table a page reads, with derived columns exactly as the services make them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coalitions.models import Coalition, Membership, Profile
from meetings.models import RSVP, AgendaItem, Meeting
from practices.markdown import render_markdown
from practices.models import Adoption, Attachment, Comment, Practice
from practices.services import refresh_practice_counters, update_search_vectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    out = StringIO()
    sizes = {"coalitions": 4, "members": 40, "practices": 60, "meetings": 3}
    call_command("seed_scale", **sizes, no_progress=True, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_every_table_gets_rows_and_the_command_says_how_long(seeded):
    assert Coalition.objects.count() == 4
    assert Membership.objects.count() == 44  # forty members and one author per coalition
    assert Profile.objects.count() == 44  # a profile for every account, as sign-up makes
    assert Practice.objects.published().count() == 60
    assert Adoption.objects.exists() and Comment.objects.exists() and Attachment.objects.exists()
    assert Meeting.objects.count() == 3 and AgendaItem.objects.exists() and RSVP.objects.exists()
    assert "60 practices" in seeded and " s (" in seeded


def test_stored_counts_are_what_the_service_counts(seeded):
    stored = dict(Practice.objects.values_list("pk", "adoption_count"))
    comments = dict(Practice.objects.values_list("pk", "comment_count"))
    refresh_practice_counters(practice_ids=Practice.objects.values("pk"))
    assert stored == dict(Practice.objects.values_list("pk", "adoption_count"))
    assert comments == dict(Practice.objects.values_list("pk", "comment_count"))
    # Stopped adoptions stay on the record but count nowhere.
    assert sum(stored.values()) == Adoption.objects.exclude(stage=Adoption.Stage.STOPPED).count()
    assert Adoption.objects.filter(stage=Adoption.Stage.STOPPED).exclude(stopped_reason="").exists()
    confirmed = dict(Practice.objects.values_list("pk", "confirmed_adoption_count"))
    assert 0 < sum(confirmed.values()) < sum(stored.values())
    assert sum(comments.values()) == Comment.objects.filter(is_hidden=False).count()


def test_stored_html_is_what_save_renders(seeded):
    for model, source, html in ((Practice, "body", "body_html"), (Comment, "body", "body_html")):
        for text, stored in model.objects.values_list(source, html)[:20]:
            assert str(stored) == str(render_markdown(text))


def test_search_index_is_what_a_save_writes(seeded):
    practice = Practice.objects.order_by("pk").first()
    if connection.vendor == "postgresql":
        before = dict(Practice.objects.values_list("pk", "search_vector"))
        update_search_vectors(practice_ids=list(before))
        assert before == dict(Practice.objects.values_list("pk", "search_vector"))
    # Either database: the practice is found by a word of its title.
    word = max(practice.title.split(), key=len).strip(":,.")
    assert Practice.objects.search(word).filter(pk=practice.pk).exists()


def test_sizes_must_make_sense():
    with pytest.raises(CommandError):
        call_command("seed_scale", coalitions=0, members=1, practices=1, meetings=0, no_progress=True)
