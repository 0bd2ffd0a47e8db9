"""Digests list new calls for solutions and newly co-signed shared needs in the member's followed focus
areas: partnership-only calls and needs for members only, with a fixed number of queries per chunk."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from calls import services
from calls.models import Need
from coalitions.models import Membership
from notifications.digests import build_digests, digest_users
from notifications.mail import send_deliveries
from notifications.models import Delivery
from tests.factories import CoalitionFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.factories.notifications import DeliveryFactory, PreferenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(db):
    return FocusAreaFactory(slug="transportation", name="Transportation"), FocusAreaFactory(slug="water", name="Water")


def publish(by, coalition, area, title, *, is_public=True):
    now = timezone.now()
    data = {
        "title": title, "problem": "A problem.", "asks": "An approach.", "terms": "Terms.", "focus_areas": [area],
        "is_public": is_public, "time_zone": "America/Chicago", "opens_at": now,
        "closes_at": now + dt.timedelta(days=9), "evaluation_ends_at": now + dt.timedelta(days=19),
        "results_at": now + dt.timedelta(days=29),
    }  # fmt: skip
    return services.publish_call(by=by, coalition=coalition, data=data, criteria=[("Cost", 1)])


def shared_need(by, coalition, area, title) -> Need:
    need = services.post_need(by=by, coalition=coalition, data={"title": title, "problem": "It hurts.",
                                                                 "focus_areas": [area]})  # fmt: skip
    for n in range(2):
        other = CoalitionFactory(slug=f"co-{title[:4].lower()}-{n}")
        signer = UserFactory()
        MembershipFactory(user=signer, coalition=other)
        services.cosign_need(need=need, by=signer, coalition=other, context="Same here.")
    return need


@pytest.fixture
def long_standing(member, outsider):
    """Alice joined her coalition and Erin signed up long ago: a digest looks a whole period back."""
    long_ago = timezone.now() - dt.timedelta(days=400)
    Membership.objects.filter(user=member).update(joined=long_ago)
    type(outsider).objects.filter(pk=outsider.pk).update(date_joined=long_ago)


def digest_for(user):
    return build_digests(list(digest_users([user.pk])), now=timezone.now() + dt.timedelta(minutes=1))[user.pk]


def test_members_get_new_calls_and_shared_needs_in_their_areas_outsiders_public_calls_only(
    frozen, member, outsider, coalition, areas, long_standing
):
    transportation, water = areas
    for user in (member, outsider):
        PreferenceFactory(user=user, focus_areas=[transportation])
    public = publish(member, coalition, transportation, "Curb sensors that pay for themselves")
    internal = publish(member, coalition, transportation, "Fleet telematics, partnership only", is_public=False)
    publish(member, coalition, water, "Leak detection")  # not followed
    need = shared_need(member, coalition, transportation, "Counting riders at stops")
    services.post_need(by=member, coalition=coalition, data={"title": "Nobody shares this", "problem": "x",
                                                              "focus_areas": [transportation]})  # fmt: skip

    members = digest_for(member)
    outsiders = digest_for(outsider)

    assert [c.title for c in members.calls.items] == [internal.title, public.title]
    assert [n.title for n in members.needs.items] == [need.title]
    assert [c.title for c in outsiders.calls.items] == [public.title] and outsiders.needs.total == 0


def test_a_digest_with_only_a_new_call_is_sent_and_shows_it(frozen, member, coalition, areas, long_standing):
    PreferenceFactory(user=member)
    call = publish(member, coalition, areas[0], "Curb sensors that pay for themselves")
    frozen.move_to(timezone.now() + dt.timedelta(hours=1))
    delivery = DeliveryFactory(user=member, kind=Delivery.Kind.DIGEST, params={"period": "2026-W46"})

    send_deliveries(keys=[delivery.key])

    (message,) = mail.outbox
    assert call.title in message.body and f"/calls/{call.pk}/" in message.body
    assert "NEW CALLS FOR SOLUTIONS" in message.body


def test_calls_and_needs_cost_no_query_per_member(frozen, coalition, areas, django_assert_max_num_queries):
    users = []
    for i in range(30):
        user = UserFactory()
        MembershipFactory(user=user, coalition=coalition, joined=timezone.now() - dt.timedelta(days=400))
        PreferenceFactory(user=user, focus_areas=[areas[i % 2]])
        users.append(user)
    for i in range(6):
        publish(users[0], coalition, areas[i % 2], f"Call {i}", is_public=bool(i % 3))
    shared_need(users[0], coalition, areas[0], "Counting riders at stops")
    ids = [u.pk for u in users]

    for size in (3, 30):
        with django_assert_max_num_queries(12):
            digests = build_digests(list(digest_users(ids[:size])), now=timezone.now() + dt.timedelta(minutes=1))
            for digest in digests.values():
                [(c.title, c.coalition, c.get_absolute_url()) for c in digest.calls.items]
        assert all(d.calls.total == 3 for d in digests.values())
