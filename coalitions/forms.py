"""Forms for coalitions, members and the extra signup fields.

This module is imported by allauth while it builds its own forms (ACCOUNT_SIGNUP_FORM_CLASS),
so it must not import ``allauth.account.forms``.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .models import Coalition, Invitation, JoinRequest, Membership, Profile
from .places import parse_state_codes
from .timezones import DEFAULT_TIME_ZONE, current_time_zone, is_valid_time_zone, time_zone_choices, time_zone_label

# Paths under /coalitions/ that a coalition's slug must not shadow.
RESERVED_SLUGS = {"new", "members", "profile", "invitations", "requests", "admin"}
LOGO_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}  # no SVG: it can carry scripts


class TimeZoneField(forms.ChoiceField):
    """A select of current IANA zones, the partnership's usual ones first; ``blank_label`` names what
    an empty choice means. A stored old alias (``US/Arizona``) shows as the zone it stands for."""

    def __init__(self, *, blank_label: str | None = None, **kwargs):
        choices = list(time_zone_choices())
        if blank_label is not None:
            choices.insert(0, ("", blank_label))
        super().__init__(choices=choices, **kwargs)

    def prepare_value(self, value):
        return current_time_zone(value) if isinstance(value, str) else value

    def validate(self, value):
        super().validate(value)
        if value and not is_valid_time_zone(value):
            raise ValidationError("Choose a time zone from the list.")


class SignupExtraForm(forms.Form):
    """Asked at signup so the member directory shows a name from day one."""

    full_name = forms.CharField(
        max_length=150, label="Full name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    job_title = forms.CharField(
        max_length=150,
        required=False,
        label="Job title",
        help_text="For example “Chief Innovation Officer, City of Boulder”.",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )

    def signup(self, request, user):
        """Called by allauth once the new user is saved."""
        from .services import update_profile  # late: allauth imports this module while it loads

        update_profile(
            by=user, full_name=self.cleaned_data["full_name"], job_title=self.cleaned_data["job_title"], time_zone=""
        )


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField(required=False, label="Time zone")

    class Meta:
        model = Profile
        fields = ["full_name", "job_title", "time_zone"]
        labels = {"full_name": "Full name", "job_title": "Job title"}

    def __init__(self, *args, default_time_zone: str = DEFAULT_TIME_ZONE, in_a_coalition: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Say where the default comes from: someone in no coalition gets the portal's, not a coalition's.
        source = "Coalition default" if in_a_coalition else "Portal default"
        self.fields["time_zone"] = TimeZoneField(
            required=False,
            label="Time zone",
            blank_label=f"{source} — {time_zone_label(default_time_zone)}",
            help_text="Meeting times are shown in this zone.",
        )
        self.fields["full_name"].required = True


def _clean_logo(logo):
    """A real raster image of a format browsers show, not larger than the cap."""
    if not logo or not hasattr(logo, "image"):
        return logo  # unchanged, or cleared
    if logo.size > settings.COALITION_LOGO_MAX_BYTES:
        raise ValidationError(
            f"The logo is {filesizeformat(logo.size)}; logos may be at most "
            f"{filesizeformat(settings.COALITION_LOGO_MAX_BYTES)}."
        )
    if logo.image.format not in LOGO_FORMATS:
        raise ValidationError("Upload the logo as PNG, JPEG, GIF or WebP.")
    return logo


class CoalitionForm(forms.ModelForm):
    time_zone = TimeZoneField(label="Time zone", help_text="Members who have not chosen a zone see times in this one.")

    class Meta:
        model = Coalition
        fields = [
            "name",
            "short_name",
            "slug",
            "region",
            "state_codes",
            "latitude",
            "longitude",
            "website",
            "time_zone",
            "description",
            "logo",
        ]
        labels = {
            "slug": "Web address",
            "short_name": "Short name",
            "region": "State or region",
            "state_codes": "States covered",
            "latitude": "Metro point: latitude",
            "longitude": "Metro point: longitude",
        }
        help_texts = {
            "state_codes": "Two-letter postal codes, e.g. “CO”, or “MO, KS” for a metro area across two states.",
            "latitude": "Only for a metro coalition, drawn as a point on the insights map: e.g. 39.0997.",
            "longitude": "West is negative: e.g. -94.5786.",
            "slug": "Lowercase letters, digits and hyphens; used in this coalition's web address.",
            "short_name": "An abbreviation such as “CSCA”.",
            "description": "What the coalition is and who belongs to it. Plain text.",
            "logo": "Optional. PNG, JPEG, GIF or WebP.",
        }
        widgets = {"logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})}

    website = forms.URLField(required=False, assume_scheme="https", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = 5000
        self.fields["description"].widget.attrs["maxlength"] = 5000

    def clean_state_codes(self):
        known, unknown = parse_state_codes(self.cleaned_data.get("state_codes", ""))
        if unknown:
            raise ValidationError(
                "Not a US state's postal code: %(codes)s. Use two letters such as CO or TX.",
                params={"codes": ", ".join(unknown)},
            )
        return ",".join(known)

    def clean_latitude(self):
        latitude = self.cleaned_data.get("latitude")
        if latitude is not None and not -90 <= latitude <= 90:
            raise ValidationError("A latitude lies between -90 and 90.")
        return latitude

    def clean_longitude(self):
        longitude = self.cleaned_data.get("longitude")
        if longitude is not None and not -180 <= longitude <= 180:
            raise ValidationError("A longitude lies between -180 and 180.")
        return longitude

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None) and not self.errors:
            self.add_error("longitude", "Give both latitude and longitude for a metro point, or neither.")
        return cleaned

    def clean_slug(self):
        slug = self.cleaned_data["slug"].lower()
        if slug in RESERVED_SLUGS:
            raise ValidationError("This web address is reserved; choose another.")
        return slug

    def clean_logo(self):
        return _clean_logo(self.cleaned_data.get("logo"))


class JoinRequestForm(forms.ModelForm):
    class Meta:
        model = JoinRequest
        fields = ["message"]
        labels = {"message": "Message to the coalition's admins (optional)"}
        help_texts = {"message": "Who you are and why you would like to join, in a sentence or two."}
        widgets = {"message": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]
        labels = {"email": "Email address"}

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    coalition = forms.ModelChoiceField(
        queryset=Coalition.objects.all(), required=False, to_field_name="slug", empty_label="All coalitions"
    )
