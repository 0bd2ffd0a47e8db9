"""Fixtures for the calls app. Shared needs: a need posted by ``member`` for ``coalition``, and one
co-signed by two other coalitions (a shared need). Calls for solutions: a public call open now (Chicago
time), its criteria, a verified outside submission, and the form bodies the pages take."""

import datetime as dt

import pytest
from django.utils import timezone

from calls import services
from calls.models import Call, Submission
from tests.factories import CoalitionFactory, FocusAreaFactory, MembershipFactory, UserFactory


@pytest.fixture
def transportation(db):
    return FocusAreaFactory(slug="transportation", name="Transportation")


def need_data(transportation, **overrides):
    data = {
        "title": "Counting riders at bus stops without cameras",
        "problem": "Fare data misses **transfers**; video at stops is ruled out.",
        "focus_areas": [transportation],
        "government_level": "city",
        "budget": "Under $60,000",
    }
    return {**data, **overrides}


def call_data(area, *, now=None, **overrides):
    now = now or timezone.now()
    data = {
        "title": "Revenue models for curbside sensors",
        "problem": "Curb sensors cost more than **parking fees** bring in.",
        "asks": "An approach, a pilot offer and references.",
        "terms": "Submissions are shared with the coalition's members.",
        "focus_areas": [area],
        "government_level": "city",
        "is_public": True,
        "time_zone": "America/Chicago",
        "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=10),
        "evaluation_ends_at": now + dt.timedelta(days=20),
        "results_at": now + dt.timedelta(days=30),
    }
    return {**data, **overrides}


@pytest.fixture
def need(member, coalition, transportation):
    return services.post_need(by=member, coalition=coalition, data=need_data(transportation))


@pytest.fixture
def shared_need(need, other_member, other_coalition):
    third = CoalitionFactory(slug="kc", name="KC Digital Drive")
    kc_member = UserFactory()
    MembershipFactory(user=kc_member, coalition=third)
    services.cosign_need(need=need, by=other_member, coalition=other_coalition, context="Plano too.")
    services.cosign_need(need=need, by=kc_member, coalition=third, context="KC streetcar too.")
    need.refresh_from_db()
    return need


CRITERIA = [("Cost to the city", 3), ("Time to pilot", 2), ("References", 1)]


@pytest.fixture
def call(member, coalition, transportation) -> Call:
    return services.publish_call(by=member, coalition=coalition, data=call_data(transportation), criteria=CRITERIA)


@pytest.fixture
def members_call(member, coalition, transportation) -> Call:
    return services.publish_call(
        by=member,
        coalition=coalition,
        data=call_data(transportation, title="Shared fleet telematics", is_public=False),
        criteria=CRITERIA,
    )


def submission_data(**overrides):
    data = {
        "name": "Vera Vendor",
        "organization": "CurbWorks Inc.",
        "email": "vera@curbworks.example",
        "summary": "Sensors paid for by a share of new parking revenue.",
        "description": "We install at our cost and take **20%** of the increase.",
        "accepted_terms": True,
        "consents_to_be_named": True,
    }
    return {**data, **overrides}


def submission_body(**overrides):
    body = {k: ("on" if v is True else v) for k, v in submission_data().items() if v is not False}
    body["website"] = ""
    return {**body, **overrides}


@pytest.fixture
def submission(call) -> Submission:
    submission = services.submit_solution(call=call, data=submission_data())
    Submission.objects.filter(pk=submission.pk).update(verified_at=timezone.now())
    submission.refresh_from_db()
    return submission


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service, then the tasks it enqueued after commit (eagerly, as a worker would)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call
