import secrets
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from coalitions import permissions
from coalitions.models import Coalition, Membership, person_name
from coalitions.timezones import DEFAULT_TIME_ZONE
from practices.markdown import RendersMarkdown, SanitizedHTMLField
from practices.models import Practice

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEK_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

# How far back the personal calendar feed keeps meetings, so a subscribed calendar does not
# lose last week's meeting the moment it ends.
FEED_HISTORY = timedelta(days=60)


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


class MeetingSeries(RendersMarkdown, models.Model):
    """A monthly rule, e.g. "second Tuesday, 11:00 America/Denver", kept in the series' own zone."""

    class RuleKind(models.TextChoices):
        NTH_WEEKDAY = "nth_weekday", "Nth weekday of the month"
        DAY_OF_MONTH = "day_of_month", "Day of the month"

    class Audience(models.TextChoices):
        ALL_MEMBERS = "all", "All members"
        RSVPED = "rsvped", "Only those who RSVP'd yes or maybe"

    title = models.CharField(max_length=200)
    # Markdown, copied to every occurrence (whose description allows as much).
    description = models.TextField(blank=True, max_length=5000)
    description_html = SanitizedHTMLField()
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

    markdown_fields = {"description": "description_html"}

    class Meta:
        verbose_name_plural = "meeting series"
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:series_detail", args=[self.pk])

    def can_manage(self, user) -> bool:
        return permissions.can_manage_hosted(user, self.host_coalition_id)

    @property
    def rule_description(self) -> str:
        """ "Second Tuesday of every month, 11:00 (America/Denver)"."""
        at = f"{self.local_start_time:%H:%M} ({self.time_zone})"
        if self.rule_kind == self.RuleKind.DAY_OF_MONTH and self.day_of_month:
            text = f"The {_ordinal(self.day_of_month)} of every month"
            if self.day_of_month > 28:
                text += " (or the month's last day)"
            return f"{text}, {at}"
        week = WEEK_NAMES.get(self.week_of_month, "?")
        day = WEEKDAY_NAMES[self.weekday] if self.weekday is not None and 0 <= self.weekday <= 6 else "?"
        return f"{week.capitalize()} {day} of every month, {at}"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self, now=None):
        return self.filter(end__gt=now or timezone.now()).order_by("start")

    def past(self, now=None):
        return self.filter(end__lte=now or timezone.now()).order_by("-start")

    def not_cancelled(self):
        return self.exclude(status=Meeting.Status.CANCELLED)

    def needing_minutes(self, now=None):
        """Ended, not cancelled, and nobody has posted minutes yet (the email app nudges organizers)."""
        return self.filter(end__lte=now or timezone.now(), minutes="").not_cancelled()

    def managed_by(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if permissions.is_partnership_admin(user):
            return self
        return self.filter(host_coalition_id__in=permissions.admin_coalition_ids(user))

    def in_calendar_feed(self, now=None):
        """What a personal calendar subscription carries: upcoming meetings (cancelled ones too, so
        calendars remove them) and the last few weeks, so recent meetings stay in the calendar."""
        return self.filter(end__gt=(now or timezone.now()) - FEED_HISTORY).order_by("start")

    def search(self, query: str):
        """Every word must appear in the title, description, minutes or an agenda item."""
        qs = self
        for word in query.split()[:10]:
            in_agenda = AgendaItem.objects.filter(Q(title__icontains=word) | Q(notes__icontains=word))
            qs = qs.filter(
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(minutes__icontains=word)
                | Q(pk__in=in_agenda.values("meeting_id"))
            )
        return qs

    def in_focus_area(self, slug: str):
        """Meetings where a practice of that focus area was on the agenda."""
        discussed = AgendaItem.objects.filter(practice__focus_areas__slug=slug).values("meeting_id")
        return self.filter(pk__in=discussed)

    def for_listing(self, user=None):
        """Rows for lists: host, RSVP counts and, for a signed-in viewer, their own answer."""

        # Counted per shown row by subqueries, not by joining every RSVP and agenda item of every meeting
        # and grouping (that cross product cost a second at 600 meetings with 60 RSVPs each).
        def count(model, **conditions):
            rows = model.objects.filter(meeting=OuterRef("pk"), **conditions).order_by().values("meeting")
            return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)

        qs = self.select_related("host_coalition").annotate(
            yes_count=count(RSVP, answer=RSVP.Answer.YES),
            maybe_count=count(RSVP, answer=RSVP.Answer.MAYBE),
            agenda_count=count(AgendaItem),
        )
        if user is not None and user.is_authenticated:
            mine = RSVP.objects.filter(meeting=OuterRef("pk"), user=user).values("answer")[:1]
            qs = qs.annotate(my_answer=Subquery(mine))
        return qs

    def with_calendar_details(self):
        """What a calendar file shows: each meeting's agenda with its presenters (one more query)."""
        return self.prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("presenting_coalition"))
        )

    def with_page_details(self):
        """Everything the meeting page shows, in a fixed number of queries.

        A national meeting has a hundred answers or more: each comes back as one narrow row with the
        person's name, email and first coalition's name annotated (``RSVP.listed_name``), not as an
        answer, a user, a profile, memberships and coalitions built as models (that was 24 of the page's
        30 ms of CPU at 120 answers). The agenda's practices load only what the agenda shows."""
        return self.select_related("host_coalition", "series").prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.select_related("practice", "presenting_coalition")
                .only(
                    *(f.attname for f in AgendaItem._meta.concrete_fields),
                    *(f"practice__{name}" for name in AGENDA_PRACTICE_FIELDS),
                    "presenting_coalition__slug",
                    "presenting_coalition__short_name",
                )
                .order_by("order", "pk"),
            ),
            Prefetch("rsvps", queryset=_listed_people(RSVP.objects.only("id", "meeting_id", "user_id", "answer"))),
            Prefetch("files", queryset=MeetingFile.objects.order_by("uploaded_at", "pk")),
            Prefetch("invitees", queryset=_listed_people(Invitee.objects.only("id", "meeting_id", "user_id"))),
        )

    def invited(self, user):
        """Meetings ``user`` is invited to (none for a visitor)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Exists(Invitee.objects.filter(meeting=OuterRef("pk"), user=user)))


class Meeting(RendersMarkdown, models.Model):
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
    description_html = SanitizedHTMLField()
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default=DEFAULT_TIME_ZONE)
    video_link = models.URLField(blank=True)
    host_coalition = models.ForeignKey(
        Coalition, on_delete=models.SET_NULL, null=True, blank=True, related_name="hosted_meetings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    minutes = models.TextField(blank=True, help_text="Markdown.")
    minutes_html = SanitizedHTMLField()
    minutes_posted_at = models.DateTimeField(null=True, blank=True)
    recording_link = models.URLField(blank=True)
    # Grows on every change that a calendar must see (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(default=0)
    # Who scheduled a one-off meeting (series occurrences: the series' creator). An organizer.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()
    markdown_fields = {"description": "description_html", "minutes": "minutes_html"}

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

    # -- time ---------------------------------------------------------------------------------
    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_start(self, tz: str | None = None) -> datetime:
        return self.start.astimezone(zoneinfo.ZoneInfo(tz) if tz else self.zone)

    def local_end(self, tz: str | None = None) -> datetime:
        return self.end.astimezone(zoneinfo.ZoneInfo(tz) if tz else self.zone)

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def has_started(self, now=None) -> bool:
        return (now or timezone.now()) >= self.start

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.end

    # -- state --------------------------------------------------------------------------------
    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def status_badge(self, now=None) -> tuple[str, str] | None:
        """(label, badge css class) for lists and the meeting page; None while it is upcoming."""
        if self.status == self.Status.CANCELLED:
            return ("Cancelled", "badge-red")
        if self.status == self.Status.HELD:
            return ("Held", "badge-green")
        if self.has_ended(now):
            return ("Ended", "badge-grey")
        if self.has_started(now):
            return ("Happening now", "badge-amber")
        return None

    def accepts_rsvps(self, now=None) -> bool:
        """Answers may change until the meeting starts; never for a cancelled or held meeting."""
        return self.status == self.Status.SCHEDULED and not self.has_started(now)

    def needs_minutes(self, now=None) -> bool:
        return not self.is_cancelled and self.has_ended(now) and not self.minutes.strip()

    def can_manage(self, user) -> bool:
        return permissions.can_manage_hosted(user, self.host_coalition_id)

    def organizers(self):
        """Who is asked for minutes: partnership admins, the host coalition's admins, and whoever
        created the series (or scheduled the one-off meeting)."""
        User = get_user_model()
        who = Q(is_staff=True)
        if self.host_coalition_id:
            who |= Q(memberships__coalition_id=self.host_coalition_id, memberships__role=Membership.Role.ADMIN)
        creators = {self.created_by_id, self.series.created_by_id if self.series_id else None} - {None}
        if creators:
            who |= Q(pk__in=creators)
        return User.objects.filter(who, is_active=True).distinct().order_by("email")

    # -- RSVPs (read from the prefetch of ``with_page_details``) -----------------------------
    def rsvp_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RSVP.Answer.values, 0)
        for rsvp in self.rsvps.all():
            counts[rsvp.answer] += 1
        return counts

    def attendees_by_coalition(self) -> list[tuple[str, list["RSVP"]]]:
        """Yes and maybe answers grouped under each person's first coalition, alphabetically."""
        groups: dict[str, list[RSVP]] = {}
        for rsvp in self.rsvps.all():
            if rsvp.answer == RSVP.Answer.NO:
                continue
            groups.setdefault(rsvp.first_coalition or "Partnership staff", []).append(rsvp)
        return sorted(groups.items())

    # -- invitees (read from the prefetch of ``with_page_details``) -------------------------------
    def invitee_rows(self) -> list[tuple["Invitee", str]]:
        """Each invitee with their answer so far ("yes", "maybe", "no", or "" before they answer)."""
        answers = {rsvp.user_id: rsvp.answer for rsvp in self.rsvps.all()}
        return [(invitee, answers.get(invitee.user_id, "")) for invitee in self.invitees.all()]

    def is_invitee(self, user) -> bool:
        return bool(user.pk) and any(invitee.user_id == user.pk for invitee in self.invitees.all())


class AgendaItem(RendersMarkdown, models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    presenting_coalition = models.ForeignKey(
        Coalition, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    notes = models.TextField(blank=True)
    notes_html = SanitizedHTMLField()

    markdown_fields = {"notes": "notes_html"}

    class Meta:
        ordering = ["meeting", "order", "pk"]

    def __str__(self):
        return self.title

    def practice_visible_to(self, user) -> bool:
        """Link the practice only where the viewer could open it: published, and public for visitors."""
        practice = self.practice
        if practice is None or practice.status != Practice.Status.PUBLISHED or practice.is_hidden:
            return False
        return practice.visibility == Practice.Visibility.PUBLIC or permissions.is_member(user)


# What the agenda shows of a linked practice, and what deciding whether to link it reads.
AGENDA_PRACTICE_FIELDS = ("slug", "title", "status", "is_hidden", "visibility")


class ListedPerson:
    """The name a meeting page lists someone under, from ``_listed_people``'s annotations."""

    @property
    def listed_name(self) -> str:
        return person_name(self.full_name, self.email)


def _listed_people(queryset):
    """RSVPs or invitees with the person's full name, email and first coalition's name (by join date)
    annotated, ordered by name: one narrow row each."""
    first_coalition = Membership.objects.filter(user=OuterRef("user_id")).order_by("joined", "pk")
    return queryset.annotate(
        full_name=Coalesce("user__profile__full_name", Value("")),
        email=F("user__email"),
        first_coalition=Subquery(first_coalition.values("coalition__name")[:1]),
    ).order_by("full_name", "email")


class RSVP(ListedPerson, models.Model):
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


class Invitee(ListedPerson, models.Model):
    """A member named on a meeting by a partnership admin (a working group's co-signers…): they get
    an invitation, the meeting's reminders unless they answered "no", and see it on their home page."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "invited_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_invitation_per_member")]

    def __str__(self):
        return f"{self.user} invited to {self.meeting}"


def meeting_file_path(instance, filename):
    # The stored name is random; the original name is kept in a field and sent on download.
    return f"meeting-files/{instance.meeting_id}/{secrets.token_hex(8)}-{filename[-80:]}"


class MeetingFile(models.Model):
    """Slides and handouts, served to members through a view that checks permission."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=meeting_file_path, max_length=255)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("meetings:file", args=[self.meeting_id, self.pk])


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a member's calendar subscription URL; resetting it replaces the row's token."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token")
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar token of {self.user}"
