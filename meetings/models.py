from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from coalitions.models import Coalition
from coalitions.timezones import DEFAULT_TIME_ZONE


class MeetingSeries(models.Model):
    """A monthly rule, e.g. "second Tuesday, 11:00 America/Denver", kept in the series' own zone."""

    class RuleKind(models.TextChoices):
        NTH_WEEKDAY = "nth_weekday", "Nth weekday of the month"
        DAY_OF_MONTH = "day_of_month", "Day of the month"

    class Audience(models.TextChoices):
        ALL_MEMBERS = "all", "All members"
        RSVPED = "rsvped", "Only those who RSVP'd yes or maybe"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    rule_kind = models.CharField(max_length=20, choices=RuleKind.choices, default=RuleKind.NTH_WEEKDAY)
    # For NTH_WEEKDAY: week 1..4, or -1 for the last; weekday 0 = Monday … 6 = Sunday.
    week_of_month = models.SmallIntegerField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)
    # For DAY_OF_MONTH: 1..31.
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)
    local_start_time = models.TimeField()
    duration_minutes = models.PositiveIntegerField(default=60)
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    video_link = models.URLField(blank=True)
    host_coalition = models.ForeignKey(
        Coalition, on_delete=models.SET_NULL, null=True, blank=True, related_name="meeting_series"
    )
    reminder_audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.ALL_MEMBERS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "meeting series"
        ordering = ["title"]

    def __str__(self):
        return self.title


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(end__gt=now or timezone.now()).order_by("start")

    def past(self, now=None):
        return self.filter(end__lte=now or timezone.now()).order_by("-start")


class Meeting(models.Model):
    """One occurrence of a series, or a one-off meeting. Times are UTC in the database."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"
        HELD = "held", "Held"

    series = models.ForeignKey(MeetingSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings")
    # The date the series' rule produced this occurrence for; stays put when the meeting is moved.
    occurrence_date = models.DateField(null=True, blank=True)
    # Changed individually (moved, cancelled, edited), so editing the series leaves it alone.
    is_customized = models.BooleanField(default=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    video_link = models.URLField(blank=True)
    host_coalition = models.ForeignKey(
        Coalition, on_delete=models.SET_NULL, null=True, blank=True, related_name="hosted_meetings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    minutes = models.TextField(blank=True, help_text="Markdown.")
    minutes_posted_at = models.DateTimeField(null=True, blank=True)
    recording_link = models.URLField(blank=True)
    # Grows on every change that a calendar must see (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="meeting_ends_after_start"),
            models.UniqueConstraint(
                fields=["series", "occurrence_date"],
                condition=models.Q(series__isnull=False),
                name="one_meeting_per_series_date",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.start:%Y-%m-%d})"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    presenting_coalition = models.ForeignKey(
        Coalition, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    practice = models.ForeignKey(
        "practices.Practice", on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title


class RSVP(models.Model):
    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        MAYBE = "maybe", "Maybe"
        NO = "no", "No"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    answer = models.CharField(max_length=5, choices=Answer.choices)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "RSVP"
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_rsvp_per_member")]

    def __str__(self):
        return f"{self.user} — {self.answer} — {self.meeting}"
