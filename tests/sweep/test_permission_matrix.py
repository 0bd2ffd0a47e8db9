"""Every write endpoint, posted to with a valid body by every persona: who succeeds, who is refused.

The rules are the table in ``rules.py``, written from the issues. A refused persona
gets the refusal the table names (403, 404, a message, or the login page) and the database is
left exactly as it was; an allowed one gets a success and something changed.
"""

import pytest
from django.urls import reverse

from tests.sweep.outcomes import error_messages, is_login_redirect, isolated
from tests.sweep.rules import BAD, DENY, LOGIN, MATRIX_PERSONAS, OK, READS, REFUSE, SAY, WRITES
from tests.sweep.targets import portal_routes

pytestmark = pytest.mark.django_db

CASES = [(write, persona) for write in WRITES for persona in MATRIX_PERSONAS]
CASE_IDS = [f"{write.id}-{persona}" for write, persona in CASES]


def test_every_write_endpoint_is_in_the_matrix():
    """The matrix names only real URLs; the sweep checks that every other URL writes nothing."""
    names = {route.name for route in portal_routes()}
    assert sorted({write.name for write in WRITES} - names) == []


@pytest.mark.parametrize(("write", "persona"), CASES, ids=CASE_IDS)
def test_write_is_allowed_or_refused_by_role(write, persona, world, fresh_clients, baseline):
    url = reverse(write.name, kwargs=write.target(world))
    body = write.body(world, persona)
    expected = write.outcomes[persona]
    outcome = isolated(lambda: fresh_clients[persona].post(url, body), baseline=baseline)
    where = f"POST {url} as {persona} ({write.id}; expected {expected}: {write.why or 'the issues'})"
    assert not outcome.is_server_error, f"{where}: server error\n{outcome.error}"
    response, changed, status = outcome.response, outcome.changed, outcome.status

    if expected == OK:
        problems = error_messages(response) if status in (301, 302) else []
        assert status < 400 and not is_login_redirect(response), f"{where}: got {status}"
        assert not problems, f"{where}: refused with {problems}"
        if write.writes:
            assert changed, f"{where}: answered {status} but nothing was saved"
        else:
            assert status == 200 and not changed, f"{where}: got {status}, changed {changed}"
        return

    assert changed == [], f"{where}: got {status} and changed {changed}"
    if expected == LOGIN:
        assert is_login_redirect(response), f"{where}: got {status} {response.get('Location', '')}"
    elif expected == DENY:
        assert status == 403, f"{where}: got {status}"
    elif expected == REFUSE:
        assert status in (403, 404), f"{where}: got {status}"
    elif expected == BAD:
        assert status == 400, f"{where}: got {status}"
    elif expected == SAY:
        assert status == 302 and error_messages(response), f"{where}: got {status} without an error message"
    else:  # pragma: no cover
        raise AssertionError(f"unknown outcome {expected}")


READ_CASES = [(read, persona) for read in READS for persona in MATRIX_PERSONAS]


@pytest.mark.parametrize(("read", "persona"), READ_CASES, ids=[f"{r.id}-{p}" for r, p in READ_CASES])
def test_page_is_shown_or_refused_by_role(read, persona, world, fresh_clients):
    url = reverse(read.name, kwargs=read.target(world))
    expected = read.outcomes[persona]
    outcome = isolated(lambda: fresh_clients[persona].get(url))
    where = f"GET {url} as {persona} ({read.id}; expected {expected})"
    assert not outcome.is_server_error, f"{where}: server error\n{outcome.error}"
    response = outcome.response
    if expected == OK:
        assert outcome.status == 200, f"{where}: got {outcome.status}"
    elif expected == LOGIN:
        assert is_login_redirect(response), f"{where}: got {outcome.status}"
    elif expected == DENY:
        assert outcome.status == 403, f"{where}: got {outcome.status}"
    else:
        assert outcome.status in (403, 404), f"{where}: got {outcome.status}"
