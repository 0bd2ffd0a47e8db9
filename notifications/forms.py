from django import forms

from coalitions.forms import TimeZoneField
from coalitions.timezones import is_valid_time_zone
from practices.models import FocusArea

from .models import Delivery, Preference, ReminderLead


class PreferenceForm(forms.Form):
    digest_frequency = forms.ChoiceField(
        label="Practice digest",
        choices=Preference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text="New practices, adoptions of your coalition's work, comments on yours, and upcoming meetings.",
    )
    focus_areas = forms.ModelMultipleChoiceField(
        label="Focus areas you follow",
        queryset=FocusArea.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to hear about every focus area.",
    )
    wants_reminders = forms.BooleanField(label="Email me meeting reminders and follow-ups", required=False)
    reminder_leads = forms.MultipleChoiceField(
        label="Remind me",
        choices=ReminderLead.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = TimeZoneField(
        label="Your time zone",
        required=False,
        blank_label="Use my coalition's zone",
        help_text="Times on the site and in emails are shown in this zone. Blank: your coalition's zone.",
    )

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        if value and not is_valid_time_zone(value):
            raise forms.ValidationError("Choose a time zone from the list.")
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("wants_reminders") and not cleaned.get("reminder_leads"):
            self.add_error("reminder_leads", "Pick at least one time, or turn meeting reminders off.")
        return cleaned


class UnsubscribeChangeForm(forms.Form):
    """The follow-up choices on the page after unsubscribing: undo, or a lower frequency."""

    action = forms.ChoiceField(choices=[("undo", "Undo"), ("monthly", "Monthly instead")])
    previous = forms.ChoiceField(
        choices=[(Preference.Frequency.WEEKLY, "weekly"), (Preference.Frequency.MONTHLY, "monthly")], required=False
    )


class FailedDeliveryFilter(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *Delivery.Kind.choices], required=False)
    status = forms.ChoiceField(
        choices=[
            ("", "Failed and bounced"),
            (Delivery.Status.FAILED, "Failed"),
            (Delivery.Status.BOUNCED, "Bounced"),
            (Delivery.Status.PENDING, "Waiting for a retry"),
        ],
        required=False,
    )
