"""Forms for shared needs: parse input, give clear messages; the services decide."""

import zoneinfo

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from coalitions.models import Coalition
from coalitions.timezones import time_zone_choices
from practices.forms import MultipleFileField, posting_coalitions
from practices.government_levels import UNKNOWN_LEVEL_MESSAGE, GovernmentLevel
from practices.models import FocusArea, Practice

from .models import MAX_SCORE, MAX_WEIGHT, SUMMARY_MAX, Call, Need, Submission
from .services import MAX_TEXT

FOCUS_AREA_ERRORS = {
    "required": "Choose at least one focus area.",
    "invalid_choice": "“%(value)s” is not one of the focus areas.",
}


def _too_long(name: str):
    return MaxLengthValidator(
        MAX_TEXT,
        message=f"Keep {name} under {MAX_TEXT:,} characters (it has %(show_value)s); link a document for the rest.",
    )


class NeedForm(forms.ModelForm):
    """Post or edit a need; ``coalition`` only when posting (a need stays with its coalition)."""

    coalition = forms.ModelChoiceField(queryset=Coalition.objects.none(), empty_label=None)
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one.",
        error_messages=FOCUS_AREA_ERRORS,
    )

    class Meta:
        model = Need
        fields = [
            "coalition",
            "title",
            "problem",
            "affected",
            "tried",
            "focus_areas",
            "government_level",
            "budget",
            "timeframe",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 8}),
            "affected": forms.Textarea(attrs={"rows": 3}),
            "tried": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "title": {"required": "Say the need in one line."},
            "problem": {"required": "Describe the problem: what hurts today, and for whom."},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        level = self.fields["government_level"]
        level.choices = [("", "Not stated"), *GovernmentLevel.choices]
        level.error_messages["invalid_choice"] = UNKNOWN_LEVEL_MESSAGE
        for name, label in (("problem", "the problem"), ("affected", "whom it affects"), ("tried", "what was tried")):
            self.fields[name].validators.append(_too_long(label))
        if self.instance.pk:
            del self.fields["coalition"]
        else:
            self.fields["coalition"].queryset = posting_coalitions(user).order_by("name")
            self.fields["coalition"].help_text = "The coalition that has this need."

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "coalition"}


class SimilarNeedForm(forms.Form):
    """The writing form's "is this already here?" question; pasted text is cut, never refused."""

    title = forms.CharField(required=False)
    problem = forms.CharField(required=False)
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.all(), to_field_name="slug", required=False, error_messages=FOCUS_AREA_ERRORS
    )


class CosignForm(forms.Form):
    coalition = forms.ModelChoiceField(queryset=Coalition.objects.none(), empty_label=None)
    context = forms.CharField(
        label="Your context",
        max_length=300,
        help_text="One line: where it hurts for you.",
        error_messages={
            "required": "Add a line on your context: where it hurts for you.",
            "max_length": "Keep it to one line of 300 characters (it has %(show_value)s).",
        },
    )

    def __init__(self, *args, coalitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coalition"].queryset = Coalition.objects.filter(pk__in=[c.pk for c in coalitions])
        if len(coalitions) == 1:
            self.fields["coalition"].widget = forms.HiddenInput()
            self.initial["coalition"] = coalitions[0].pk


class MetForm(forms.Form):
    """Close a need as met: the practice that met it, by its address or slug."""

    practice = forms.CharField(
        label="The practice that met it",
        max_length=300,
        help_text="Paste the practice's address (…/practices/its-name/) or its short name.",
        error_messages={"required": "Name the practice that met this need."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_practice(self):
        value = self.cleaned_data["practice"].strip().rstrip("/")
        slug = value.rsplit("/", 1)[-1]
        practice = Practice.objects.published().visible_to(self.user).filter(slug=slug).first()
        if practice is None:
            raise forms.ValidationError("No published practice you can see has that address.")
        return practice


def filters_not_understood(filters: forms.Form) -> str:
    """The warning a list shows when some of its filters were not understood (the rest still apply)."""
    return "Some filters were not understood and are ignored: " + "; ".join(
        f"{name.replace('_', ' ')}: {' '.join(errors)}" for name, errors in filters.errors.items()
    )


class NeedFilter(forms.Form):
    """The list's filters; an unknown value is ignored with a message rather than a 500."""

    STATUS_CHOICES = [
        ("open", "Open"),
        ("shared", "Shared (open)"),
        ("met", "Met"),
        ("withdrawn", "Withdrawn"),
        ("all", "All"),
    ]

    focus_area = forms.ModelChoiceField(
        queryset=FocusArea.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any focus area",
        error_messages={"invalid_choice": FOCUS_AREA_ERRORS["invalid_choice"]},
    )
    government_level = forms.ChoiceField(
        choices=[("", "Any level"), *GovernmentLevel.choices],
        required=False,
        error_messages={"invalid_choice": UNKNOWN_LEVEL_MESSAGE},
    )
    coalition = forms.ModelChoiceField(
        queryset=Coalition.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any coalition",
        error_messages={"invalid_choice": "“%(value)s” is not one of the coalitions."},
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        error_messages={"invalid_choice": "“%(value)s” is not a status; choose open, shared, met, withdrawn or all."},
    )

    def filter(self, needs):
        """The filters that were understood; one that was not is left out, not the rest with it."""
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        else:
            data = {}
        status = data.get("status") or "open"
        if status == "shared":
            needs = needs.open().shared().order_by("-cosigning_coalitions", "-created")
        elif status != "all":
            needs = needs.filter(status=status)
        if data.get("focus_area"):
            needs = needs.in_focus_area(data["focus_area"].slug)
        if data.get("government_level"):
            needs = needs.filter(government_level=data["government_level"])
        if data.get("coalition"):
            needs = needs.filter(coalition=data["coalition"])
        return needs


# --- Calls for solutions ----------------------------------------------------------------------------

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time typed in the call's zone; the form makes it aware in that zone (clean())."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT)
    input_formats = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]

    def to_python(self, value):
        # Read as a naive wall-clock time: the call's zone, not the viewer's, gives it meaning.
        result = super().to_python(value)
        return timezone.make_naive(result) if result is not None and timezone.is_aware(result) else result


def parse_criteria(text: str) -> list[tuple[str, int]]:
    """ "Cost to the city | 40" a line → [("Cost to the city", 40)]; a line without a weight, or with a
    weight that is not a whole number, raises a ValidationError naming the line."""
    criteria, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, bar, weight = line.rpartition("|")
        if not bar or not name.strip():
            errors.append(f"Line {number}: write “name | weight”, e.g. “Cost to the city | 40”.")
            continue
        try:
            criteria.append((name.strip(), int(weight.strip())))
        except ValueError:
            errors.append(f"Line {number}: the weight “{weight.strip()}” is not a whole number.")
    if errors:
        raise forms.ValidationError(errors)
    return criteria


class CallForm(forms.ModelForm):
    """Publish or edit a call. Dates are typed on the call zone's wall clock; criteria one per line."""

    coalition = forms.ModelChoiceField(queryset=Coalition.objects.none(), empty_label=None)
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one.",
        error_messages=FOCUS_AREA_ERRORS,
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices, help_text="The dates below are in this zone.")
    opens_at = LocalDateTimeField(label="Submissions open")
    closes_at = LocalDateTimeField(label="Submissions close", help_text="Submissions are taken up to this minute.")
    evaluation_ends_at = LocalDateTimeField(label="Scoring ends", help_text="Evaluators score until then.")
    results_at = LocalDateTimeField(label="Results by")
    criteria_text = forms.CharField(
        label="Evaluation criteria",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One a line: “name | weight”. Weights are whole numbers from 1 to {MAX_WEIGHT} and count as "
        "shares of their total (3, 2, 1 is the same as 50, 33, 17), so they need not add up to 100.",
        error_messages={"required": "Add at least one criterion, with its weight."},
    )
    files = MultipleFileField(required=False, help_text="The full brief, data, maps: PDF, Office, images.")

    class Meta:
        model = Call
        fields = [
            "coalition",
            "title",
            "problem",
            "asks",
            "focus_areas",
            "government_level",
            "is_public",
            "time_zone",
            "opens_at",
            "closes_at",
            "evaluation_ends_at",
            "results_at",
            "terms",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 8}),
            "asks": forms.Textarea(attrs={"rows": 5}),
            "terms": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "title": {"required": "Say the call in one line."},
            "problem": {"required": "State the problem: what goes wrong today, and for whom (not a specification)."},
            "asks": {"required": "Say what you ask of respondents."},
            "terms": {"required": "State the terms a respondent accepts by submitting."},
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        level = self.fields["government_level"]
        level.choices = [("", "Not stated"), *GovernmentLevel.choices]
        level.error_messages["invalid_choice"] = UNKNOWN_LEVEL_MESSAGE
        if self.instance.pk:
            del self.fields["coalition"]
            zone = zoneinfo.ZoneInfo(self.instance.time_zone)
            for name in ("opens_at", "closes_at", "evaluation_ends_at", "results_at"):
                self.initial[name] = getattr(self.instance, name).astimezone(zone).replace(tzinfo=None)
            self.initial.setdefault(
                "criteria_text", "\n".join(f"{c.name} | {c.weight}" for c in self.instance.criteria.all())
            )
        else:
            self.fields["coalition"].queryset = posting_coalitions(user).order_by("name")
            self.fields["coalition"].help_text = "The coalition that publishes the call."

    def clean_criteria_text(self):
        return parse_criteria(self.cleaned_data["criteria_text"])

    def clean(self):
        data = super().clean()
        name = data.get("time_zone")
        if name:
            zone = zoneinfo.ZoneInfo(name)
            for field in ("opens_at", "closes_at", "evaluation_ends_at", "results_at"):
                if data.get(field) is not None:
                    data[field] = data[field].replace(tzinfo=zone)
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "Submissions must close after they open.")
        return data

    def _post_clean(self):
        # The service validates and saves; the instance is not built from the form (it would need the
        # aware datetimes and would write half-checked values onto an edited call).
        pass

    def service_data(self) -> dict:
        skip = {"coalition", "criteria_text", "files"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class CallFilter(forms.Form):
    """The list's filters; an unknown value is ignored with a message rather than a 500."""

    STATUS_CHOICES = [
        ("open", "Open for submissions"),
        ("upcoming", "Opening soon"),
        ("evaluating", "Under evaluation"),
        ("closed", "Closed, with results"),
        ("all", "All"),
    ]

    focus_area = NeedFilter.base_fields["focus_area"]
    government_level = NeedFilter.base_fields["government_level"]
    coalition = NeedFilter.base_fields["coalition"]
    status = forms.ChoiceField(
        choices=STATUS_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": "“%(value)s” is not a status; choose open, upcoming, evaluating, closed or all."
        },
    )

    def filter(self, calls, *, now):
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data
        else:
            data = {}
        status = data.get("status") or "open"
        if status == "open":
            calls = calls.open_at(now)
        elif status == "upcoming":
            calls = calls.upcoming_at(now)
        elif status == "evaluating":
            calls = calls.evaluating_at(now)
        elif status == "closed":
            calls = calls.closed().order_by("-closed_at")
        if data.get("focus_area"):
            calls = calls.in_focus_area(data["focus_area"].slug)
        if data.get("government_level"):
            calls = calls.filter(government_level=data["government_level"])
        if data.get("coalition"):
            calls = calls.filter(coalition=data["coalition"])
        return calls


class SubmissionForm(forms.ModelForm):
    """An answer to a call. ``website`` is a honeypot: hidden from people, filled in by bots."""

    website = forms.CharField(required=False, label="Leave this empty")
    accepted_terms = forms.BooleanField(
        label="I accept the call's terms",
        error_messages={"required": "Accept the call's terms to submit."},
    )
    files = MultipleFileField(required=False, help_text="Up to 5 files: PDF, Office documents, images.")

    class Meta:
        model = Submission
        fields = ["name", "organization", "email", "summary", "description", "consents_to_be_named"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4, "maxlength": SUMMARY_MAX}),
            "description": forms.Textarea(attrs={"rows": 10}),
        }
        error_messages = {
            "name": {"required": "Give your name."},
            "organization": {"required": "Give your organization's name."},
            "email": {"required": "Give an email address: a link there confirms the submission."},
            "summary": {
                "required": "Sum up your solution in a few lines.",
                "max_length": f"Keep the summary to {SUMMARY_MAX} characters (it has %(show_value)s).",
            },
            "description": {"required": "Describe your solution."},
        }

    def __init__(self, *args, member=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        self.fields["description"].validators.append(_too_long("the description"))
        if member is not None or editing:
            # A member submits with their account's address; an edit keeps the address it was verified with.
            del self.fields["email"]
        if editing:
            del self.fields["accepted_terms"]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def _post_clean(self):
        pass  # the service validates and saves

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in {"website", "files"}}


class EvaluatorForm(forms.Form):
    email = forms.EmailField(
        label="Member's email address",
        help_text="Any member of the partnership's coalitions.",
        error_messages={"required": "Give the member's email address."},
    )


class ScoreForm(forms.Form):
    """One select per criterion, 0 to 5."""

    def __init__(self, *args, criteria, initial_scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Not scored"), *[(str(n), str(n)) for n in range(MAX_SCORE + 1)]]
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                help_text=f"Weight {criterion.weight}",
                initial=(initial_scores or {}).get(criterion.pk),
            )

    def values(self) -> dict[int, int]:
        return {
            int(name.removeprefix("criterion_")): value
            for name, value in self.cleaned_data.items()
            if value is not None
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=Submission.Status.choices,
        error_messages={"invalid_choice": "“%(value)s” is not a status."},
    )
