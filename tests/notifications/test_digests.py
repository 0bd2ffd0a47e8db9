"""Digests: schedule in each member's zone, what they hold, empty ones skipped, constant queries."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from coalitions.models import Membership
from notifications.digests import build_digests, digest_period, digest_users, next_digest_slot
from notifications.mail import send_deliveries
from notifications.models import Delivery, Preference
from notifications.services import ensure_preferences, run_digest_tick
from practices.models import Practice
from tests.factories import (
    AdoptionFactory,
    CoalitionFactory,
    CommentFactory,
    FocusAreaFactory,
    MeetingFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)
from tests.factories.notifications import DeliveryFactory, PreferenceFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def ago(days):
    return timezone.now() - dt.timedelta(days=days)


def digest_for(user):
    return build_digests(list(digest_users([user.pk])), now=timezone.now())[user.pk]


def titles(section):
    return [item.title for item in section.items]


@pytest.fixture
def joined_long_ago(member):
    Membership.objects.filter(user=member).update(joined=ago(400))
    return member


# --- Schedule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "weekly_utc", "monthly_utc"),
    [
        (
            "America/Phoenix",
            dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC),
        ),
        (
            "America/New_York",
            dt.datetime(2026, 11, 16, 13, 0, tzinfo=dt.UTC),
            dt.datetime(2026, 12, 1, 13, 0, tzinfo=dt.UTC),
        ),
    ],
)
def test_digests_are_due_at_eight_local_on_monday_and_on_the_first(frozen, zone, weekly_utc, monthly_utc):
    now = timezone.now()  # Tuesday, November 10, 2026

    assert next_digest_slot(frequency="weekly", zone_name=zone, after=now) == weekly_utc
    assert next_digest_slot(frequency="monthly", zone_name=zone, after=now) == monthly_utc
    assert next_digest_slot(frequency="off", zone_name=zone, after=now) is None


def test_weekly_slot_follows_the_end_of_daylight_saving_in_new_york():
    after = dt.datetime(2026, 10, 27, 12, 0, tzinfo=dt.UTC)
    # Monday, November 2, 08:00 EST (DST ended on November 1): 13:00 UTC, not 12:00.
    assert next_digest_slot(frequency="weekly", zone_name="America/New_York", after=after) == dt.datetime(
        2026, 11, 2, 13, 0, tzinfo=dt.UTC
    )


def test_a_monday_slot_exactly_at_eight_moves_to_the_next_week():
    eight = dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)  # 08:00 MST
    assert next_digest_slot(frequency="weekly", zone_name="America/Phoenix", after=eight) == eight + 7 * DAY


def test_periods_are_named_by_iso_week_and_month():
    slot = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.UTC)
    assert digest_period(frequency="weekly", slot=slot, zone_name="America/Phoenix") == "2026-W49"
    assert digest_period(frequency="monthly", slot=slot, zone_name="America/Phoenix") == "2026-11"


def test_ensure_preferences_schedules_every_member_once(frozen, member, other_member, outsider):
    assert ensure_preferences(now=timezone.now()) == 2
    assert ensure_preferences(now=timezone.now()) == 0

    alice = Preference.objects.get(user=member)
    assert alice.digest_frequency == Preference.Frequency.WEEKLY
    assert alice.next_digest_at == dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC)  # Denver, MST
    assert not Preference.objects.filter(user=outsider).exists()  # Erin belongs to no coalition


# --- Selection -------------------------------------------------------------------------------


def test_digest_holds_only_practices_in_followed_focus_areas(frozen, joined_long_ago):
    # The slug of the default "Cybersecurity" area: the factory finds it when migrations created it.
    water, cyber = FocusAreaFactory(name="Water", slug="water"), FocusAreaFactory(slug="cybersecurity")
    PreferenceFactory(user=joined_long_ago, focus_areas=[water])
    PracticeFactory(title="Leak sensors", focus_areas=[water], published_at=ago(2))
    PracticeFactory(title="Ransomware drill", focus_areas=[cyber], published_at=ago(2))

    assert titles(digest_for(joined_long_ago).practices) == ["Leak sensors"]


def test_no_followed_focus_areas_means_all(frozen, joined_long_ago):
    # The slug of the default "Cybersecurity" area: the factory finds it when migrations created it.
    water, cyber = FocusAreaFactory(name="Water", slug="water"), FocusAreaFactory(slug="cybersecurity")
    PracticeFactory(title="Leak sensors", focus_areas=[water], published_at=ago(2))
    PracticeFactory(title="Ransomware drill", focus_areas=[cyber], published_at=ago(3))

    assert titles(digest_for(joined_long_ago).practices) == ["Leak sensors", "Ransomware drill"]


def test_first_weekly_digest_looks_back_a_week_and_monthly_a_month(frozen, joined_long_ago, other_member):
    Membership.objects.filter(user=other_member).update(joined=ago(400))
    PreferenceFactory(user=other_member, digest_frequency=Preference.Frequency.MONTHLY)
    PracticeFactory(title="This week", published_at=ago(3))
    PracticeFactory(title="This month", published_at=ago(20))
    PracticeFactory(title="Last quarter", published_at=ago(80))

    assert titles(digest_for(joined_long_ago).practices) == ["This week"]
    assert titles(digest_for(other_member).practices) == ["This week", "This month"]


def test_digest_starts_at_the_previous_digest(frozen, joined_long_ago):
    PreferenceFactory(user=joined_long_ago, last_digest_sent_at=ago(2))
    PracticeFactory(title="After the last digest", published_at=ago(1))
    PracticeFactory(title="Already in the last digest", published_at=ago(3))

    assert titles(digest_for(joined_long_ago).practices) == ["After the last digest"]


def test_digest_never_reaches_back_before_the_member_joined(frozen, member):
    Membership.objects.filter(user=member).update(joined=ago(2))
    PracticeFactory(title="After joining", published_at=ago(1))
    PracticeFactory(title="Before joining", published_at=ago(4))

    assert titles(digest_for(member).practices) == ["After joining"]


def test_drafts_hidden_and_own_practices_stay_out(frozen, joined_long_ago):
    PracticeFactory(title="Draft", status=Practice.Status.DRAFT, published_at=ago(1))
    PracticeFactory(title="Hidden", is_hidden=True, published_at=ago(1))
    PracticeFactory(title="Mine", author=joined_long_ago, published_at=ago(1))
    PracticeFactory(title="News", published_at=ago(1))

    assert titles(digest_for(joined_long_ago).practices) == ["News"]


def test_digest_holds_adoptions_of_our_practices_and_comments_on_mine(frozen, joined_long_ago, coalition, other_member):
    other = other_member.memberships.get().coalition
    ours = PracticeFactory(title="Our RFP", coalition=coalition, author=joined_long_ago, published_at=ago(60))
    theirs = PracticeFactory(title="Their pilot", coalition=other, published_at=ago(60))
    AdoptionFactory(practice=ours, coalition=other, created=ago(1))
    AdoptionFactory(practice=theirs, coalition=CoalitionFactory(), created=ago(1))
    CommentFactory(practice=ours, author=other_member, body="How long did procurement take?", created=ago(1))
    CommentFactory(practice=ours, author=joined_long_ago, body="My own reply", created=ago(1))
    CommentFactory(practice=ours, author=other_member, body="Hidden", is_hidden=True, created=ago(1))

    digest = digest_for(joined_long_ago)

    assert [(a.coalition.name, a.practice.title) for a in digest.adoptions.items] == [(other.name, "Our RFP")]
    assert [c.body for c in digest.comments.items] == ["How long did procurement take?"]


def test_upcoming_meetings_alone_are_no_news(frozen, joined_long_ago):
    MeetingFactory(start=timezone.now() + 3 * DAY, end=timezone.now() + 3 * DAY + dt.timedelta(hours=1))

    digest = digest_for(joined_long_ago)

    assert len(digest.meetings) == 1
    assert digest.is_empty


def test_building_digests_takes_the_same_queries_for_5_and_50_members(frozen, coalition, django_assert_max_num_queries):
    areas = [FocusAreaFactory(name=f"Area {i}", slug=f"area-{i}") for i in range(3)]
    users = []
    for i in range(50):
        user = UserFactory(profile__time_zone=["America/Phoenix", "America/New_York", ""][i % 3])
        MembershipFactory(user=user, coalition=coalition, joined=ago(400))
        PreferenceFactory(user=user, focus_areas=areas[: i % 3])
        users.append(user)
    for i in range(12):
        practice = PracticeFactory(
            author=users[i], coalition=coalition, focus_areas=[areas[i % 3]], published_at=ago(i % 6)
        )
        AdoptionFactory(practice=practice, created=ago(1))
        CommentFactory(practice=practice, author=users[i + 1], created=ago(1))
    MeetingFactory(start=timezone.now() + 3 * DAY, end=timezone.now() + 3 * DAY + dt.timedelta(hours=1))
    ids = [u.pk for u in users]

    for size in (5, 50):
        # Members (3: users, memberships, followed areas), the period's content (6: practices, their
        # areas, adoptions, meetings, new calls, shared needs), then comments and the practices and
        # adoptions shown (3).
        with django_assert_max_num_queries(12):
            digests = build_digests(list(digest_users(ids[:size])), now=timezone.now())
            for digest in digests.values():  # everything the templates read is loaded already
                [(p.coalition.short_name, p.title) for p in digest.practices.items]
                [(a.coalition.name, a.practice.title) for a in digest.adoptions.items]
                [(c.author.profile.display_name, c.practice.title) for c in digest.comments.items]
        assert len(digests) == size
        assert any(not d.is_empty for d in digests.values())


# --- Sending ---------------------------------------------------------------------------------


def test_sending_a_chunk_of_digests_writes_two_rows_per_member_and_reads_a_fixed_number(
    frozen, coalition, django_assert_max_num_queries
):
    users = []
    for _ in range(20):
        user = UserFactory()
        MembershipFactory(user=user, coalition=coalition, joined=ago(400))
        PreferenceFactory(user=user)
        users.append(user)
    PracticeFactory(title="Leak sensors", published_at=ago(1))
    keys = []
    for user in users:
        keys.append(DeliveryFactory(user=user, kind=Delivery.Kind.DIGEST, params={"period": "2026-W46"}).key)

    # Reads: claim, the rows, their users and what the digests hold. Writes: per email, its "sent"
    # mark (right after the send, for exactly-once) and the member's "last digest" time.
    with django_assert_max_num_queries(16 + 2 * len(users)):
        report = send_deliveries(keys=keys)

    assert len(report.sent) == 20


def test_digest_tick_sends_each_due_member_one_digest_per_period(run, frozen, joined_long_ago):
    run(run_digest_tick)  # Tuesday: schedules Alice for Monday 08:00 in Denver
    frozen.move_to(dt.datetime(2026, 11, 16, 15, 5, tzinfo=dt.UTC))  # Monday 08:05 in Denver
    PracticeFactory(title="Leak sensors", published_at=ago(2))

    run(run_digest_tick)
    run(run_digest_tick)

    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "Your weekly digest: 1 new practice"
    assert "Leak sensors" in message.body
    assert Delivery.objects.get(kind=Delivery.Kind.DIGEST).key == f"digest:{joined_long_ago.pk}:2026-W47"
    preference = Preference.objects.get(user=joined_long_ago)
    assert preference.next_digest_at == dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
    assert preference.last_digest_sent_at == timezone.now()


def test_digest_is_not_sent_before_eight_local(run, frozen, joined_long_ago):
    PracticeFactory(published_at=ago(2))
    run(run_digest_tick)  # schedules Alice for Monday 08:00 Denver
    frozen.move_to(dt.datetime(2026, 11, 16, 14, 55, tzinfo=dt.UTC))  # 07:55 in Denver

    run(run_digest_tick)

    assert mail.outbox == []


def test_nothing_new_means_no_email(run, frozen, joined_long_ago):
    run(run_digest_tick)
    frozen.move_to(dt.datetime(2026, 11, 16, 15, 5, tzinfo=dt.UTC))

    run(run_digest_tick)

    assert mail.outbox == []
    delivery = Delivery.objects.get(kind=Delivery.Kind.DIGEST)
    assert (delivery.status, delivery.last_error) == (Delivery.Status.SKIPPED, "nothing new")
    # The next digest still covers everything since the last one that went out.
    assert Preference.objects.get(user=joined_long_ago).last_digest_sent_at is None


def test_monthly_members_get_theirs_on_the_first(run, frozen, joined_long_ago):
    PreferenceFactory(user=joined_long_ago, digest_frequency=Preference.Frequency.MONTHLY)
    PracticeFactory(title="Leak sensors", published_at=ago(2))
    ensure_preferences(now=timezone.now())
    Preference.objects.filter(user=joined_long_ago).update(
        next_digest_at=dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
    )
    frozen.move_to(dt.datetime(2026, 11, 16, 15, 5, tzinfo=dt.UTC))
    run(run_digest_tick)
    assert mail.outbox == []

    frozen.move_to(dt.datetime(2026, 12, 1, 15, 5, tzinfo=dt.UTC))
    run(run_digest_tick)

    (message,) = mail.outbox
    assert message.subject == "Your monthly digest: 1 new practice"
    assert Delivery.objects.get(kind=Delivery.Kind.DIGEST).key.endswith(":2026-12")


def test_digest_times_are_in_the_members_zone(run, frozen, coalition):
    for address, zone in [("phx@example.org", "America/Phoenix"), ("nyc@example.org", "America/New_York")]:
        MembershipFactory(
            user=UserFactory(email=address, profile__time_zone=zone), coalition=coalition, joined=ago(400)
        )
    PracticeFactory(published_at=ago(1))
    start = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC)
    MeetingFactory(title="Water roundtable", start=start, end=start + dt.timedelta(hours=1))
    ensure_preferences(now=timezone.now())
    Preference.objects.update(next_digest_at=timezone.now())

    run(run_digest_tick)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Fri 20 Nov 2026, 11:00 MST (your time and Denver)" in by_address["phx@example.org"].body
    assert "Fri 20 Nov 2026, 13:00 EST (your time) · 11:00 MST (Denver)" in by_address["nyc@example.org"].body
