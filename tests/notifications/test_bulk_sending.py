"""A chunk is claimed and marked in bulk, and a digest run loads its content once.

Exactly-once is pinned by test_exactly_once, test_send_races and test_send_time_checks; these
prove the bulk paths themselves: a fixed number of queries whatever the chunk holds, each row's
own outcome in the one UPDATE, no "sent" row left unmarked while a slow SMTP server stalls the
next send, and one load of the period's practices for all the chunks of a run, on any worker.
"""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import digests, tasks
from notifications.mail import send_deliveries
from notifications.models import Delivery, Preference
from notifications.outbox import collect_keys
from notifications.services import dispatch_digests
from tests.factories import (
    AdoptionFactory,
    CommentFactory,
    FocusAreaFactory,
    MeetingFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)
from tests.factories.notifications import DeliveryFactory, PreferenceFactory

pytestmark = pytest.mark.django_db


def ago(days):
    return timezone.now() - dt.timedelta(days=days)


def members(coalition, count, *, start=0):
    """``count`` members of ``coalition``, due for their digest now; some follow focus areas."""
    areas = [FocusAreaFactory(name=f"Area {start}-{i}", slug=f"area-{start}-{i}") for i in range(2)]
    users = []
    for i in range(count):
        user = UserFactory(email=f"m{start + i}@example.org")
        MembershipFactory(user=user, coalition=coalition, joined=ago(400))
        PreferenceFactory(user=user, focus_areas=areas[: i % 3], next_digest_at=timezone.now())
        users.append(user)
    return users, areas


def news(users, areas, coalition, other_coalition):
    for i, area in enumerate(areas):
        practice = PracticeFactory(author=users[i], coalition=coalition, focus_areas=[area], published_at=ago(1 + i))
        AdoptionFactory(practice=practice, coalition=other_coalition, created=ago(1))
        CommentFactory(practice=practice, author=users[-1], created=ago(1))
    PracticeFactory(title="Leak sensors", coalition=other_coalition, published_at=ago(2))
    MeetingFactory(start=timezone.now() + dt.timedelta(days=3), end=timezone.now() + dt.timedelta(days=3, hours=1))


def fan_out():
    with collect_keys() as keys:
        dispatch_digests(now=timezone.now())
    return keys


def test_sending_a_chunk_takes_the_same_queries_for_4_and_40_digests(frozen, coalition, other_coalition):
    counts = {}
    for size, start in ((4, 0), (40, 100)):
        users, areas = members(coalition, size, start=start)
        news(users, areas, coalition, other_coalition)
        keys = fan_out()
        mail.outbox.clear()

        with CaptureQueriesContext(connection) as queries:
            report = send_deliveries(keys=keys)

        assert len(report.sent) == size
        counts[size] = len(queries)
        Preference.objects.update(next_digest_at=None)  # the next size's fan-out takes only its own

    # Claim, the rows and their users (3), the run's content (6, once per run: practices, their areas,
    # adoptions, meetings, new calls and shared needs), comments and the practices and adoptions shown (3),
    # followed areas (1), one UPDATE for every outcome, one for the members' "last digest" time.
    assert counts[4] == counts[40]
    assert counts[40] <= 16


def test_sending_reminders_takes_the_same_queries_for_2_and_20_members(
    run, frozen, meeting_tomorrow, coalition, django_assert_max_num_queries
):
    counts = {}
    for size in (2, 20):
        for i in range(size):
            MembershipFactory(user=UserFactory(email=f"r{size}-{i}@example.org"), coalition=coalition)
        keys = []
        for user in [m.user for m in coalition.memberships.select_related("user")][-size:]:
            keys.append(
                DeliveryFactory(
                    key=f"reminder:{meeting_tomorrow.pk}:{user.pk}:1d:{size}",
                    kind=Delivery.Kind.REMINDER,
                    user=user,
                    meeting=meeting_tomorrow,
                    meeting_start=meeting_tomorrow.start,
                    params={"lead": "1d"},
                ).key
            )
        with CaptureQueriesContext(connection) as queries:
            report = send_deliveries(keys=keys)
        assert len(report.sent) == size
        counts[size] = len(queries)

    assert counts[2] == counts[20]


def test_one_update_records_each_rows_own_subject_address_and_skip_reason(frozen, coalition, other_coalition):
    users, areas = members(coalition, 3)
    news(users, areas, coalition, other_coalition)
    quiet = UserFactory(email="quiet@example.org")  # joined today: nothing new for them yet
    MembershipFactory(user=quiet, coalition=coalition)
    PreferenceFactory(user=quiet, next_digest_at=timezone.now())
    keys = fan_out()
    mail.outbox.clear()

    with CaptureQueriesContext(connection) as queries:
        report = send_deliveries(keys=keys)

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "notifications_delivery"')]
    assert len(updates) == 2  # the claim, and every outcome of the chunk
    assert len(report.sent) == 3 and len(report.skipped) == 1
    rows = {row.user.email: row for row in Delivery.objects.select_related("user")}
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    for address, subject in subjects.items():
        assert (rows[address].status, rows[address].subject, rows[address].to_address) == (
            Delivery.Status.SENT,
            subject,
            address,
        )
        assert rows[address].sent_at == timezone.now()
    assert (rows["quiet@example.org"].status, rows["quiet@example.org"].last_error) == (
        Delivery.Status.SKIPPED,
        "nothing new",
    )
    assert rows["quiet@example.org"].sent_at is None
    assert set(
        Preference.objects.filter(last_digest_sent_at=timezone.now()).values_list("user__email", flat=True)
    ) == set(subjects)


class StallingBackend(locmem.EmailBackend):
    """Every SMTP conversation takes a (frozen) second; records what the database holds meanwhile."""

    traveller = None
    seen: list[dict] = []

    def send_messages(self, messages):
        StallingBackend.seen.append(dict(Delivery.objects.values_list("to_address", "status")))
        StallingBackend.traveller.shift(dt.timedelta(seconds=1))
        return super().send_messages(messages)


def test_after_a_slow_send_the_sent_rows_are_marked_before_the_next_conversation(frozen, settings, coalition):
    """A worker killed while a stalled server holds it must not leave earlier, delivered emails
    looking unsent (a later run would send them again)."""
    settings.EMAIL_BACKEND = "tests.notifications.test_bulk_sending.StallingBackend"
    StallingBackend.traveller, StallingBackend.seen = frozen, []
    users, areas = members(coalition, 3)
    PracticeFactory(title="Leak sensors", published_at=ago(2), focus_areas=areas)
    keys = fan_out()

    send_deliveries(keys=keys)

    # While the n-th email is in its SMTP conversation, the n-1 before it are marked sent.
    sent_before = [sorted(s for s in seen.values()).count(Delivery.Status.SENT) for seen in StallingBackend.seen]
    assert sent_before == [0, 1, 2]
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_failed_send_in_the_middle_of_a_chunk_leaves_the_others_marked_sent(smtp, frozen, coalition):
    users, areas = members(coalition, 3)
    PracticeFactory(title="Leak sensors", published_at=ago(2), focus_areas=areas)
    keys = fan_out()
    smtp.script = [None, smtplib.SMTPResponseException(550, b"No such user"), None]

    report = send_deliveries(keys=keys)

    assert len(report.sent) == 2 and len(report.failed) == 1
    statuses = sorted(Delivery.objects.values_list("status", flat=True))
    assert statuses == [Delivery.Status.FAILED, Delivery.Status.SENT, Delivery.Status.SENT]


@pytest.fixture
def loads(monkeypatch):
    """Counts how often the period's content is read from the database."""
    calls = []
    original = digests.PeriodContent.__init__

    def init(self, **kwargs):
        calls.append(kwargs)
        original(self, **kwargs)

    monkeypatch.setattr(digests.PeriodContent, "__init__", init)
    return calls


def test_a_run_loads_its_content_once_for_all_its_chunks_and_workers(settings, frozen, coalition, loads):
    settings.NOTIFICATIONS_CHUNK_SIZE = 3
    users, areas = members(coalition, 7)
    PracticeFactory(title="Leak sensors", published_at=ago(2), focus_areas=areas)
    keys = fan_out()
    chunks = [keys[i : i + 3] for i in range(0, len(keys), 3)]

    send_deliveries(keys=chunks[0])
    send_deliveries(keys=chunks[1])
    digests._RUNS.clear()  # another worker: nothing in its memory, the run's content in the shared cache
    send_deliveries(keys=chunks[2])

    assert len(loads) == 1
    assert len(mail.outbox) == 7
    assert all("Leak sensors" in message.body for message in mail.outbox)


def test_a_digest_holds_what_was_new_when_its_run_began_and_the_next_one_the_rest(frozen, coalition):
    users, areas = members(coalition, 1)
    PracticeFactory(title="Leak sensors", published_at=ago(2), focus_areas=areas)
    keys = fan_out()
    frozen.shift(dt.timedelta(minutes=5))  # the chunk waited in the queue
    PracticeFactory(title="Curb sensors", published_at=timezone.now())

    send_deliveries(keys=keys)

    (message,) = mail.outbox
    assert "Leak sensors" in message.body and "Curb sensors" not in message.body
    # The next digest starts where this one's run began, so it holds "Curb sensors".
    assert Preference.objects.get(user=users[0]).last_digest_sent_at == timezone.now() - dt.timedelta(minutes=5)


@pytest.fixture
def fan_out_chunks(settings, monkeypatch):
    """Chunks of three; records the members each fan-out task is handed."""
    settings.NOTIFICATIONS_CHUNK_SIZE = 3
    handed: list[list[int]] = []
    original = tasks.fan_out_digests.run

    def fan_out_digests(user_ids, now, run):
        handed.append(list(user_ids))
        return original(user_ids=user_ids, now=now, run=run)

    monkeypatch.setattr(tasks.fan_out_digests, "run", fan_out_digests)
    return handed


def test_the_digest_tick_hands_the_fan_out_to_the_workers_in_chunks(run, frozen, coalition, fan_out_chunks):
    users, areas = members(coalition, 7)
    PracticeFactory(title="Leak sensors", published_at=ago(2), focus_areas=areas)

    run(tasks.tick_digests.delay)
    run(tasks.tick_digests.delay)  # nobody is due any more

    assert [len(chunk) for chunk in fan_out_chunks] == [3, 3, 1]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 7
    # One run: every row of the fan-out carries the same run id.
    assert len({row.params["run"] for row in Delivery.objects.all()}) == 1


def test_a_fan_out_chunk_run_twice_adds_nothing_and_schedules_no_early_digest(run, frozen, coalition):
    users, areas = members(coalition, 3)
    PracticeFactory(title="Leak sensors", published_at=ago(2), focus_areas=areas)
    ids = [u.pk for u in users]
    now = timezone.now().isoformat()

    run(tasks.fan_out_digests.delay, user_ids=ids, now=now, run="r1")
    scheduled = dict(Preference.objects.values_list("user_id", "next_digest_at"))
    run(tasks.fan_out_digests.delay, user_ids=ids, now=now, run="r1")  # the broker delivered it twice

    assert len(mail.outbox) == 3
    assert Delivery.objects.count() == 3
    assert dict(Preference.objects.values_list("user_id", "next_digest_at")) == scheduled
