from django import forms
from django.core.exceptions import ValidationError

from coalitions import permissions
from coalitions.models import Coalition
from coalitions.timezones import effective_time_zone, time_zone_choices
from practices.models import FocusArea
from practices.uploads import validate_upload

from . import recurrence
from .models import RSVP, MeetingFile, MeetingSeries
from .services import SERIES_FIELDS, http_url

WEEK_CHOICES = [("", "—"), (1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (recurrence.LAST, "Last")]
WEEKDAY_CHOICES = [("", "—")] + [
    (i, name) for i, name in enumerate(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"])
]
UNKNOWN_ZONE = "“%(value)s” is not a time zone we know. Pick one from the list."
MAX_MEETING_MINUTES = 12 * 60


def time_zone_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=time_zone_choices(), error_messages={"invalid_choice": UNKNOWN_ZONE}, label="Time zone", **kwargs
    )


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


class MeetingDetailsForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["video_link"] = web_link_field("Video link", "Shown to signed-in members only.")
        self.fields["host_coalition"] = host_coalition_field(user)


class ScheduleMeetingForm(MeetingDetailsForm, MeetingTimeForm):
    """A one-off meeting: details and time in one form."""

    field_order = ["title", "description", "date", "start_time", "end_time", "time_zone", "video_link"]

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
    practice = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Practice discussed")
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, coalition_choices, practice_choices, **kwargs):
        # Choices come in precomputed so a formset of many rows costs two queries, not two a row.
        super().__init__(*args, **kwargs)
        self.fields["presenting_coalition"].choices = [("", "—"), *coalition_choices]
        self.fields["practice"].choices = [("", "—"), *practice_choices]


# absolute_max: a forged TOTAL_FORMS must not make Django build a thousand forms (its default cap).
AgendaFormSet = forms.formset_factory(
    AgendaItemForm, extra=2, can_delete=True, can_order=True, max_num=40, validate_max=True, absolute_max=40
)


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
