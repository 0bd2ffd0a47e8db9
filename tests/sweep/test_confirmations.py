"""Every action that removes, revokes, withdraws, deletes, cancels or resets asks first.

For each such write in the matrix (its body is ``CONFIRMED``): a GET shows the confirmation page,
whose form posts back with ``confirmed=yes`` and needs no JavaScript, and a POST that did not
come from that page (a stale form, a replayed request) shows the page again and changes nothing.
The list of destructive URL names is read from the URLconf, so a new "delete" URL without a
confirmation fails here.
"""

import re

import pytest
from django.urls import reverse

from tests.sweep.outcomes import isolated
from tests.sweep.rules import CONFIRMED, OK, WRITES
from tests.sweep.targets import portal_routes

pytestmark = pytest.mark.django_db

# Hiding (moderation) is left out: "restore" on the same queue undoes it. Unsubscribing has its own
# signed page. Rejecting a join request deletes nothing (the person may ask again), but it emails them
# at once, so it asks first too (it is CONFIRMED in the matrix).
DESTRUCTIVE = re.compile(r"delete|remove|revoke|cancel|withdraw|leave|reset|reject")

CONFIRMED_WRITES = [write for write in WRITES if write.body is CONFIRMED]


def _first_allowed(write) -> str:
    return next(persona for persona, outcome in write.outcomes.items() if outcome == OK)


def test_every_destructive_url_is_confirmed_in_the_matrix():
    destructive = {route.name for route in portal_routes() if DESTRUCTIVE.search(route.name.rsplit(":", 1)[-1])}
    confirmed = {write.name for write in CONFIRMED_WRITES}
    assert destructive - confirmed == set()


@pytest.mark.parametrize("write", CONFIRMED_WRITES, ids=[write.id for write in CONFIRMED_WRITES])
def test_a_destructive_action_asks_first_and_a_stray_post_changes_nothing(write, world, fresh_clients, baseline):
    persona = _first_allowed(write)
    client = fresh_clients[persona]
    url = reverse(write.name, kwargs=write.target(world))

    for send in (lambda: client.get(url), lambda: client.post(url)):
        outcome = isolated(send, baseline=baseline)
        page = outcome.response.content.decode() if outcome.response else outcome.error
        assert outcome.status == 200, f"{write.id} as {persona}: {outcome.status}"
        assert outcome.changed == [], f"{write.id}: changed {outcome.changed} before it was confirmed"
        assert re.search(r'<form method="post"[^>]*>', page), f"{write.id}: no form to confirm with"
        assert 'name="confirmed" value="yes"' in page, f"{write.id}: the page's form does not confirm"
        assert "<h1>" in page and "?</h1>" in page, f"{write.id}: the page does not ask"
