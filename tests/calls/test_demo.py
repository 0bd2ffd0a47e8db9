"""The demo's calls: Dallas's closed call with its results practice, and an open public call with
submissions and scores, all made through the services."""

from io import StringIO

import pytest
from django.core.management import call_command

from calls.models import Call
from tests.conftest import kept_for_the_module

# One process seeds the demo once for both tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("calls-demo")]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` as a shell runs it, its after-commit work included."""
    yield from kept_for_the_module(
        django_db_blocker, tmp_path_factory, lambda: call_command("seed_demo", stdout=StringIO())
    )


def test_dallas_closed_call_publishes_results_naming_only_consenting_selected_vendors(seeded):
    call = Call.objects.get(title="Revenue models for smart infrastructure")

    practice = call.results_practice
    assert call.closed_at and call.coalition.slug == "north-texas"
    assert practice.kind.slug == "call-for-solutions" and practice.is_public
    assert "PoleShare Networks" in practice.body
    assert "CurbIQ" not in practice.body and "1 selected submitter chose not to be named" in practice.body
    assert "AdGlow" not in practice.body


def test_the_open_public_call_has_scored_submissions(seeded, client):
    call = Call.objects.get(title="Keeping bike lanes clear of parked cars")

    assert call.phase == Call.Phase.OPEN and call.is_public
    submissions = list(call.submissions.order_by("-score_mean"))
    assert len(submissions) == 2 and all(s.evaluators_scored == 2 for s in submissions)
    assert submissions[0].organization == "LoadingBay"
    assert client.get(call.get_absolute_url()).status_code == 200
