"""seed_demo makes its rows through the services, so they are what a member's click makes; a second
run changes nothing."""

import datetime as dt
import re
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse

from coalitions import demo as coalitions_demo
from practices import demo as practices_demo
from practices import services
from practices.markdown import render_markdown
from practices.models import DocumentVector, Practice
from tests.conftest import kept_for_the_module

# One process seeds once for all of them.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed-demo")]

NOW = dt.datetime(2026, 11, 17, 16, 0, tzinfo=dt.UTC)
# What only the seeder sets: the identity of the demo row and the dates it moves back.
NOT_DERIVED = {"id", "slug", "created", "updated", "published_at"}
# Counters of what others did with a practice (the demo adds comments and adoptions afterwards); the
# counters' own tests keep them true.
COUNTERS = {"adoption_count", "confirmed_adoption_count", "comment_count", "first_adopted_on"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run once for this module's tests, at ``NOW``, as a shell runs it (its after-commit
    work, queued email, included); the emails it sent."""

    def seed():
        mail.outbox = []
        call_command("seed_demo", stdout=StringIO())

    for _ in kept_for_the_module(django_db_blocker, tmp_path_factory, seed, at=NOW):
        yield list(mail.outbox)


def seed_again():
    call_command("seed_demo", stdout=StringIO())


def _row(practice: Practice) -> dict:
    values = {f.attname: getattr(practice, f.attname) for f in Practice._meta.concrete_fields}
    values = {name: value for name, value in values.items() if name not in NOT_DERIVED | COUNTERS}
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
    demo, django_capture_on_commit_callbacks
):
    demo_practices = list(Practice.objects.filter(slug__in=[p["slug"] for p in practices_demo.PRACTICES]))
    assert len(demo_practices) == len(practices_demo.PRACTICES)

    twins = []
    # One transaction for all: their after-commit embedding runs once for the lot, as seed_demo's does.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for practice in demo_practices:
            twins.append(
                services.create_practice(
                    author=practice.author,
                    coalition=practice.coalition,
                    publish=True,
                    data={
                        **{name: getattr(practice, name) for name in services.PRACTICE_FIELDS},
                        "focus_areas": list(practice.focus_areas.all()),
                        "tags": practice.tags.names(),
                    },
                )
            )
    for practice, twin in zip(demo_practices, twins, strict=True):
        twin.refresh_from_db()
        assert _row(practice) == _row(twin), practice.slug
        assert _meaning(practice) is not None and _meaning(practice) == _meaning(twin), practice.slug
        assert practice.body_html == render_markdown(practice.body) and "<h2>Background</h2>" in practice.body_html
    if connection.vendor == "postgresql":  # SQLite has no search vectors
        assert "'ransomwar'" in str(Practice.objects.get(slug="ransomware-tabletop-exercise-kit").search_vector)


def test_demo_practices_keep_their_slugs_and_read_as_published_over_the_past_year(demo):
    for row in practices_demo.PRACTICES:
        practice = Practice.objects.get(slug=row["slug"])
        assert practice.status == Practice.Status.PUBLISHED
        assert practice.published_at == NOW - dt.timedelta(days=row["published_days_ago"])
        assert practice.created < practice.published_at <= practice.updated <= NOW


def test_seeding_twice_changes_no_row_and_sends_nothing_more(
    demo, unchanged_database, django_capture_on_commit_callbacks
):
    assert demo  # the first seeding sent the demo invitation's email
    with (
        time_machine.travel(NOW, tick=False),
        unchanged_database(),
        django_capture_on_commit_callbacks(execute=True),
    ):
        seed_again()
    assert mail.outbox == []


def test_every_demo_account_signs_in_with_the_printed_password(demo, client):
    users = get_user_model().objects.filter(email__endswith=f"@{coalitions_demo.DEMO_DOMAIN}")
    assert users.count() == 20 and all(user.check_password(coalitions_demo.DEMO_PASSWORD) for user in users)
    response = client.post(
        reverse("account_login"),
        {"login": f"colorado-admin@{coalitions_demo.DEMO_DOMAIN}", "password": coalitions_demo.DEMO_PASSWORD},
    )
    assert response.status_code == 302 and response.wsgi_request.user.is_authenticated


def _readme_demo_table() -> set[str]:
    """The addresses in the README's demo-account table (the first table after "Log in with any demo")."""
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    after = readme.split("Log in with any demo account", 1)[1]
    table = after.split("\n\n", 2)[1]
    assert table.startswith("| who | email |")
    return set(re.findall(r"`([^`@\s]+@[^`\s]+)`", table))


def test_the_readme_lists_every_account_seed_demo_makes_and_seed_demo_prints_them(demo):
    out = StringIO()
    call_command("seed_demo", stdout=out)

    made = set(get_user_model().objects.values_list("email", flat=True))
    assert {email for _, email in coalitions_demo.demo_accounts()} == made
    assert _readme_demo_table() == made
    assert "applicant@demo.smartregions.org" in made
    for email in made:
        assert email in out.getvalue()


def test_the_demo_has_two_needs_one_shared_by_three_coalitions(demo):
    from calls.models import Need

    needs = {n.title: n for n in Need.objects.prefetch_related("signatures")}
    assert len(needs) == 2
    shared = [n for n in needs.values() if n.is_shared]
    assert len(shared) == 1
    coalitions = {shared[0].coalition_id, *(s.coalition_id for s in shared[0].signatures.all())}
    assert len(coalitions) == 3
    assert "<li>" in shared[0].tried_html  # Markdown, rendered by the service


def test_the_shared_demo_need_has_a_working_group_inviting_its_poster_and_cosigners(demo):
    from calls.models import Need

    shared = next(n for n in Need.objects.all() if n.is_shared)
    expected = {shared.author_id, *shared.signatures.values_list("user_id", flat=True)}
    assert shared.meeting is not None and shared.meeting.start > NOW
    assert set(shared.meeting.invitees.values_list("user_id", flat=True)) == expected
    assert {m.to[0] for m in demo if m.subject.startswith("You are invited")} == set(
        get_user_model().objects.filter(pk__in=expected).values_list("email", flat=True)
    )
