"""Digests and reminders that differ only by their unsubscribe link are rendered once per chunk.

Members of one coalition who follow the same focus areas and share a time zone get the same
digest. The chunk renders it once with a placeholder for the link and puts each member's own link
in; what comes out must be exactly what rendering each member's email on its own gives.
"""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import mail as road
from notifications.compose import digest_context
from notifications.digests import build_digests, digest_users
from notifications.mail import render_email, send_deliveries, unsubscribe_url
from notifications.message import Message
from notifications.models import Delivery
from notifications.outbox import collect_keys
from notifications.services import dispatch_digests, run_reminder_tick
from notifications.tokens import DIGEST, REMINDERS, make_unsubscribe_token
from tests.factories import (
    AdoptionFactory,
    CommentFactory,
    FocusAreaFactory,
    MeetingFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)
from tests.factories.notifications import PreferenceFactory

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def chunk(frozen, coalition, other_coalition):
    """Six members: four who follow nothing (one of them an author with a comment on their
    practice), two who follow one area; a week of news for all of them."""
    area = FocusAreaFactory(name="Water", slug="water")
    users = []
    for i in range(6):
        user = UserFactory(email=f"m{i}@example.org", profile__full_name=f"Member Number{i}")
        MembershipFactory(user=user, coalition=coalition, joined=ago(400))
        PreferenceFactory(user=user, focus_areas=[area] if i >= 4 else [], next_digest_at=timezone.now())
        users.append(user)
    mine = PracticeFactory(title="Curb sensors", author=users[0], coalition=coalition, published_at=ago(2))
    AdoptionFactory(practice=mine, coalition=other_coalition, created=ago(1))
    CommentFactory(practice=mine, author=users[5], body="We tried this & it worked", created=ago(1))
    PracticeFactory(title="Leak sensors <pilot>", coalition=other_coalition, focus_areas=[area], published_at=ago(3))
    PracticeFactory(title="Heat maps", coalition=other_coalition, published_at=ago(4))
    MeetingFactory(start=timezone.now() + dt.timedelta(days=3), end=timezone.now() + dt.timedelta(days=3, hours=1))
    with collect_keys() as keys:
        dispatch_digests(now=timezone.now())
    return users, keys


def alone(user):
    """The digest email of ``user`` rendered on its own, without any sharing."""
    member = digest_users([user.pk]).get()
    digest = build_digests([member], now=timezone.now())[member.pk]
    return render_email(
        delivery=Delivery(user=member, kind=Delivery.Kind.DIGEST, key="alone"),
        message=Message(template="emails/digest", context=digest_context(digest), unsubscribe_kind=DIGEST),
        to_address=member.email,
    )


def test_a_shared_digest_is_exactly_what_each_member_would_get_alone(chunk):
    users, keys = chunk
    expected_emails = {user.email: alone(user) for user in users}  # before sending moves "since" on
    send_deliveries(keys=keys)

    sent = {message.to[0]: message for message in mail.outbox}
    assert len(sent) == 6
    for user in users:
        expected = expected_emails[user.email]
        got = sent[user.email]
        assert got.subject == expected.subject
        assert got.body == expected.body
        assert got.alternatives[0][0] == expected.alternatives[0][0]
        assert got.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(user_id=user.pk, kind=DIGEST)}>"


def test_each_member_gets_their_own_unsubscribe_link_and_no_one_elses(chunk):
    users, keys = chunk
    send_deliveries(keys=keys)

    links = {user.email: unsubscribe_url(user_id=user.pk, kind=DIGEST) for user in users}
    for message in mail.outbox:
        html = message.alternatives[0][0]
        own = links[message.to[0]]
        assert own in message.body and own in html
        assert road.LINK_PLACEHOLDER not in message.body + html
        assert not [link for address, link in links.items() if address != message.to[0] and link in message.body]


def test_a_chunk_renders_each_distinct_digest_once(chunk, monkeypatch):
    users, keys = chunk
    rendered = []
    original = road._render_parts

    def counting(message, zone, **kwargs):
        rendered.append(zone)
        return original(message, zone, **kwargs)

    monkeypatch.setattr(road, "_render_parts", counting)
    send_deliveries(keys=keys)

    # Three different digests: the author (their own practice left out, a comment and an adoption
    # shown), the two who follow Water, and the three others alike.
    assert len(mail.outbox) == 6
    assert len(rendered) == 3


def test_a_reminder_is_rendered_once_per_zone_and_each_invitee_gets_their_own_time_and_link(
    run, meeting_tomorrow, coalition, monkeypatch
):
    zones = ["America/Denver", "America/Denver", "America/New_York", "America/Denver"]
    users = [
        UserFactory(email=f"r{i}@example.org", profile__time_zone=zone, profile__full_name=f"Invitee Number{i}")
        for i, zone in enumerate(zones)
    ]
    for user in users:
        MembershipFactory(user=user, coalition=coalition)
    rendered = []
    original = road._render_parts

    def counting(message, zone, **kwargs):
        rendered.append(zone)
        return original(message, zone, **kwargs)

    monkeypatch.setattr(road, "_render_parts", counting)
    run(run_reminder_tick)

    sent = {message.to[0]: message for message in mail.outbox}
    assert sorted(rendered) == ["America/Denver", "America/New_York"]
    for user, zone in zip(users, zones, strict=True):
        message = sent[user.email]
        assert ("EST" if zone == "America/New_York" else "MST") in message.subject
        own = unsubscribe_url(user_id=user.pk, kind=REMINDERS)
        assert own in message.body and own in message.alternatives[0][0]
        assert message.extra_headers["List-Unsubscribe"] == f"<{own}>"
        assert "Invitee Number" not in message.body


@pytest.mark.parametrize("kind", [DIGEST, REMINDERS])
def test_an_unsubscribe_link_is_what_reverse_gives_for_its_token(kind):
    for user_id in (1, 42, 987654321):
        token = make_unsubscribe_token(user_id=user_id, kind=kind)
        expected = "http://testserver" + reverse("notifications:unsubscribe", args=[token])
        assert unsubscribe_url(user_id=user_id, kind=kind) == expected
