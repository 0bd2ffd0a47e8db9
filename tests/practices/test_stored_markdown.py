"""Markdown is rendered once, when it is saved, and the sanitized HTML is stored beside it: practices,
comments and adoptions. The data migration fills existing rows; ``render_markdown`` re-renders all."""

import importlib
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from practices import markdown, services
from practices.models import Adoption, Comment, Practice
from tests.factories import AdoptionFactory, CommentFactory, PracticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(other_coalition, other_member, cybersecurity):
    return PracticeFactory(
        coalition=other_coalition, author=other_member, focus_areas=[cybersecurity], body="**Bold** start"
    )


def count_renders():
    return mock.patch.object(markdown, "render_markdown", wraps=markdown.render_markdown)


def test_creating_a_practice_stores_its_sanitized_html(member, coalition, cybersecurity, kind):
    practice = services.create_practice(
        author=member,
        coalition=coalition,
        data={
            "title": "Curb data",
            "summary": "Loading zones.",
            "body": "## Plan\n\n<script>x()</script>\n\n[site](https://x.org)",
            "kind": kind,
            "focus_areas": [cybersecurity],
        },
    )
    stored = Practice.objects.get(pk=practice.pk).body_html
    assert "<h2>Plan</h2>" in stored
    assert '<a href="https://x.org" rel="nofollow noopener">site</a>' in stored
    assert "<script" not in stored


def test_editing_the_body_renders_it_again(practice):
    services.update_practice(practice=practice, by=practice.author, data={"body": "_new_ text"})
    assert Practice.objects.get(pk=practice.pk).body_html == "<p><em>new</em> text</p>\n"


def test_saving_without_changing_the_body_renders_nothing(practice):
    practice = Practice.objects.get(pk=practice.pk)
    with count_renders() as render:
        services.update_practice(practice=practice, by=practice.author, data={"title": "Renamed"})
        services.publish_practice(practice=practice, by=practice.author)
    assert render.call_count == 0
    assert "<strong>Bold</strong>" in Practice.objects.get(pk=practice.pk).body_html


def test_stored_html_is_read_back_as_safe_html(practice):
    assert hasattr(Practice.objects.get(pk=practice.pk).body_html, "__html__")


def test_stored_html_is_not_editable_in_forms():
    assert not Practice._meta.get_field("body_html").editable


def test_comments_store_their_html_when_added_and_edited(practice, member):
    practice.visibility = Practice.Visibility.PUBLIC
    comment = services.add_comment(practice=practice, author=member, body="Did **procurement** take long?")
    assert "<strong>procurement</strong>" in Comment.objects.get(pk=comment.pk).body_html
    services.update_comment(comment=comment, by=member, body="Answered: `6 weeks`")
    assert "<code>6 weeks</code>" in Comment.objects.get(pk=comment.pk).body_html


def test_adoption_notes_and_outcome_store_their_html_when_recorded_and_updated(practice, member, coalition):
    services.record_adoption(practice=practice, coalition=coalition, by=member, stage="piloting", notes="*Shorter*")
    adoption = Adoption.objects.get()
    assert (adoption.notes_html, adoption.outcome_html) == ("<p><em>Shorter</em></p>\n", "")

    services.record_adoption(
        practice=practice, coalition=coalition, by=member, stage="adopted", notes="Same", outcome="**Live**"
    )
    adoption = Adoption.objects.get()
    assert (adoption.notes_html, adoption.outcome_html) == ("<p>Same</p>\n", "<p><strong>Live</strong></p>\n")


def test_render_markdown_command_re_renders_every_stored_field(practice, member):
    comment = CommentFactory(practice=practice, author=member, body="~~old~~")
    adoption = AdoptionFactory(practice=practice, notes="a *b*", outcome="c")
    # As if the sanitizer's rules had changed since they were saved.
    Practice.objects.update(body_html="stale")
    Comment.objects.update(body_html="stale")
    Adoption.objects.update(notes_html="stale", outcome_html="stale")

    call_command("render_markdown", chunk_size=1, stdout=mock.MagicMock())

    assert Practice.objects.get(pk=practice.pk).body_html == "<p><strong>Bold</strong> start</p>\n"
    assert Comment.objects.get(pk=comment.pk).body_html == "<p><s>old</s></p>\n"
    adoption.refresh_from_db()
    assert (adoption.notes_html, adoption.outcome_html) == ("<p>a <em>b</em></p>\n", "<p>c</p>\n")


def test_render_markdown_command_can_take_one_model(practice, member):
    comment = CommentFactory(practice=practice, author=member, body="x")
    Practice.objects.update(body_html="stale")
    Comment.objects.update(body_html="stale")

    call_command("render_markdown", model=["practices.Comment"], stdout=mock.MagicMock())

    assert Comment.objects.get(pk=comment.pk).body_html == "<p>x</p>\n"
    assert Practice.objects.get(pk=practice.pk).body_html == "stale"


def test_render_markdown_command_names_the_models_it_knows():
    with pytest.raises(CommandError, match="meetings.meeting"):
        call_command("render_markdown", model=["practices.Report"])


def test_render_markdown_command_keeps_the_updated_time(practice):
    before = Practice.objects.get(pk=practice.pk).updated
    call_command("render_markdown", stdout=mock.MagicMock())
    assert Practice.objects.get(pk=practice.pk).updated == before


def test_migration_fills_the_html_of_existing_rows(other_coalition, member):
    """The data step of the migration that added the stored HTML, run with the models as they were then
    on rows as the new columns left them (empty). Migrating the whole project back and forth to run it
    took half a minute; the schema steps around it are Django's, run by every test database's creation."""
    row = PracticeFactory(title="Old", coalition=other_coalition, author=member, body="| a |\n|---|\n| *b* |")
    CommentFactory(practice=row, author=member, body="**c**")
    Practice.objects.update(body_html="")
    Comment.objects.update(body_html="")
    migration = importlib.import_module("practices.migrations.0005_stored_markdown_html")
    then = MigrationExecutor(connection).loader.project_state(("practices", "0005_stored_markdown_html")).apps

    migration.render_existing(then, None)

    assert "<td><em>b</em></td>" in Practice.objects.get(slug=row.slug).body_html
    assert Comment.objects.get().body_html == "<p><strong>c</strong></p>\n"
