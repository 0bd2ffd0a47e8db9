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
3. **Render, send, mark sent** (``status=sent`` only where the token is still ours). The chunk's
   outcomes are written together, in one UPDATE after its last send (and before any SMTP
   conversation that follows a slow one, see ``SLOW_SEND``), so a chunk costs the same number of
   queries whatever its size.

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
the message but *before* the row was marked sent, the member gets that email twice: with the
chunk's outcomes written together, that is every email the worker sent since its last write (at
most ``MARK_EVERY`` of sending, one email when the server is slow). We chose
that over the alternative (never retry a stale claim), which silently loses every email whose
worker died before or during the SMTP conversation — a far more common crash window than the
moment between SMTP's 250 and our UPDATE. N is much longer than any single send takes
(``EMAIL_TIMEOUT`` is 20 s). A run that stalled longer (or whose chunk took longer than N) checks,
right before each SMTP conversation, that the row still carries its token: a row taken over is
the new owner's to send and to mark, and the old run leaves it alone.
"""

import functools
import logging
import smtplib
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, Lower
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape

from coalitions.models import Membership

from .compose import COMPOSERS
from .message import Message, Skip, recipient_zone
from .models import BouncedAddress, Delivery
from .timefmt import absolute_url
from .tokens import KIND_LABELS, make_unsubscribe_token

logger = logging.getLogger(__name__)

# A chunk's outcomes ("sent", "skipped") are written together, in one UPDATE, after its last send:
# that is what keeps a chunk at a fixed number of queries. The price is a wider window in which a
# worker killed after the SMTP server accepted a message leaves its row in ``sending``, for a later
# run to send again once the claim is stale. Two rules keep that window as short as the old
# one-UPDATE-per-email road where it matters: before an SMTP conversation the pending outcomes are
# written if the previous conversation was slow (a stalled server is where workers get stuck and
# killed, and a slow send already costs far more than the UPDATE), and at least every ``MARK_EVERY``
# of sending. With a fast server (or the in-memory backend) a chunk of 200 is marked once.
SLOW_SEND = timedelta(milliseconds=200)
MARK_EVERY = timedelta(seconds=1)


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
        """Add another chunk's outcomes to this report (the commands send chunk after chunk)."""
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
    """Write one row's outcome at once (failures and bounces: rare, and each needs its own fields)."""
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(**fields)


class _Outcomes:
    """The chunk's "sent" and "skipped" outcomes, written in one UPDATE by ``write``.

    Rows that share a value share one CASE branch (a chunk of digests has a handful of distinct
    subjects and skip reasons), so the statement stays small whatever the chunk size. Like
    ``_mark``, it only touches rows that still carry this run's claim token.
    """

    def __init__(self, token: str):
        self.token = token
        self.values: dict[str, dict[object, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.pks: list[int] = []
        self.sent: list[Delivery] = []  # sent since the last write
        self.done: list[Delivery] = []  # every sent row, for the composers' on_sent at the end
        self.written_at = timezone.now()

    def add(self, delivery: Delivery, **fields) -> None:
        self.pks.append(delivery.pk)
        for column, value in fields.items():
            self.values[column][value].append(delivery.pk)
        if fields["status"] == Delivery.Status.SENT:
            self.sent.append(delivery)

    def write_if_exposed(self, *, last_send: timedelta) -> None:
        """Before an SMTP conversation: write what is pending if a crash now would cost too much."""
        if self.sent and (last_send >= SLOW_SEND or timezone.now() - self.written_at >= MARK_EVERY):
            self.write()

    def write(self) -> None:
        if self.pks:
            changes = {}
            for column, groups in self.values.items():
                field_ = Delivery._meta.get_field(column)
                whens = [When(pk__in=pks, then=Value(value, output_field=field_)) for value, pks in groups.items()]
                changes[column] = Case(*whens, default=F(column), output_field=field_)
            if self.sent:
                # Within a second of the SMTP server's 250 (at once after a slow send).
                changes["sent_at"] = Case(
                    When(pk__in=[d.pk for d in self.sent], then=Value(timezone.now())), default=F("sent_at")
                )
            Delivery.objects.filter(pk__in=self.pks, claim_token=self.token).update(**changes)
        self.done += self.sent
        self.values, self.pks, self.sent = defaultdict(lambda: defaultdict(list)), [], []
        self.written_at = timezone.now()

    def finish(self) -> None:
        """At the end of the chunk: the last outcomes, then what sending changed, once per kind.

        ``on_sent`` waits for the end (it records e.g. where the next digest starts; a crash before
        it only makes that digest reach back a little further), so a slow server adds one write per
        email, not two."""
        self.write()
        by_kind: dict[str, list[Delivery]] = defaultdict(list)
        for delivery in self.done:
            by_kind[delivery.kind].append(delivery)
        for kind, rows in by_kind.items():
            COMPOSERS[kind].on_sent(rows)


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
    A fixed number of queries per chunk, whatever its size: one UPDATE claims the rows, a few reads
    load them and every composer's context, one UPDATE records the sent and skipped ones (see
    ``SLOW_SEND``), and each composer records what sending changed in one more.
    """
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

    outcomes = _Outcomes(token)
    rendered: dict = {}  # emails that differ only by their unsubscribe link, rendered once a chunk
    connection = get_connection()
    last_send = timedelta(0)
    try:
        for delivery in deliveries:
            composer = COMPOSERS[delivery.kind]
            outcome, last_send = _send_one(
                delivery,
                composer,
                shared[delivery.kind],
                token=token,
                now=now,
                connection=connection,
                outcomes=outcomes,
                last_send=last_send,
                rendered=rendered,
            )
            getattr(report, outcome).append(delivery.key)
            if outcome == "retry_keys":
                report.retry_countdown = max(report.retry_countdown, backoff_seconds(delivery.attempts))
    finally:
        _close_quietly(connection)
        outcomes.finish()
    logger.info(
        "Deliveries: %d sent, %d skipped, %d failed, %d bounced, %d to retry",
        len(report.sent),
        len(report.skipped),
        len(report.failed),
        len(report.bounced),
        len(report.retry_keys),
    )
    return report


def _send_one(
    delivery: Delivery,
    composer,
    shared,
    *,
    token: str,
    now: datetime,
    connection,
    outcomes: _Outcomes,
    last_send: timedelta,
    rendered: dict | None = None,
) -> tuple[str, timedelta]:
    """Returns the name of the report list the delivery belongs in, and how long its send took."""
    reason = _unreachable_reason(delivery)
    if reason:
        outcomes.add(delivery, status=Delivery.Status.SKIPPED, last_error=reason)
        return "skipped", last_send
    address = delivery.user.email if delivery.user else delivery.to_address
    try:
        message = composer.build(delivery, shared, now=now)
        email = render_email(
            delivery=delivery, message=message, to_address=address, connection=connection, memo=rendered
        )
    except Skip as skip:
        outcomes.add(delivery, status=Delivery.Status.SKIPPED, last_error=str(skip))
        return "skipped", last_send
    except Exception as exc:
        # A broken template or bad data for this one member: record it, keep the batch going.
        logger.exception("Could not render delivery %s", delivery.key)
        _mark(delivery, token, status=Delivery.Status.FAILED, last_error=f"render: {exc!r}"[:2000])
        return "failed", last_send

    outcomes.write_if_exposed(last_send=last_send)
    if not _still_ours(delivery, token):
        logger.warning("Delivery %s was claimed by another run while this one stalled; not sent here", delivery.key)
        return "overtaken", last_send
    started = timezone.now()
    try:
        email.send()
    except Exception as exc:
        _close_quietly(connection)  # the next message opens a fresh connection
        return _record_send_failure(delivery, token, exc, address=address, now=now), timezone.now() - started
    fields = {"status": Delivery.Status.SENT, "subject": email.subject[:255], "last_error": ""}
    if address != delivery.to_address:
        # Only rows whose member changed address since the fan-out: a value per row would give the
        # chunk's one UPDATE a CASE branch per row.
        fields["to_address"] = address
    outcomes.add(delivery, **fields)
    return "sent", timezone.now() - started


def classify_failure(exc: Exception) -> str:
    """``transient`` (retry), ``bounce`` (recipient refused, 5xx) or ``permanent``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return "bounce" if codes and all(500 <= code < 600 for code in codes) else "transient"
    if isinstance(exc, smtplib.SMTPAuthenticationError | smtplib.SMTPSenderRefused | smtplib.SMTPConnectError):
        # Our credentials, our sender address or our relay ("550 relaying denied", "554 no service"):
        # the server refuses us, not this member, so every email would fail alike until it is fixed.
        # Retry with backoff, and let admins see the error, rather than fail every email for good.
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
    before, after = _unsubscribe_path(get_urlconf(), get_script_prefix())
    return absolute_url(f"{before}{token}{after}")


@functools.lru_cache(maxsize=8)
def _unsubscribe_path(urlconf, script_prefix) -> tuple[str, str]:
    """The unsubscribe URL's path around its token, reversed once: a digest run asks for 50,000 links.

    A signed token holds only URL-safe characters (base64url and ``:``), which ``reverse`` would
    leave as they are, so putting it between the two halves gives what ``reverse`` gives."""
    marker = "UNSUBSCRIBETOKEN"
    before, after = reverse("notifications:unsubscribe", args=[marker], urlconf=urlconf).split(marker)
    return before, after


def render_subject(template_name: str, context: dict) -> str:
    """A subject is plain text on one line: rendered without HTML escaping (a coalition named
    ``Smart Cities & Partners`` stays that, not ``&amp;``), every run of whitespace one space."""
    template = get_template(template_name).template
    return " ".join(template.render(Context(context, autoescape=False)).split())


# Stands in for the unsubscribe link while a shared email is rendered (``render_email``'s ``memo``):
# letters and digits only, so neither HTML escaping nor a filter changes it.
LINK_PLACEHOLDER = f"https://unsubscribe-{uuid.uuid4().hex}.invalid/"


def render_email(
    *, delivery: Delivery, message: Message, to_address: str, connection=None, memo: dict | None = None
) -> EmailMultiAlternatives:
    """Render the three templates of ``message`` for one recipient and build the multipart email.

    With a ``memo`` (one per chunk) and a ``message.share_key``, the templates are rendered once per
    key with a placeholder for the unsubscribe link, and each recipient's link is put in its place.
    """
    zone = recipient_zone(delivery)
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "OOF, AutoReply"}
    url = None
    if message.unsubscribe_kind and delivery.user_id:
        url = unsubscribe_url(user_id=delivery.user_id, kind=message.unsubscribe_kind)
        # RFC 8058: the https URL takes a POST of "List-Unsubscribe=One-Click" and acts at once.
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if memo is not None and message.share_key is not None and url is not None:
        key = (message.template, zone, message.unsubscribe_kind, message.share_key)
        parts = memo.get(key)
        if parts is None:
            parts = memo[key] = _render_parts(message, zone, recipient=delivery.user, link=LINK_PLACEHOLDER)
        subject, text, html = (
            parts[0].replace(LINK_PLACEHOLDER, url),
            parts[1].replace(LINK_PLACEHOLDER, url),
            parts[2].replace(LINK_PLACEHOLDER, escape(url)),
        )
    else:
        subject, text, html = _render_parts(message, zone, recipient=delivery.user, link=url)
    email = EmailMultiAlternatives(subject=subject, body=text, to=[to_address], headers=headers, connection=connection)
    email.attach_alternative(html, "text/html")
    for filename, content, mimetype in message.attachments:
        email.attach(filename, content, mimetype)
    return email


def _render_parts(message: Message, zone: str, *, recipient, link: str | None) -> tuple[str, str, str]:
    context = {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "recipient": recipient,
        "recipient_zone": zone,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
        **message.context,
    }
    if link is not None:
        context["unsubscribe_url"] = link
        context["unsubscribe_label"] = KIND_LABELS[message.unsubscribe_kind]
    # Template filters such as |date render in the recipient's zone, not the server's.
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return (
            render_subject(f"{message.template}.subject.txt", context),
            render_to_string(f"{message.template}.txt", context),
            render_to_string(f"{message.template}.html", context),
        )
