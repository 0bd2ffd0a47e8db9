"""Every email leaves once: reruns, SMTP trouble and dead workers neither lose nor double it."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from notifications.mail import send_deliveries
from notifications.models import BouncedAddress, Delivery, Dispatch
from notifications.outbox import collect_keys
from notifications.services import run_reminder_tick
from notifications.tasks import tick_reminders
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminder_task_run_twice_sends_one_email_per_member(
    run, meeting_tomorrow, member, coalition_admin, other_member
):
    run(tick_reminders.delay)
    run(tick_reminders.delay)

    assert recipients() == ["alice@example.org", "bob@example.org", "charlie@example.org"]
    assert Delivery.objects.filter(kind=Delivery.Kind.REMINDER, status=Delivery.Status.SENT).count() == 3


def test_sending_the_same_keys_again_sends_nothing_more(run, meeting_tomorrow, member):
    run(run_reminder_tick)
    keys = list(Delivery.objects.values_list("key", flat=True))

    report = send_deliveries(keys=keys)

    assert len(mail.outbox) == 1
    assert report.sent == []


def test_the_send_task_reports_what_it_sent_and_skipped_for_the_worker_log(run, meeting_tomorrow, member):
    """Celery logs a task's return value ("succeeded in 0.2s: {...}"): the only trace of a chunk's outcome
    in the worker's log."""
    from notifications.outbox import deliver

    run(run_reminder_tick)
    keys = list(Delivery.objects.values_list("key", flat=True))
    mail.outbox.clear()

    assert deliver.run(keys=keys) == {"sent": 0, "skipped": 0, "failed": 0}  # already sent: not claimed
    Delivery.objects.filter(key__in=keys).update(status=Delivery.Status.PENDING, sent_at=None)
    assert deliver.run(keys=keys) == {"sent": 1, "skipped": 0, "failed": 0}
    assert recipients() == ["alice@example.org"]


def test_smtp_failure_then_recovery_sends_exactly_once(run, smtp, meeting_tomorrow, member):
    smtp.script = [smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), TimeoutError("timed out")]

    run(run_reminder_tick)

    delivery = Delivery.objects.get(user=member)
    assert len(mail.outbox) == 1
    assert smtp.calls == 3  # two failures, retried with backoff (eagerly here), then success
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 3


def test_transient_failure_is_recorded_with_a_later_attempt_time(smtp, frozen, member):
    delivery = _pending_digest_for(member)
    smtp.script = [smtplib.SMTPResponseException(451, b"Try again later")]

    report = send_deliveries(keys=[delivery.key])

    delivery.refresh_from_db()
    assert report.retry_keys == [delivery.key]
    assert report.retry_countdown == 60
    assert delivery.status == Delivery.Status.PENDING
    assert "451" in delivery.last_error
    assert delivery.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)


def test_transient_failures_give_up_after_max_attempts(settings, run, smtp, meeting_tomorrow, member):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    smtp.script = [ConnectionRefusedError("refused")] * 5

    run(run_reminder_tick)

    delivery = Delivery.objects.get(user=member)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 3
    assert mail.outbox == []


def test_worker_killed_after_claim_leaves_a_row_a_later_run_completes(run, frozen, meeting_tomorrow, member):
    # The tick fanned out, a worker claimed the row, then died before sending.
    _claimed_then_killed(member, meeting_tomorrow)

    frozen.shift(dt.timedelta(minutes=5))
    run(run_reminder_tick)
    assert mail.outbox == []  # a five-minute-old claim may still be a slow, living worker

    frozen.shift(dt.timedelta(minutes=7))  # now past NOTIFICATIONS_STALE_CLAIM_MINUTES (10)
    run(run_reminder_tick)  # the tick's sweep finds the stale claim

    delivery = Delivery.objects.get(user=member)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert recipients() == ["alice@example.org"]


def test_a_recent_claim_is_left_to_its_worker(run, frozen, meeting_tomorrow, member):
    delivery = _claimed_then_killed(member, meeting_tomorrow)
    frozen.shift(dt.timedelta(minutes=5))

    report = send_deliveries(keys=[delivery.key])

    assert report.sent == []
    assert mail.outbox == []
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENDING


def test_recipient_refused_with_5xx_marks_the_address_bounced_and_skips_it_afterwards(smtp, frozen, member):
    first = _pending_digest_for(member, key="first")
    smtp.script = [smtplib.SMTPRecipientsRefused({member.email: (550, b"5.1.1 No such user")})]

    report = send_deliveries(keys=[first.key])
    second = _pending_digest_for(member, key="second")
    send_deliveries(keys=[second.key])

    assert report.bounced == ["first"]
    assert Delivery.objects.get(key="first").status == Delivery.Status.BOUNCED
    assert BouncedAddress.objects.filter(address="alice@example.org", user=member).exists()
    second.refresh_from_db()
    assert second.status == Delivery.Status.SKIPPED
    assert second.last_error == "address hard-bounced"
    assert mail.outbox == []


def test_other_permanent_smtp_error_fails_without_marking_the_address(smtp, frozen, member):
    delivery = _pending_digest_for(member)
    smtp.script = [smtplib.SMTPDataError(554, b"Message rejected: spam")]

    report = send_deliveries(keys=[delivery.key])

    assert report.failed == [delivery.key]
    assert not BouncedAddress.objects.exists()


def test_template_error_for_one_member_is_recorded_and_the_batch_goes_on(
    run, monkeypatch, meeting_tomorrow, member, coalition_admin
):
    from notifications import compose

    original_build = compose.ReminderComposer.build

    def build(self, delivery, shared, *, now):
        if delivery.user.email == "alice@example.org":
            raise ValueError("agenda item without a title")
        return original_build(self, delivery, shared, now=now)

    monkeypatch.setattr(compose.ReminderComposer, "build", build)

    run(run_reminder_tick)

    assert recipients() == ["bob@example.org"]
    failed = Delivery.objects.get(user=member)
    assert failed.status == Delivery.Status.FAILED
    assert "agenda item without a title" in failed.last_error


def test_inactive_unverified_and_bounced_members_get_nothing(run, meeting_tomorrow, coalition, member):
    inactive = UserFactory(email="inactive@example.org", is_active=False)
    unverified = UserFactory(email="unverified@example.org", verified=False)
    bounced = UserFactory(email="bounced@example.org")
    BouncedAddress.objects.create(address="bounced@example.org", source=BouncedAddress.Source.ADMIN)
    for user in (inactive, unverified, bounced):
        MembershipFactory(user=user, coalition=coalition)

    run(run_reminder_tick)

    assert recipients() == ["alice@example.org"]


def test_an_address_that_turned_unverified_after_fan_out_is_skipped_at_send_time(
    run, meeting_tomorrow, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run_reminder_tick()
    member.emailaddress_set.update(verified=False)

    send_deliveries(keys=list(Delivery.objects.values_list("key", flat=True)))

    assert mail.outbox == []
    assert Delivery.objects.get().last_error == "address not verified"


def _pending_digest_for(user, key="digest:test"):
    return Delivery.objects.create(
        key=key, kind=Delivery.Kind.JOIN, user=user, to_address=user.email, params={"join_request": _join(user)}
    )


def _join(user):
    from coalitions.models import Coalition, JoinRequest

    coalition = Coalition.objects.order_by("pk").first()
    request, _ = JoinRequest.objects.get_or_create(
        user=user, coalition=coalition, defaults={"status": JoinRequest.Status.APPROVED}
    )
    if request.status != JoinRequest.Status.APPROVED:
        JoinRequest.objects.filter(pk=request.pk).update(status=JoinRequest.Status.APPROVED)
    return request.pk


def _claimed_then_killed(member, meeting):
    start = meeting.start.astimezone(dt.UTC).isoformat()
    Dispatch.objects.create(key=f"reminder:{meeting.pk}:1d:{start}", recipients=1)
    return Delivery.objects.create(
        key=f"reminder:{meeting.pk}:{member.pk}:1d:{start}",
        kind=Delivery.Kind.REMINDER,
        user=member,
        to_address=member.email,
        meeting=meeting,
        meeting_start=meeting.start,
        params={"lead": "1d"},
        status=Delivery.Status.SENDING,
        attempts=1,
        claim_token="dead-worker",
        claimed_at=timezone.now(),
        next_attempt_at=timezone.now() + dt.timedelta(minutes=10),
    )


def test_smtp_authentication_failure_is_retried_with_backoff_not_failed_for_good(smtp, frozen, member, other_member):
    """Our own credentials were refused (535): no member's address is at fault, so every email waits
    and is retried later, each time a little later, and nothing is marked bounced or failed."""
    first, second = _pending_digest_for(member, key="first"), _pending_digest_for(other_member, key="second")
    refused = smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication credentials invalid")
    smtp.script = [refused, refused]

    report = send_deliveries(keys=["first", "second"])

    assert sorted(report.retry_keys) == ["first", "second"]
    assert report.retry_countdown == 60
    for delivery in (first, second):
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.PENDING
        assert "535" in delivery.last_error
        assert delivery.next_attempt_at == timezone.now() + dt.timedelta(seconds=60)
    assert not BouncedAddress.objects.exists()

    frozen.shift(dt.timedelta(seconds=60))
    smtp.script = [refused, None]
    report = send_deliveries(keys=["first", "second"])

    assert report.retry_keys == ["first"]
    assert report.retry_countdown == 120  # the second attempt waits twice as long
    assert report.sent == ["second"]
    assert [m.to for m in mail.outbox] == [["charlie@example.org"]]


def test_sent_at_is_set_on_every_sent_row(frozen, member, other_member, outsider):
    keys = [_pending_digest_for(user, key=f"join:{user.pk}").key for user in (member, other_member, outsider)]

    send_deliveries(keys=keys)

    rows = Delivery.objects.filter(key__in=keys)
    assert [(row.status, row.sent_at) for row in rows] == [(Delivery.Status.SENT, timezone.now())] * 3


def test_a_duplicate_enqueue_inside_a_transaction_leaves_the_transaction_usable(
    member, coalition, django_capture_on_commit_callbacks
):
    """On PostgreSQL a unique violation aborts the whole transaction unless it happened in a savepoint:
    a second queue_email for the same key must not break the caller's later writes."""
    from django.db import transaction

    from notifications.outbox import queue_email

    params = {"join_request": _join(member)}
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        first = queue_email(key="join:dup", kind=Delivery.Kind.JOIN, user=member, params=params)
        again = queue_email(key="join:dup", kind=Delivery.Kind.JOIN, user=member, params=params)
        # The caller's transaction goes on: reads and writes still work.
        MembershipFactory(user=UserFactory(email="later@example.org"), coalition=coalition)
        assert Delivery.objects.filter(key="join:dup").count() == 1

    assert first is not None and again is None
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_a_tick_run_twice_inside_one_transaction_leaves_it_usable(
    meeting_tomorrow, member, coalition, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        run_reminder_tick()
        run_reminder_tick()  # the fan-out's marker exists already: a unique violation, caught
        MembershipFactory(user=UserFactory(email="later@example.org"), coalition=coalition)

    assert recipients() == ["alice@example.org"]


def test_backoff_doubles_per_attempt_up_to_the_configured_maximum(settings, smtp, frozen, member):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    settings.NOTIFICATIONS_RETRY_MAX_SECONDS = 200
    delivery = _pending_digest_for(member)
    waits = []
    for _ in range(4):
        smtp.script = [TimeoutError("timed out")]
        send_deliveries(keys=[delivery.key])
        delivery.refresh_from_db()
        waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())

    assert waits == [60, 120, 200, 200]


def test_a_success_after_failures_clears_the_error_and_records_subject_and_address(smtp, frozen, member):
    delivery = _pending_digest_for(member)
    smtp.script = [ConnectionRefusedError("refused")]
    send_deliveries(keys=[delivery.key])

    send_deliveries(keys=[delivery.key])

    delivery.refresh_from_db()
    (message,) = mail.outbox
    assert (delivery.status, delivery.last_error) == (Delivery.Status.SENT, "")
    assert delivery.subject == message.subject != ""
    assert delivery.to_address == "alice@example.org"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (smtplib.SMTPRecipientsRefused({"alice@example.org": (450, b"4.2.1 Mailbox busy")}), Delivery.Status.PENDING),
        (smtplib.SMTPRecipientsRefused({"alice@example.org": (500, b"5.5.2 Syntax error")}), Delivery.Status.BOUNCED),
        (smtplib.SMTPRecipientsRefused({"alice@example.org": (599, b"5.9.9 Refused")}), Delivery.Status.BOUNCED),
        (smtplib.SMTPRecipientsRefused({}), Delivery.Status.PENDING),
        (smtplib.SMTPSenderRefused(550, b"5.7.1 Relaying denied", "no-reply@x"), Delivery.Status.PENDING),
        (smtplib.SMTPDataError(554, b"5.7.1 Message rejected"), Delivery.Status.FAILED),
        (smtplib.SMTPDataError(499, b"4.9.9 Later"), Delivery.Status.PENDING),
        (smtplib.SMTPDataError(500, b"5.5.1 Command unrecognized"), Delivery.Status.FAILED),
        (smtplib.SMTPServerDisconnected("gone"), Delivery.Status.PENDING),
        (OSError("network unreachable"), Delivery.Status.PENDING),
        (ValueError("not an SMTP problem"), Delivery.Status.FAILED),
    ],
    ids=[
        "450",
        "500",
        "599",
        "no codes",
        "sender 550",
        "data 554",
        "data 499",
        "data 500",
        "disconnect",
        "oserror",
        "other",
    ],  # fmt: skip
)
def test_each_smtp_outcome_is_recorded_as_retry_bounce_or_failure(smtp, frozen, member, error, status):
    delivery = _pending_digest_for(member)
    smtp.script = [error]

    send_deliveries(keys=[delivery.key])

    delivery.refresh_from_db()
    assert delivery.status == status
    assert BouncedAddress.objects.filter(address="alice@example.org").exists() == (status == Delivery.Status.BOUNCED)


def test_the_sweep_leaves_a_row_alone_while_its_worker_is_mid_send(run, smtp, frozen, meeting_tomorrow, member):
    """A slow SMTP conversation (two minutes) is not a stuck row: the tick must not queue it again."""
    from notifications.services import requeue_stuck_deliveries

    with collect_keys() as keys:
        run_reminder_tick()
    swept = {}

    def slow_send():
        frozen.shift(dt.timedelta(minutes=2))
        swept["keys"] = requeue_stuck_deliveries(now=timezone.now())

    smtp.script = [slow_send]
    send_deliveries(keys=keys)

    assert swept["keys"] == []
    assert recipients() == ["alice@example.org"]


def test_the_reminder_fan_out_queues_only_members_who_can_be_emailed(meeting_tomorrow, coalition, member):
    """Who is not reachable is not even queued (the send-time check is the second line, not the first)."""
    from allauth.account.models import EmailAddress

    inactive = UserFactory(email="inactive@example.org", is_active=False)
    unverified = UserFactory(email="unverified@example.org", verified=False)
    bounced = UserFactory(email="bounced@example.org")
    BouncedAddress.objects.create(address="bounced@example.org", source=BouncedAddress.Source.ADMIN)
    moved = UserFactory(email="moved@example.org")  # verified this one, then changed to an unverified one
    EmailAddress.objects.create(user=moved, email="moved.new@example.org", verified=False)
    moved.email = "moved.new@example.org"
    moved.save(update_fields=["email"])
    for user in (inactive, unverified, bounced, moved):
        MembershipFactory(user=user, coalition=coalition)

    with collect_keys():
        run_reminder_tick()

    assert list(Delivery.objects.values_list("to_address", flat=True)) == ["alice@example.org"]


def test_mail_queued_after_an_inline_sending_block_goes_through_the_queue_as_usual(run, outsider, coalition):
    """The management commands gather keys to send inline; outside that block nothing is held back."""
    from coalitions.models import JoinRequest
    from coalitions.signals import join_request_decided

    with collect_keys() as gathered:
        pass
    join_request = JoinRequest.objects.create(user=outsider, coalition=coalition, status=JoinRequest.Status.APPROVED)

    run(join_request_decided.send, sender=JoinRequest, join_request=join_request)

    assert gathered == []
    assert [m.to for m in mail.outbox] == [["erin@example.org"]]
