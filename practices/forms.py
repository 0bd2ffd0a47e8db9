from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.text import slugify

from coalitions import permissions
from coalitions.models import Coalition

from .models import Adoption, Comment, FocusArea, Practice, PracticeKind, Report, without_control_characters
from .tagging import normalize_tags, tags_to_text
from .uploads import ALLOWED_UPLOADS, validate_upload

BODY_MAX_LENGTH = 50_000
# An adoption's notes and outcome, each.
ADOPTION_TEXT_MAX_LENGTH = 5000
MAX_FILES_PER_SAVE = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by ``validate_upload`` (name, content, size)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(uploads) > MAX_FILES_PER_SAVE:
            raise ValidationError(f"Attach at most {MAX_FILES_PER_SAVE} files at a time.")
        errors = []
        for upload in uploads:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return uploads


def _person_label(user) -> str:
    profile = getattr(user, "profile", None)
    return f"{profile.display_name} ({user.email})" if profile else user.email


def posting_coalitions(user):
    """Coalitions ``user`` may share practices for."""
    if permissions.is_partnership_admin(user):
        return Coalition.objects.all()
    return Coalition.objects.filter(pk__in=permissions.coalition_ids(user))


class PracticeForm(forms.ModelForm):
    """Create and edit a practice. ``coalition`` is asked only when creating (a practice stays with
    its coalition); focus areas come from the curated list, by slug."""

    coalition = forms.ModelChoiceField(queryset=Coalition.objects.none(), empty_label=None)
    focus_areas = forms.ModelMultipleChoiceField(
        queryset=FocusArea.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one.",
        error_messages={
            "required": "Choose at least one focus area.",
            "invalid_choice": "“%(value)s” is not one of the focus areas.",
        },
    )
    tags = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Anything else people might search for, separated by commas: e.g. open data, LoRaWAN, RFP.",
    )
    attachments = MultipleFileField(
        required=False,
        help_text="PDF, Office documents, CSV or images; several at once. Allowed: "
        + ", ".join(f".{ext}" for ext in sorted(ALLOWED_UPLOADS))
        + ".",
    )

    class Meta:
        model = Practice
        fields = [
            "coalition",
            "title",
            # Right after the title: "similar practices" looks at both while the author is still starting.
            "focus_areas",
            "summary",
            "body",
            "tags",
            "kind",
            "maturity",
            "jurisdiction",
            "funding_source",
            "contact",
            "visibility",
            "attachments",
        ]
        labels = {
            "summary": "One-paragraph summary",
            "body": "The full story",
            "contact": "Contact person",
            "funding_source": "Funding source",
        }
        help_texts = {
            "title": "What another city would search for, e.g. “Incident-response RFP template”.",
            "summary": "What you did and what came of it, in a paragraph (at most 1,000 characters).",
            "body": "Markdown: ## headings, **bold**, lists, [links](https://…), tables.",
            "jurisdiction": "Who did it, e.g. “City of Dallas” or “Boulder County”.",
            "visibility": "Members only by default; public practices also appear in feeds and the public API.",
            "contact": "A member of the coalition people can ask about it.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, user, **kwargs):
        given_initial = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["body"].validators.append(MaxLengthValidator(BODY_MAX_LENGTH))
        self.fields["kind"].queryset = PracticeKind.objects.all()
        self.fields["kind"].empty_label = None
        self.fields["funding_source"].choices = [("", "Not stated"), *Practice.FundingSource.choices]
        if self.instance.pk:
            del self.fields["coalition"]
            coalition_ids = [self.instance.coalition_id]
            if "tags" not in given_initial:  # the model gives Tag objects; the field edits text
                self.initial["tags"] = tags_to_text(self.instance.tags.names())
        else:
            coalitions = posting_coalitions(user)
            self.fields["coalition"].queryset = coalitions
            self.fields["coalition"].help_text = "The coalition this practice is shared for."
            coalition_ids = list(coalitions.values_list("pk", flat=True)) if not user.is_staff else None
        contacts = get_user_model().objects.filter(is_active=True).select_related("profile").order_by("email")
        if coalition_ids is not None:
            contacts = contacts.filter(memberships__coalition_id__in=coalition_ids).distinct()
        self.fields["contact"].queryset = contacts
        self.fields["contact"].label_from_instance = _person_label
        self.fields["contact"].empty_label = "Me"

    def clean_title(self):
        title = " ".join(without_control_characters(self.cleaned_data["title"]).split())
        if not any(ch.isalnum() for ch in title):
            raise ValidationError("Give the practice a title with words in it.")
        return title

    def clean_summary(self):
        summary = without_control_characters(self.cleaned_data["summary"]).strip()
        if not summary:
            raise ValidationError("This field is required.")
        return summary

    def clean_body(self):
        return without_control_characters(self.cleaned_data["body"])

    def clean_jurisdiction(self):
        return " ".join(without_control_characters(self.cleaned_data["jurisdiction"]).split())

    def clean_tags(self):
        return normalize_tags(self.cleaned_data.get("tags", ""))

    def clean(self):
        cleaned = super().clean()
        contact = cleaned.get("contact")
        coalition = cleaned.get("coalition") or (self.instance.coalition if self.instance.pk else None)
        if contact and coalition and not contact.memberships.filter(coalition=coalition).exists():
            self.add_error("contact", "The contact person must be a member of the practice's coalition.")
        return cleaned

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("coalition", "attachments")}
        if not data.get("contact"):
            data["contact"] = self.instance.contact if self.instance.pk else self.user
        return data


class AdoptionForm(forms.ModelForm):
    coalition = forms.ModelChoiceField(queryset=Coalition.objects.none(), empty_label=None)

    class Meta:
        model = Adoption
        fields = ["coalition", "stage", "notes", "outcome"]
        labels = {"notes": "What you changed", "outcome": "How it went"}
        help_texts = {
            "notes": "How you adapted it to your city: scope, vendor, budget, policy.",
            "outcome": "Results so far, or what you are waiting to learn.",
        }
        widgets = {
            "stage": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4, "maxlength": ADOPTION_TEXT_MAX_LENGTH}),
            "outcome": forms.Textarea(attrs={"rows": 4, "maxlength": ADOPTION_TEXT_MAX_LENGTH}),
        }

    def __init__(self, *args, coalition_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coalition"].queryset = Coalition.objects.filter(pk__in=coalition_ids)
        for name in ("notes", "outcome"):
            self.fields[name].validators.append(MaxLengthValidator(ADOPTION_TEXT_MAX_LENGTH))


class CommentForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["body"]
        labels = {"body": "Your question or answer"}
        help_texts = {"body": "Markdown works. Your name and coalition are shown with it."}
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "maxlength": 5000})}
        error_messages = {"body": {"required": "Write something first."}}


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "details"]
        labels = {"details": "Anything moderators should know (optional)"}
        widgets = {"reason": forms.RadioSelect, "details": forms.Textarea(attrs={"rows": 3, "maxlength": 2000})}
        error_messages = {"reason": {"required": "Choose a reason."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = Report.Reason.choices  # radio buttons: no "---------" choice


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["name", "slug", "description"]
        help_texts = {
            "slug": "Its address: lowercase letters, digits and hyphens. Left empty, made from the name.",
            "description": "One or two sentences: what belongs here.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].allow_unicode = False
        self.fields["description"].required = True

    def clean(self):
        cleaned = super().clean()
        name = " ".join((cleaned.get("name") or "").split())
        slug = cleaned.get("slug") or slugify(name)
        if name and not slug:
            self.add_error("name", "Use letters or digits in the name.")
        elif slug and FocusArea.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
            self.add_error("slug", "A focus area with this address already exists.")
        elif name and FocusArea.objects.exclude(pk=self.instance.pk).filter(name__iexact=name).exists():
            self.add_error("name", "A focus area with this name already exists.")
        cleaned["name"], cleaned["slug"] = name, slug
        return cleaned


class MarkdownPreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=BODY_MAX_LENGTH)


class SimilarForm(forms.Form):
    """The new-practice form's "before you start from scratch" question."""

    # Pasted text is cut to what discovery reads (practices.discovery.text.clean), never refused.
    title = forms.CharField(required=False)
    summary = forms.CharField(required=False)
    focus_areas = forms.ModelMultipleChoiceField(queryset=FocusArea.objects.all(), to_field_name="slug", required=False)
