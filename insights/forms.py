"""The filters every chart of the insights page applies: a range of whole months, a coalition, a focus
area and a level of government. A value that does not parse is explained and left out; the rest apply."""

import datetime as dt
import re

from django import forms

from practices.government_levels import UNKNOWN_LEVEL_MESSAGE, GovernmentLevel

from .figures import Scope, months_between

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# Ten years: enough for any report, and a bound on the rows a chart and its CSV carry.
MAX_MONTHS = 120


class MonthField(forms.CharField):
    """``YYYY-MM`` (what ``<input type="month">`` sends) as the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}", "placeholder": "YYYY-MM"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = MONTH.match(value)
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
            raise forms.ValidationError("Give a month as year and month, e.g. 2026-03.")
        return dt.date(int(match[1]), int(match[2]), 1)


class InsightsFilterForm(forms.Form):
    start = MonthField(required=False, label="From (month)")
    end = MonthField(required=False, label="To (month)")
    coalition = forms.ChoiceField(required=False, label="Coalition")
    focus_area = forms.ChoiceField(required=False, label="Focus area")
    government_level = forms.ChoiceField(
        required=False,
        label="Level of government",
        choices=[("", "Any level"), *GovernmentLevel.choices],
        error_messages={"invalid_choice": UNKNOWN_LEVEL_MESSAGE},
    )

    def __init__(self, data, *, options: dict, today: dt.date):
        super().__init__(data)
        self.default = Scope.default(today)
        self.fields["coalition"].choices = [("", "All coalitions"), *options["coalition"]]
        self.fields["coalition"].error_messages["invalid_choice"] = "“%(value)s” is not one of the coalitions."
        self.fields["focus_area"].choices = [("", "All focus areas"), *options["focus_area"]]
        self.fields["focus_area"].error_messages["invalid_choice"] = "“%(value)s” is not one of the focus areas."
        self.fields["start"].help_text = f"Default: {self.default.start:%Y-%m}."
        self.fields["end"].help_text = f"Default: {self.default.end:%Y-%m}."

    def clean(self):
        cleaned = super().clean()
        start = cleaned.get("start") or self.default.start
        end = cleaned.get("end") or self.default.end
        if "start" in cleaned and "end" in cleaned:
            if start > end:
                self.add_error("end", "The last month comes before the first; swap them.")
            elif len(months_between(start, end)) > MAX_MONTHS:
                self.add_error("start", f"Choose at most {MAX_MONTHS} months ({MAX_MONTHS // 12} years).")
        return cleaned

    def scope(self) -> Scope:
        """The filters that parsed (the defaults for the others)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        start = cleaned.get("start") or self.default.start
        end = cleaned.get("end") or self.default.end
        if start > end or len(months_between(start, end)) > MAX_MONTHS:
            start, end = self.default.start, self.default.end
        return Scope(
            start=start,
            end=end,
            coalition=cleaned.get("coalition", ""),
            focus_area=cleaned.get("focus_area", ""),
            government_level=cleaned.get("government_level", ""),
        )

    @property
    def active_filter_count(self) -> int:
        return sum(1 for name in self.fields if (self.data or {}).get(name))
