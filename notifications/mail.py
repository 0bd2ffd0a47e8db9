"""The one road out: every email the portal sends goes through ``send_deliveries``.

How an email leaves, exactly once:

1. **Claim by unique key.** Whoever decides an email should exist writes a ``Delivery`` row with its
   unique ``key`` (``queue_email`` for one, ``bulk_create(ignore_conflicts=True)`` for a fan-out).
   A second attempt, concurrent or later, hits the unique index and adds nothing.
2. **Claim for sending.** ``send_deliveries`` moves rows from ``pending`` to ``sending`` with one
   conditional UPDATE that writes a fresh claim token; it then reads back only the rows carrying
   its token. Two workers racing on the same keys: the database lets one UPDATE win each row, the
   other finds ``sending`` and a recent ``claimed_at`` and gets nothing. No email is sent twice
   by concurrent runs.
3. **Render, send, mark sent** (``status=sent`` only where the token is still ours).

Failures:

- Transient (connection refused, timeout, 4xx): recorded on the row (``pending``, ``last_error``,
  ``next_attempt_at``); the Celery task retries those keys with exponential backoff. After
  ``NOTIFICATIONS_MAX_ATTEMPTS`` the row becomes ``failed`` and is listed for partnership admins.
- Permanent: a 5xx refusal of the recipient marks the row ``bounced`` and the address hard-bounced
  (skipped until its owner confirms it again); another 5xx, or a template error, marks that row
  ``failed``. Either way the rest of the batch goes on.

**Stale claims.** A worker killed between claiming and marking leaves a row in ``sending``. Once its
``claimed_at`` is older than ``NOTIFICATIONS_STALE_CLAIM_MINUTES``, a later run may claim it again
(the same conditional UPDATE, on ``status='sending' AND claimed_at < now - N``), and the reminder
tick's sweep re-enqueues such rows. The price: if the worker died *after* the SMTP server accepted
the message but *before* the row was marked sent, the member gets that one email twice. We chose
that over the alternative (never retry a stale claim), which silently loses every email whose
worker died before or during the SMTP conversation — a far more common crash window than the
few milliseconds between SMTP's 250 and our UPDATE. N is much longer than any single send takes
(``EMAIL_TIMEOUT`` is 20 s). A run that stalled longer (or whose chunk took longer than N) checks,
right before each SMTP conversation, that the row still carries its token: a row taken over is
the new owner's to send and to mark, and the old run leaves it alone.
"""

import logging
import smtplib
import uuid
import zoneinfo
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce, Lower
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from coalitions.models import Membership
from coalitions.timezones import effective_time_zone

from .models import BouncedAddress, Delivery
from .timefmt import absolute_url
from .tokens import KIND_LABELS, make_unsubscribe_token

logger = logging.getLogger(__name__)


@dataclass
class Message:
    """What a composer hands back for one delivery: which templates, with what, and extras."""

    template: str  # e.g. "emails/reminder" → .subject.txt, .txt, .html
    context: dict
    unsubscribe_kind: str | None = None  # tokens.DIGEST / tokens.REMINDERS; None for one-off mail
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


class Skip(Exception):
    """Nothing to send for this delivery (nothing new, meeting moved, turned off…)."""


@dataclass
class SendReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    bounced: list[str] = field(default_factory=list)
    retry_keys: list[str] = field(default_factory=list)
    overtaken: list[str] = field(default_factory=list)  # another run took the claim over; its outcome stands
    retry_countdown: int = 0

    def merge(self, other: "SendReport") -> None:
        for name in ("sent", "skipped", "failed", "bounced", "retry_keys", "overtaken"):
            getattr(self, name).extend(getattr(other, name))
        self.retry_countdown = max(self.retry_countdown, other.retry_countdown)


def stale_claim_age() -> timedelta:
    return timedelta(minutes=settings.NOTIFICATIONS_STALE_CLAIM_MINUTES)


def backoff_seconds(attempts: int) -> int:
    """60 s, 120 s, 240 s… capped: exponential backoff for transient SMTP trouble."""
    base = settings.NOTIFICATIONS_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.NOTIFICATIONS_RETRY_MAX_SECONDS)


def reachable_users():
    """Users who may be emailed: active, address verified (allauth), address not hard-bounced."""
    User = get_user_model()
    return User.objects.filter(is_active=True).filter(
        Exists(EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True)),
        ~Exists(BouncedAddress.objects.filter(address=Lower(OuterRef("email")))),
    )


def queue_email(
    *,
    key: str,
    kind: str,
    user=None,
    to_address: str | None = None,
    params: dict | None = None,
    meeting=None,
) -> Delivery | None:
    """Create the pending ``Delivery`` for one email and send it after commit.

    Returns None when a row with that key exists already: someone else has (or had) this email.
    """
    address = to_address or (user.email if user is not None else "")
    if not address:
        raise ValueError("queue_email needs a user or a to_address")
    now = timezone.now()
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                key=key,
                kind=kind,
                user=user,
                to_address=address,
                params=params or {},
                meeting=meeting,
                meeting_start=getattr(meeting, "start", None),
                next_attempt_at=now,
            )
    except IntegrityError:
        return None
    enqueue_keys([key])
    return delivery


# Set by ``collect_keys``: management commands send inline instead of through the queue.
_collected: ContextVar[list[str] | None] = ContextVar("notifications_collected_keys", default=None)


@contextmanager
def collect_keys():
    """Within the block, keys to send are gathered into the yielded list rather than enqueued."""
    keys: list[str] = []
    reset = _collected.set(keys)
    try:
        yield keys
    finally:
        _collected.reset(reset)


def enqueue_keys(keys: Sequence[str]) -> None:
    """After the current transaction commits, send ``keys`` through Celery in chunks (a group)."""
    if not keys:
        return
    collected = _collected.get()
    if collected is not None:
        collected.extend(keys)
        return
    from celery import group

    from .tasks import deliver

    size = settings.NOTIFICATIONS_CHUNK_SIZE
    chunks = [list(keys[i : i + size]) for i in range(0, len(keys), size)]

    def publish() -> None:
        # The rows are already committed as pending: if the broker cannot be reached, the tick's
        # sweep (``requeue_stuck_deliveries``) enqueues them once it answers again. So a broker
        # outage is logged here and never turns the member's page or form post into a 500.
        try:
            group(deliver.s(keys=chunk) for chunk in chunks).apply_async()
        except (OperationalError, RedisError, OSError):
            logger.exception("Broker unreachable: %d deliveries stay pending for the next tick's sweep", len(keys))

    transaction.on_commit(publish)


def _claimable(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - stale_claim_age())


def _claim(keys: Iterable[str], now: datetime) -> str | None:
    """Claim the claimable rows among ``keys`` for this call; returns the claim token or None."""
    token = uuid.uuid4().hex
    claimed = (
        Delivery.objects.filter(key__in=list(keys))
        .filter(_claimable(now))
        .update(
            status=Delivery.Status.SENDING,
            claim_token=token,
            claimed_at=now,
            next_attempt_at=now + stale_claim_age(),
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


def _claimed_rows(keys: Sequence[str], token: str) -> list[Delivery]:
    User = get_user_model()
    users = User.objects.select_related("profile", "email_preference").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("coalition"))
    )
    return list(
        # By key first: the unique index finds the rows; the token says which of them are ours.
        Delivery.objects.filter(key__in=list(keys), claim_token=token, status=Delivery.Status.SENDING)
        .annotate(
            address_verified=Exists(
                EmailAddress.objects.filter(
                    user=OuterRef("user_id"), email__iexact=OuterRef("user__email"), verified=True
                )
            ),
            # The address it goes to now: a member's current one (not the one the row was queued
            # for, which may be the bounced address they just replaced), or an invitee's.
            address_bounced=Exists(
                BouncedAddress.objects.filter(address=Lower(Coalesce(OuterRef("user__email"), OuterRef("to_address"))))
            ),
        )
        .prefetch_related(Prefetch("user", queryset=users))
        .order_by("pk")
    )


def _unreachable_reason(delivery: Delivery) -> str | None:
    if delivery.address_bounced:
        return "address hard-bounced"
    user = delivery.user
    if user is None:
        return None
    if not user.is_active:
        return "account inactive"
    if not delivery.address_verified:
        return "address not verified"
    return None


def _mark(delivery: Delivery, token: str, **fields) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(**fields)


def _still_ours(delivery: Delivery, token: str) -> bool:
    """Right before its SMTP conversation: does this run still hold the row? Renews the claim.

    A run that stalled past the stale-claim age may have been overtaken: the new owner sends the
    row, so this run must not send it again. A claim younger than half that age cannot have been
    taken over, so the common case costs no query.
    """
    moment = timezone.now()
    if moment - delivery.claimed_at < stale_claim_age() / 2:
        return True
    renewed = Delivery.objects.filter(pk=delivery.pk, claim_token=token, status=Delivery.Status.SENDING).update(
        claimed_at=moment, next_attempt_at=moment + stale_claim_age()
    )
    return bool(renewed)


def send_deliveries(*, keys: Sequence[str], now: datetime | None = None) -> SendReport:
    """Claim, render and send the deliveries with these keys; record each outcome.

    Safe to call twice or concurrently with the same keys: only claimable rows are sent, each once.
    Builds every composer's context for the whole chunk with a fixed number of queries.
    """
    from .compose import COMPOSERS

    now = now or timezone.now()
    report = SendReport()
    token = _claim(keys, now)
    if token is None:
        return report
    deliveries = _claimed_rows(keys, token)

    by_kind: dict[str, list[Delivery]] = {}
    for delivery in deliveries:
        by_kind.setdefault(delivery.kind, []).append(delivery)
    shared = {kind: COMPOSERS[kind].prepare(rows, now=now) for kind, rows in by_kind.items()}

    connection = get_connection()
    try:
        for delivery in deliveries:
            composer = COMPOSERS[delivery.kind]
            outcome = _send_one(delivery, composer, shared[delivery.kind], token=token, now=now, connection=connection)
            getattr(report, outcome).append(delivery.key)
            if outcome == "retry_keys":
                report.retry_countdown = max(report.retry_countdown, backoff_seconds(delivery.attempts))
    finally:
        _close_quietly(connection)
    logger.info(
        "Deliveries: %d sent, %d skipped, %d failed, %d bounced, %d to retry",
        len(report.sent),
        len(report.skipped),
        len(report.failed),
        len(report.bounced),
        len(report.retry_keys),
    )
    return report


def _send_one(delivery: Delivery, composer, shared, *, token: str, now: datetime, connection) -> str:
    """Returns the name of the report list the delivery belongs in."""
    reason = _unreachable_reason(delivery)
    if reason:
        _mark(delivery, token, status=Delivery.Status.SKIPPED, last_error=reason)
        return "skipped"
    address = delivery.user.email if delivery.user else delivery.to_address
    try:
        message = composer.build(delivery, shared, now=now)
        email = render_email(delivery=delivery, message=message, to_address=address, connection=connection)
    except Skip as skip:
        _mark(delivery, token, status=Delivery.Status.SKIPPED, last_error=str(skip))
        return "skipped"
    except Exception as exc:
        # A broken template or bad data for this one member: record it, keep the batch going.
        logger.exception("Could not render delivery %s", delivery.key)
        _mark(delivery, token, status=Delivery.Status.FAILED, last_error=f"render: {exc!r}"[:2000])
        return "failed"

    if not _still_ours(delivery, token):
        logger.warning("Delivery %s was claimed by another run while this one stalled; not sent here", delivery.key)
        return "overtaken"
    try:
        email.send()
    except Exception as exc:
        _close_quietly(connection)  # the next message opens a fresh connection
        return _record_send_failure(delivery, token, exc, address=address, now=now)

    _mark(
        delivery,
        token,
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        subject=email.subject[:255],
        to_address=address,
        last_error="",
    )
    composer.on_sent(delivery, now=now)
    return "sent"


def classify_failure(exc: Exception) -> str:
    """``transient`` (retry), ``bounce`` (recipient refused, 5xx) or ``permanent``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return "bounce" if codes and all(500 <= code < 600 for code in codes) else "transient"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Our credentials, not the member's address: retry, and let admins see the error.
        return "transient"
    if isinstance(exc, smtplib.SMTPResponseException):
        return "permanent" if 500 <= exc.smtp_code < 600 else "transient"
    if isinstance(exc, smtplib.SMTPException | OSError):
        # Disconnects, refused connections, timeouts (TimeoutError is an OSError).
        return "transient"
    return "permanent"


def _record_send_failure(delivery: Delivery, token: str, exc: Exception, *, address: str, now: datetime) -> str:
    kind = classify_failure(exc)
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if kind == "bounce":
        with transaction.atomic():
            _mark(delivery, token, status=Delivery.Status.BOUNCED, last_error=error, to_address=address)
            mark_address_bounced(address=address, user=delivery.user, source=BouncedAddress.Source.SMTP, reason=error)
        logger.warning("Hard bounce for %s: %s", address, error)
        return "bounced"
    if kind == "transient" and delivery.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
        _mark(
            delivery,
            token,
            status=Delivery.Status.PENDING,
            last_error=error,
            claimed_at=None,
            next_attempt_at=now + timedelta(seconds=backoff_seconds(delivery.attempts)),
        )
        logger.info("Transient failure for %s (attempt %d): %s", delivery.key, delivery.attempts, error)
        return "retry_keys"
    _mark(delivery, token, status=Delivery.Status.FAILED, last_error=error)
    logger.error("Delivery %s failed for good: %s", delivery.key, error)
    return "failed"


def mark_address_bounced(*, address: str, user=None, source: str, reason: str = "") -> BouncedAddress:
    """Record a hard bounce: nothing more goes to this address until it is confirmed again."""
    bounce, _ = BouncedAddress.objects.update_or_create(
        address=address.strip().lower(), defaults={"user": user, "source": source, "reason": reason[:2000]}
    )
    return bounce


def clear_bounce(*, address: str) -> int:
    """Forget a hard bounce (the member confirmed the address again). Returns rows removed."""
    deleted, _ = BouncedAddress.objects.filter(address=address.strip().lower()).delete()
    return deleted


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a dead SMTP connection may fail to QUIT; it is being thrown away anyway
        logger.debug("Closing the mail connection failed", exc_info=True)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = make_unsubscribe_token(user_id=user_id, kind=kind)
    return absolute_url(reverse("notifications:unsubscribe", args=[token]))


def recipient_zone(delivery: Delivery) -> str:
    return effective_time_zone(delivery.user) if delivery.user else settings.TIME_ZONE


def render_subject(template_name: str, context: dict) -> str:
    """A subject is plain text on one line: rendered without HTML escaping (a coalition named
    ``Smart Cities & Partners`` stays that, not ``&amp;``), every run of whitespace one space."""
    template = get_template(template_name).template
    return " ".join(template.render(Context(context, autoescape=False)).split())


def render_email(*, delivery: Delivery, message: Message, to_address: str, connection=None) -> EmailMultiAlternatives:
    """Render the three templates of ``message`` for one recipient and build the multipart email."""
    zone = recipient_zone(delivery)
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": delivery.user,
        "recipient_zone": zone,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        **message.context,
    }
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}
    if message.unsubscribe_kind and delivery.user_id:
        url = unsubscribe_url(user_id=delivery.user_id, kind=message.unsubscribe_kind)
        context["unsubscribe_url"] = url
        context["unsubscribe_label"] = KIND_LABELS[message.unsubscribe_kind]
        # RFC 8058: the https URL takes a POST of "List-Unsubscribe=One-Click" and acts at once.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Template filters such as |date render in the recipient's zone, not the server's.
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        subject = render_subject(f"{message.template}.subject.txt", context)
        text = render_to_string(f"{message.template}.txt", context)
        html = render_to_string(f"{message.template}.html", context)
    email = EmailMultiAlternatives(subject=subject, body=text, to=[to_address], headers=headers, connection=connection)
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    return email
