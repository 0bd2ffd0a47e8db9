"""Email preferences, the send log and address health.

A ``Delivery`` row is both the log and the lock of one email: its unique ``key`` says which email it
is (``reminder:<meeting>:<user>:<lead>:<start iso>``, ``digest:<user>:<period>``…), and its status
moves pending → sending → sent (or failed/bounced/skipped). See ``notifications/mail.py``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReminderLead(models.TextChoices):
    """How long before a meeting a reminder goes out. The code is part of the reminder's key."""

    WEEK = "7d", "One week before"
    DAY = "1d", "One day before"
    HOUR = "1h", "One hour before"
    QUARTER = "15m", "15 minutes before"


LEAD_DELTAS = {
    ReminderLead.WEEK: timedelta(days=7),
    ReminderLead.DAY: timedelta(days=1),
    ReminderLead.HOUR: timedelta(hours=1),
    ReminderLead.QUARTER: timedelta(minutes=15),
}
DEFAULT_REMINDER_LEADS = [ReminderLead.DAY.value, ReminderLead.HOUR.value]


def default_reminder_leads() -> list[str]:
    return list(DEFAULT_REMINDER_LEADS)


class Preference(models.Model):
    """A member's email settings. Members without a row get the defaults (see ``preference_for``)."""

    class Frequency(models.TextChoices):
        OFF = "off", "Off"
        WEEKLY = "weekly", "Weekly (Monday morning)"
        MONTHLY = "monthly", "Monthly (on the 1st)"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preference")
    digest_frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    # Empty means "all focus areas".
    focus_areas = models.ManyToManyField("practices.FocusArea", blank=True, related_name="+")
    wants_reminders = models.BooleanField(default=True)
    # A JSON list of ReminderLead codes: portable (an ArrayField would tie us to PostgreSQL) and
    # only ever filtered in Python, after the recipients were selected in SQL.
    reminder_leads = models.JSONField(default=default_reminder_leads, blank=True)
    # When the next digest is due (UTC instant of 08:00 local on the next Monday or 1st). The digest
    # tick selects on it with an index, so it never computes zones for members who are not due.
    next_digest_at = models.DateTimeField(null=True, blank=True)
    last_digest_sent_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["next_digest_at"], name="pref_next_digest_idx")]

    def __str__(self):
        return f"Email preferences of {self.user}"

    @property
    def wants_digest(self) -> bool:
        return self.digest_frequency != self.Frequency.OFF

    def wants_reminder(self, lead: str) -> bool:
        return self.wants_reminders and lead in (self.reminder_leads or [])


class Delivery(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", "Meeting reminder"
        CHANGE = "change", "Meeting change notice"
        NUDGE = "nudge", "Minutes nudge"
        FOLLOWUP = "followup", "Meeting follow-up"
        DIGEST = "digest", "Digest"
        JOIN = "join", "Join request decision"
        INVITATION = "invitation", "Invitation"
        ADOPTION = "adoption", "Adoption news for the sharing coalition"
        ADOPTION_CHECK = "adopt_check", "Yearly adoption confirmation"
        ADOPTION_CLAIM = "adopt_claim", "Adoption to confirm"
        CONTRACT = "contract", "Contract expiry reminder"
        INVITED = "invited", "Meeting invitation"
        CALL_VERIFY = "call_verify", "Call submission: confirm the address"
        CALL_RECEIPT = "call_receipt", "Call submission receipt"
        CALL_EVAL = "call_eval", "Call evaluation reminder"
        CALL_DECIDE = "call_decide", "Call decision to a submitter"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        SKIPPED = "skipped", "Skipped"

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # Null for an invitee, who has no account yet.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    to_address = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # What the composer needs besides user and meeting: lead, period, sequence, accept_url…
    params = models.JSONField(default=dict, blank=True)
    # The meeting, and the start a reminder was for: the tick compares it with the meeting's
    # current start to notice moves without any hook in the meetings app.
    # No index of its own: the (meeting, kind, meeting_start) index below starts with it.
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    meeting_start = models.DateTimeField(null=True, blank=True)
    # Who holds the row while sending: a worker claims rows by writing its token with a conditional
    # UPDATE, then reads back exactly the rows that carry it.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created"]
        indexes = [
            # Admin filters (kind, status, date) and the staff page of failures.
            models.Index(fields=["status", "kind", "created"], name="delivery_status_kind_idx"),
            # The sweep: rows left pending or sending.
            models.Index(fields=["status", "next_attempt_at"], name="delivery_status_next_idx"),
            # Change detection: reminders sent for a meeting, by the start they were for.
            models.Index(fields=["meeting", "kind", "meeting_start"], name="delivery_meeting_idx"),
        ]

    def __str__(self):
        return self.key

    @property
    def is_done(self) -> bool:
        return self.status in {self.Status.SENT, self.Status.FAILED, self.Status.BOUNCED, self.Status.SKIPPED}


class Dispatch(models.Model):
    """A fan-out that happened once, e.g. ``reminder:<meeting>:<lead>:<start>``.

    Written in the same transaction as the pending ``Delivery`` rows it created, so a tick that
    runs every minute does the expensive recipient query once per reminder, not once per minute.
    """

    key = models.CharField(max_length=200, unique=True)
    recipients = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "dispatches"
        ordering = ["-created"]

    def __str__(self):
        return self.key


class BouncedAddress(models.Model):
    """An address that hard-bounced. Nothing is sent to it until its owner confirms it again."""

    class Source(models.TextChoices):
        SMTP = "smtp", "SMTP 5xx at send time"
        ADMIN = "admin", "Reported by an admin"

    # Stored lower-cased: mail providers treat the local part case-insensitively in practice.
    address = models.EmailField(max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "bounced address"
        verbose_name_plural = "bounced addresses"
        ordering = ["-created"]

    def __str__(self):
        return self.address
