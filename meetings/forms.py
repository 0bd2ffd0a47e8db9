import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.urls import reverse
from django.utils import timezone

from coalitions import permissions
from coalitions.forms import TimeZoneField
from coalitions.models import Coalition
from coalitions.timezones import effective_time_zone
from practices.models import FocusArea
from practices.uploads import validate_upload

from . import recurrence
from .models import RSVP, MeetingFile, MeetingSeries
from .services import AGENDA_MAX_ITEMS, MAX_INVITEES, SERIES_FIELDS, http_url
from .timefmt import format_instant

WEEK_CHOICES = [("", "—"), (1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (recurrence.LAST, "Last")]
WEEKDAY_CHOICES = [("", "—")] + [
    (i, name) for i, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
]
UNKNOWN_ZONE = "“%(value)s” is not a time zone we know. Pick one from the list."
MAX_MEETING_MINUTES = 12 * 60


def time_zone_field(**kwargs) -> forms.ChoiceField:
    return TimeZoneField(error_messages={"invalid_choice": UNKNOWN_ZONE}, label="Time zone", **kwargs)


class HttpURLField(forms.URLField):
    """A web address: http or https only (no javascript:, ftp:, mailto:)."""

    default_validators = [http_url]
    default_error_messages = {"invalid": "Enter a web address starting with http:// or https://."}


def web_link_field(label: str, help_text: str = "") -> forms.URLField:
    return HttpURLField(
        label=label,
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=help_text,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


def host_coalition_field(user) -> forms.ModelChoiceField:
    """Partnership admins may host as the partnership (blank) or any coalition; coalition admins
    only as a coalition they run."""
    if permissions.is_partnership_admin(user):
        return forms.ModelChoiceField(
            Coalition.objects.order_by("name"),
            required=False,
            empty_label="The partnership (no host coalition)",
            label="Host coalition",
            help_text="Its admins may edit the meeting too.",
        )
    return forms.ModelChoiceField(
        Coalition.objects.filter(pk__in=permissions.admin_coalition_ids(user)).order_by("name"),
        label="Host coalition",
        empty_label=None,
        help_text="You can schedule meetings your coalition hosts.",
    )


# The fields the series form's preview needs; the rest may still be empty.
PREVIEW_FIELDS = (
    "rule_kind",
    "week_of_month",
    "weekday",
    "day_of_month",
    "local_start_time",
    "duration_minutes",
    "time_zone",
)
PREVIEW_NEEDS = ("rule_kind", "local_start_time", "duration_minutes", "time_zone")
PREVIEW_COUNT = 6


def series_preview_dates(
    *, rule, wall_time, duration_minutes: int, tz_name: str, viewer_zone: str | None, now=None, count=PREVIEW_COUNT
) -> list[str]:
    """The next ``count`` starts of a rule, each as the meeting lists show it to this viewer."""
    occurrences = recurrence.next_occurrences(
        rule,
        wall_time=wall_time,
        duration_minutes=duration_minutes,
        tz_name=tz_name,
        after=now or timezone.now(),
        count=count,
    )
    return [format_instant(start, tz_name, viewer_zone) for _, start, _ in occurrences]


class SeriesForm(forms.ModelForm):
    video_link = web_link_field("Video link", "Shown to signed-in members only.")
    week_of_month = forms.TypedChoiceField(
        choices=WEEK_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        label="Week of the month",
        help_text="With “Nth weekday of the month”.",
        error_messages={"invalid_choice": "Choose the first to fourth week, or the last: not every month has a fifth."},
    )
    weekday = forms.TypedChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        label="Day of the week",
        help_text="With “Nth weekday of the month”.",
        error_messages={"invalid_choice": "Choose a day from Monday to Sunday."},
    )
    day_of_month = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=31,
        label="Day of the month",
        help_text="With “Day of the month”. For days 29, 30 and 31: in a month without that day the meeting "
        "moves to the month's last day (31 → 28 or 29 February, 30 April…).",
        error_messages={
            "min_value": "A day of the month runs from 1 to 31.",
            "max_value": "A day of the month runs from 1 to 31.",
        },
    )
    local_start_time = forms.TimeField(
        label="Start time",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text="Wall-clock time in the series' time zone; it stays the same across daylight-saving changes. "
        "A time the clocks skip (02:30 on the spring-forward night) falls an hour later that day.",
    )
    duration_minutes = forms.IntegerField(
        min_value=5,
        max_value=MAX_MEETING_MINUTES,
        label="Duration (minutes)",
        error_messages={"min_value": "A meeting lasts at least 5 minutes.", "max_value": "Twelve hours at most."},
    )

    class Meta:
        model = MeetingSeries
        fields = list(SERIES_FIELDS)
        widgets = {"rule_kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 4})}
        labels = {"rule_kind": "Repeats on", "reminder_audience": "Reminders go to"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = time_zone_field(help_text="Occurrences are planned in this zone.")
        self.fields["host_coalition"] = host_coalition_field(user)
        self.fields["description"].help_text = "Copied to every occurrence (Markdown)."
        if not self.instance.pk:
            self.initial.setdefault("duration_minutes", 60)
            self.initial.setdefault("time_zone", effective_time_zone(user))
        if self.instance.pk:
            self.fields["reset_customized"] = forms.BooleanField(
                required=False,
                label="Also reset occurrences that were changed one by one",
                help_text="Moved, edited or cancelled future meetings return to the series' schedule "
                "(cancelled ones are reinstated). Past meetings never change.",
            )

    def preview(self, *, viewer_zone: str | None, now=None, count: int = PREVIEW_COUNT) -> dict:
        """What the next ``count`` meetings would be with the rule, time and zone as filled in (the
        title and the rest need not be valid yet): ``{"dates": [text…]}``, or ``{"missing": [text…]}``
        saying what to fill in first. Computed by ``recurrence`` exactly as the series will be."""
        self.is_valid()
        # An empty field is named; a filled-in one that is wrong says what is wrong with it.
        missing = [
            self.fields[name].label
            if self.data.get(self.add_prefix(name), "") in ("", None)
            else f"{self.fields[name].label}: {' '.join(self.errors[name])}"
            for name in PREVIEW_FIELDS
            if name in self.errors
        ]
        data = getattr(self, "cleaned_data", {})  # an empty post leaves an unbound form: nothing cleaned
        if not missing and any(data.get(name) in (None, "") for name in PREVIEW_NEEDS):
            missing.append("How the meeting repeats, its start time, duration and time zone")
        if missing:
            return {"missing": missing}
        return {
            "dates": series_preview_dates(
                rule=recurrence.Rule(
                    kind=data["rule_kind"],
                    week_of_month=data.get("week_of_month"),
                    weekday=data.get("weekday"),
                    day_of_month=data.get("day_of_month"),
                ),
                wall_time=data["local_start_time"],
                duration_minutes=data["duration_minutes"],
                tz_name=data["time_zone"],
                viewer_zone=viewer_zone,
                now=now,
                count=count,
            )
        }

    def clean(self):
        data = super().clean()
        kind = data.get("rule_kind")
        if kind == MeetingSeries.RuleKind.NTH_WEEKDAY:
            data["day_of_month"] = None
        elif kind == MeetingSeries.RuleKind.DAY_OF_MONTH:
            data["week_of_month"] = data["weekday"] = None
        if kind:
            rule = recurrence.Rule(
                kind=kind,
                week_of_month=data.get("week_of_month"),
                weekday=data.get("weekday"),
                day_of_month=data.get("day_of_month"),
            )
            for field, message in rule.problems().items():
                # A field that already failed its own check keeps that message alone.
                if field not in self.errors:
                    self.add_error(field, message)
        return data


class MeetingTimeForm(forms.Form):
    """Date, start and end as wall times in a chosen zone → ``start``/``end`` in UTC."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Starts at")
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), label="Ends at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = time_zone_field(help_text="The date and times above are in this zone.")

    def clean(self):
        data = super().clean()
        day, start_time, end_time, zone = (data.get(k) for k in ("date", "start_time", "end_time", "time_zone"))
        if day and start_time and end_time and zone:
            if end_time <= start_time:
                self.add_error("end_time", "The meeting must end after it starts (on the same day).")
            else:
                data["start"] = recurrence.local_to_utc(day, start_time, zone)
                data["end"] = recurrence.local_to_utc(day, end_time, zone)
                if data["end"] <= data["start"]:
                    # Only a daylight-saving night can squeeze an interval to nothing.
                    self.add_error("end_time", "The meeting must end after it starts.")
        return data

    @classmethod
    def initial_for(cls, meeting) -> dict:
        start, end = meeting.local_start(), meeting.local_end()
        return {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "time_zone": meeting.time_zone,
        }


class InviteesField(forms.CharField):
    """Invitees as email addresses, one a line (or separated by commas or spaces): works without
    JavaScript, and the page's script fills it from a search of members. Cleans to a list of users."""

    widget = forms.Textarea(attrs={"rows": 4, "class": "invitee-emails", "autocomplete": "off"})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Invitees")
        kwargs.setdefault(
            "help_text",
            "Email addresses of members, one a line. They get an invitation, the reminders and the calendar "
            "file, and see the meeting on their home page.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(getattr(user, "email", str(user)) for user in value)
        return value

    def clean(self, value):
        text = super().clean(value)
        emails = list(dict.fromkeys(e.lower() for e in re.split(r"[\s,;]+", text or "") if e))
        if len(emails) > MAX_INVITEES:
            raise ValidationError(f"A meeting invites at most {MAX_INVITEES} members (this lists {len(emails)}).")
        if not emails:
            return []
        # Matched case-insensitively in one query, among every account: the service decides who may be
        # newly invited, so an invitee who has left their coalition since does not block saving the form.
        found = {
            user.email.lower(): user
            for user in get_user_model().objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
        }
        unknown = [e for e in emails if e not in found]
        if unknown:
            shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            raise ValidationError(f"No member has the address {shown}. Invite members of a coalition only.")
        return [found[e] for e in emails]


class MeetingDetailsForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video_link"] = web_link_field("Video link", "Shown to signed-in members only.")
        self.fields["host_coalition"] = host_coalition_field(user)
        # Only partnership admins invite: for everyone else the field is not there, so nothing changes.
        if permissions.is_partnership_admin(user):
            self.fields["invitees"] = InviteesField()
            self.fields["invitees"].widget.attrs["data-search-url"] = reverse("meetings:member_search")


class ScheduleMeetingForm(MeetingDetailsForm, MeetingTimeForm):
    """A one-off meeting: details and time in one form."""

    field_order = [
        "title",
        "description",
        "date",
        "start_time",
        "end_time",
        "time_zone",
        "video_link",
        "host_coalition",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.initial.setdefault("time_zone", effective_time_zone(user))
        self.order_fields(self.field_order)


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    duration_minutes = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_MEETING_MINUTES, label="Minutes", widget=forms.NumberInput
    )
    presenting_coalition = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Presented by")
    practice = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Practice discussed",
        error_messages={"invalid_choice": "That practice is not published, or not one you can see. Choose another."},
    )
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, coalition_choices, practice_choices, **kwargs):
        # Choices come in precomputed so a formset of many rows costs two queries, not two a row.
        super().__init__(*args, **kwargs)
        self.fields["presenting_coalition"].choices = [("", "—"), *coalition_choices]
        self.fields["practice"].choices = [("", "—"), *practice_choices]

    def has_changed(self):
        # The position is filled in by the page's script for every row, an empty new one included:
        # a row nobody typed into stays skipped rather than failing for want of a title.
        return any(name != ORDERING_FIELD_NAME for name in self.changed_data)


class BaseAgendaFormSet(forms.BaseFormSet):
    """Rows keep their position in a hidden field: the page's script numbers them as they are dragged
    or moved, and without JavaScript the server does it for the "Move up/down" buttons (see
    ``rearrange_agenda``). A position is checked here, as anything posted can be forged."""

    ordering_widget = forms.HiddenInput

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields[ORDERING_FIELD_NAME].error_messages["invalid"] = BAD_ORDER
        form.fields[DELETION_FIELD_NAME].label = "Remove this item when saving"

    def clean(self):
        super().clean()
        seen = set()
        for index, form in enumerate(self.forms):
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            position = form.cleaned_data.get(ORDERING_FIELD_NAME)
            if position is None:
                continue  # a row added without a position goes last, as Django orders it
            if not 1 <= position <= self.absolute_max or position in seen:
                raise ValidationError(BAD_ORDER, code="order")
            seen.add(position)

    @property
    def display_forms(self) -> list:
        """The rows in the order they are shown: by the posted positions (rows without one last, in
        the order they came), or as stored before anything was posted."""
        if not self.is_bound:
            return list(self.forms)
        return [self.forms[index] for index in posted_order(self.data, self.prefix, self.total_form_count())]


BAD_ORDER = (
    "The items' order was garbled (two items in one place, or a place out of range). "
    "Nothing was saved: check the order and save again."
)

# absolute_max: a forged TOTAL_FORMS must not make Django build a thousand forms (its default cap).
AgendaFormSet = forms.formset_factory(
    AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=AGENDA_MAX_ITEMS,
    validate_max=True,
    absolute_max=AGENDA_MAX_ITEMS,
)


def _position(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def posted_order(data, prefix: str, total: int) -> list[int]:
    """Form indexes sorted by their posted position; rows without a usable one last, in index order."""
    positions = {index: _position(data.get(f"{prefix}-{index}-{ORDERING_FIELD_NAME}")) for index in range(total)}
    return sorted(range(total), key=lambda i: (positions[i] is None, positions[i] or 0, i))


def rearrange_agenda(data, *, prefix: str, add: bool = False, move: str = "") -> tuple:
    """The agenda editor's buttons without JavaScript, on a copy of the posted rows (nothing is saved):
    ``add`` appends an empty row; ``move`` ("agenda-3:up", "agenda-0:down") swaps that row with its
    neighbour among the rows not marked for removal. Every row is then numbered 1, 2, 3… in the new
    order. Returns the new data and a sentence for the page ("" when nothing happened)."""
    data = data.copy()
    total = min(max(_position(data.get(f"{prefix}-TOTAL_FORMS")) or 0, 0), AGENDA_MAX_ITEMS)
    done = ""
    if add:
        if total < AGENDA_MAX_ITEMS:
            total += 1
            done = "An empty item was added at the end. Nothing is saved until you save the agenda."
        else:
            done = f"An agenda holds at most {AGENDA_MAX_ITEMS} items."
    order = posted_order(data, prefix, total)
    row, _, direction = move.rpartition(":")
    moved = _position(row.rpartition("-")[2]) if row.startswith(f"{prefix}-") else None
    if moved is not None and moved < total and direction in ("up", "down"):
        kept = [i for i in order if data.get(f"{prefix}-{i}-{DELETION_FIELD_NAME}") not in ("on", "true", "1")]
        if moved in kept:
            place = kept.index(moved)
            other = place - 1 if direction == "up" else place + 1
            if 0 <= other < len(kept):
                a, b = order.index(kept[place]), order.index(kept[other])
                order[a], order[b] = order[b], order[a]
                done = f"Item moved {direction} to place {other + 1}. Nothing is saved until you save the agenda."
    data[f"{prefix}-TOTAL_FORMS"] = str(total)
    for position, index in enumerate(order, start=1):
        data[f"{prefix}-{index}-{ORDERING_FIELD_NAME}"] = str(position)
    return data, done


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        errors = []
        for upload in cleaned:
            try:
                upload.checked_content_type = validate_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        help_text="Markdown: **bold**, lists, links, headings.",
    )
    files = MultipleFileField(required=False, label="Add slides or files", help_text="PDF, Office, images, text.")
    remove_files = forms.ModelMultipleChoiceField(
        MeetingFile.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Remove files"
    )

    field_order = ["minutes", "recording_link", "files", "remove_files"]

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recording_link"] = web_link_field("Recording link")
        self.fields["remove_files"].queryset = meeting.files.all()
        if not meeting.files.exists():
            del self.fields["remove_files"]
        self.order_fields(self.field_order)


class RSVPForm(forms.Form):
    answer = forms.ChoiceField(
        choices=RSVP.Answer.choices, error_messages={"invalid_choice": "Answer yes, maybe or no."}
    )


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    area = forms.ModelChoiceField(
        FocusArea.objects.order_by("name"),
        required=False,
        to_field_name="slug",
        empty_label="All focus areas",
        label="Focus area of practices discussed",
        error_messages={"invalid_choice": "There is no such focus area; showing all."},
    )
