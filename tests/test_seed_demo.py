"""seed_demo makes its rows through the services, so they are what a member's click makes; a second
run changes nothing."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from coalitions import demo as coalitions_demo
from practices import demo as practices_demo
from practices import services
from practices.markdown import render_markdown
from practices.models import DocumentVector, Practice

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 17, 16, 0, tzinfo=dt.UTC)
# What only the seeder sets: the identity of the demo row and the dates it moves back.
NOT_DERIVED = {"id", "slug", "created", "updated", "published_at"}


@pytest.fixture
def seed(django_capture_on_commit_callbacks):
    """``seed_demo`` as a shell runs it: its after-commit work (queued email) runs too."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())

    return run


def _row(practice: Practice) -> dict:
    values = {f.attname: getattr(practice, f.attname) for f in Practice._meta.concrete_fields}
    values = {name: value for name, value in values.items() if name not in NOT_DERIVED}
    values["search_vector"] = str(values["search_vector"])  # a tsvector's text on PostgreSQL, "None" on SQLite
    return {
        **values,
        "focus_areas": sorted(practice.focus_areas.names()),
        "tags": sorted(practice.tags.names()),
    }


def _meaning(practice: Practice) -> tuple[str, bytes] | None:
    """The discovery index's vector of the practice (made by a task after commit)."""
    row = DocumentVector.objects.filter(doc_type="practice", doc_id=practice.pk).values_list("model", "vector").first()
    return (row[0], bytes(row[1])) if row else None


def test_every_demo_practice_equals_the_same_practice_shared_through_the_services(
    seed, django_capture_on_commit_callbacks
):
    seed()
    demo_practices = list(Practice.objects.filter(slug__in=[p["slug"] for p in practices_demo.PRACTICES]))
    assert len(demo_practices) == len(practices_demo.PRACTICES)

    for practice in demo_practices:
        with django_capture_on_commit_callbacks(execute=True):
            twin = services.create_practice(
                author=practice.author,
                coalition=practice.coalition,
                publish=True,
                data={
                    **{name: getattr(practice, name) for name in services.PRACTICE_FIELDS},
                    "focus_areas": list(practice.focus_areas.all()),
                    "tags": practice.tags.names(),
                },
            )
        twin.refresh_from_db()
        assert _row(practice) == _row(twin), practice.slug
        assert _meaning(practice) is not None and _meaning(practice) == _meaning(twin), practice.slug
        assert practice.body_html == render_markdown(practice.body) and "<h2>Background</h2>" in practice.body_html
    if connection.vendor == "postgresql":  # SQLite has no search vectors
        assert "'ransomwar'" in str(Practice.objects.get(slug="ransomware-tabletop-exercise-kit").search_vector)


def test_demo_practices_keep_their_slugs_and_read_as_published_over_the_past_year(seed):
    with time_machine.travel(NOW, tick=False):
        seed()
    for row in practices_demo.PRACTICES:
        practice = Practice.objects.get(slug=row["slug"])
        assert practice.status == Practice.Status.PUBLISHED
        assert practice.published_at == NOW - dt.timedelta(days=row["published_days_ago"])
        assert practice.created < practice.published_at <= practice.updated <= NOW


def test_seeding_twice_changes_no_row_and_sends_nothing_more(seed, unchanged_database):
    with time_machine.travel(NOW, tick=False):
        seed()
        sent = len(mail.outbox)
        assert sent  # the demo invitation's email
        with unchanged_database():
            seed()
    assert len(mail.outbox) == sent


def test_every_demo_account_signs_in_with_the_printed_password(seed, client):
    seed()
    users = get_user_model().objects.filter(email__endswith=f"@{coalitions_demo.DEMO_DOMAIN}")
    assert users.count() == 20 and all(user.check_password(coalitions_demo.DEMO_PASSWORD) for user in users)
    response = client.post(
        reverse("account_login"),
        {"login": f"colorado-admin@{coalitions_demo.DEMO_DOMAIN}", "password": coalitions_demo.DEMO_PASSWORD},
    )
    assert response.status_code == 302 and response.wsgi_request.user.is_authenticated
