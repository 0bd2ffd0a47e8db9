from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, URLValidator
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from coalitions import permissions
from coalitions.models import Coalition

from .contracts import CONTRACT_FIELDS
from .government_levels import UNKNOWN_LEVEL_MESSAGE, GovernmentLevel
from .models import (
    CONTRACT_NUMBER_MAX_LENGTH,
    CONTRACT_SCOPE_MAX_LENGTH,
    DEPENDENCIES_MAX_LENGTH,
    Adoption,
    AdoptionFile,
    Comment,
    Contract,
    ContractDocument,
    FocusArea,
    FundingProgram,
    Maintenance,
    OutcomeMeasure,
    Practice,
    PracticeKind,
    Report,
    Standard,
    without_control_characters,
)
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


def _ask_government_level(field, *, required: bool) -> None:
    """A select of the levels; required ones start at "Choose…", optional ones at "Not stated"."""
    field.required = required
    field.choices = [("", "Choose…" if required else "Not stated"), *GovernmentLevel.choices]
    field.error_messages["invalid_choice"] = UNKNOWN_LEVEL_MESSAGE
    field.error_messages["required"] = "Choose the level of government it comes from."


def posting_coalitions(user):
    """Coalitions ``user`` may share practices for."""
    if permissions.is_partnership_admin(user):
        return Coalition.objects.all()
    return Coalition.objects.filter(pk__in=permissions.coalition_ids(user))


# The "what it takes to run" fields of a practice, all optional.
RUNNING_FIELDS = ("maintained_by", "maintained_until", "dependencies", "standards", "software_license", "based_on")


def resolve_practice_reference(text: str, *, user, exclude=None) -> Practice | None:
    """The published practice ``user`` can see that ``text`` names by its address or its slug."""
    text = (text or "").strip()
    if not text:
        return None
    path = urlsplit(text).path if "/" in text else f"/practices/{text}/"
    try:
        match = resolve(path if path.endswith("/") else f"{path}/")
    except Resolver404:
        match = None
    slug = match.kwargs.get("slug", "") if match and match.view_name == "practices:detail" else ""
    practice = Practice.objects.published().visible_to(user).filter(slug=slug).first() if slug else None
    if practice is None:
        raise ValidationError("No published practice at that address: paste the address of its page.")
    if exclude is not None and exclude.pk == practice.pk:
        raise ValidationError("A practice cannot be based on itself.")
    return practice


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
    funding_programs = forms.ModelMultipleChoiceField(
        queryset=FundingProgram.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Funding programs",
        help_text="Optional: the named programs that paid for it, as many as apply. "
        "Others then find the practices funded the same way.",
        error_messages={"invalid_choice": "“%(value)s” is not one of the funding programs."},
    )
    tags = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Anything else people might search for, separated by commas: e.g. open data, LoRaWAN, RFP.",
    )
    based_on = forms.CharField(
        required=False,
        max_length=500,
        label="Based on",
        help_text="The address of a practice on this portal that you adapted; that practice then lists yours.",
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
            "government_level",
            "funding_source",
            "funding_programs",
            "contact",
            "visibility",
            *RUNNING_FIELDS,
            "attachments",
        ]
        labels = {
            "summary": "One-paragraph summary",
            "body": "The full story",
            "contact": "Contact person",
            "funding_source": "Funding source",
            "government_level": "Level of government",
            "maintained_by": "Who maintains it",
            "maintained_until": "Maintained until",
            "dependencies": "Proprietary or hardware parts it depends on",
            "standards": "Standards it supports",
            "software_license": "Licence, if it is software",
        }
        help_texts = {
            "title": "What another city would search for, e.g. “Incident-response RFP template”.",
            "summary": "What you did and what came of it, in a paragraph (at most 1,000 characters).",
            "body": "Markdown: ## headings, **bold**, lists, [links](https://…), tables.",
            "jurisdiction": "Who did it, e.g. “City of Dallas” or “Boulder County”.",
            "government_level": "The level of the government that did it, so peers at the same level find it: "
            "a city, a county, a regional body such as a council of governments, a state, a tribal nation, "
            "or several jurisdictions together.",
            "visibility": "Members only by default; public practices also appear in feeds and the public API.",
            "contact": "A member of the coalition people can ask about it.",
            "maintained_until": "When the maintenance contract or commitment ends, if it does.",
            "dependencies": "What a city would have to buy or keep: a vendor's platform, sensors, a radio network…",
            "software_license": "e.g. Apache-2.0, MIT, GPL-3.0, or “proprietary”.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
            "body": forms.Textarea(attrs={"rows": 16}),
            "visibility": forms.RadioSelect,
            "maintained_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "dependencies": forms.Textarea(attrs={"rows": 3, "maxlength": DEPENDENCIES_MAX_LENGTH}),
            "standards": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        given_initial = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["body"].validators.append(MaxLengthValidator(BODY_MAX_LENGTH))
        self.fields["kind"].queryset = PracticeKind.objects.all()
        self.fields["kind"].empty_label = None
        self.fields["funding_source"].choices = [("", "Not stated"), *Practice.FundingSource.choices]
        # Required on a new practice, and once stated it stays stated; optional only on one that never had it.
        required = not self.instance.pk or bool(self.instance.government_level)
        _ask_government_level(self.fields["government_level"], required=required)
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
        self.fields["maintained_by"].choices = [("", "Not stated"), *Maintenance.choices]
        self.fields["standards"].queryset = Standard.objects.all()
        self.fields["standards"].required = False
        # The optional fields below it form a section of their own on the page (includes/_form.html).
        self.fields["maintained_by"].section = "What it takes to run (optional)"
        if self.instance.pk and self.instance.based_on_id and "based_on" not in given_initial:
            self.initial["based_on"] = self.instance.based_on.slug

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

    def clean_dependencies(self):
        return without_control_characters(self.cleaned_data["dependencies"]).strip()

    def clean_software_license(self):
        return " ".join(without_control_characters(self.cleaned_data["software_license"]).split())

    def clean_based_on(self):
        return resolve_practice_reference(self.cleaned_data.get("based_on", ""), user=self.user, exclude=self.instance)

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


MAX_EVIDENCE_LINKS = 10
# Big enough for residents served by a state, small enough to refuse a pasted phone number.
OUTCOME_MAX_VALUE = Decimal("999999999999")


def _evidence_lines(text: str) -> list[str]:
    """One address a line, each an http(s) link; blank lines dropped."""
    lines = [line.strip() for line in without_control_characters(text).splitlines() if line.strip()]
    if len(lines) > MAX_EVIDENCE_LINKS:
        raise ValidationError(f"List at most {MAX_EVIDENCE_LINKS} links.")
    check = URLValidator(schemes=["http", "https"])
    bad = []
    for line in lines:
        try:
            check(line)
        except ValidationError:
            bad.append(line[:80])
    if bad:
        raise ValidationError(
            "Each line must be one web address starting with https:// (or http://). Not an address: %(bad)s.",
            params={"bad": ", ".join(f"“{b}”" for b in bad)},
        )
    return lines


class AdoptionForm(forms.ModelForm):
    """An adoption story: stage (and why, when stopped), who adopted it, what they changed and why,
    one number per outcome measure of the curated list, a contact and evidence links."""

    coalition = forms.ModelChoiceField(queryset=Coalition.objects.none(), empty_label=None)
    stopped_reason = forms.CharField(
        required=False,
        label="Why you stopped",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": ADOPTION_TEXT_MAX_LENGTH}),
        help_text="Only when you choose “Stopped”: what did not work, so the next city knows.",
        validators=[MaxLengthValidator(ADOPTION_TEXT_MAX_LENGTH)],
    )
    evidence_files = MultipleFileField(
        required=False,
        label="Evidence files",
        help_text="A report, an award notice, a before-and-after: PDF, Office documents, CSV or images.",
    )
    remove_files = forms.ModelMultipleChoiceField(
        queryset=AdoptionFile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Remove these files",
    )

    class Meta:
        model = Adoption
        fields = [
            "coalition",
            "stage",
            "stopped_reason",
            "started_on",
            "jurisdiction",
            "government_level",
            "notes",
            "reason",
            "outcome",
            "contact",
            "evidence_links",
        ]
        labels = {
            "government_level": "Your level of government",
            "jurisdiction": "Adopting government",
            "notes": "What you changed",
            "reason": "Why you changed it",
            "outcome": "How it went (a note)",
            "contact": "Who will take a call about it",
            "evidence_links": "Evidence links",
            "started_on": "When you started",
        }
        help_texts = {
            "stage": "Stages move forward: exploring, piloting, adopted. “Stopped” keeps your record visible — "
            "a stopped pilot is as useful to the next city as a success.",
            "jurisdiction": "Who is using it, e.g. “City of Plano” or “Maricopa County”.",
            "government_level": "Is the adopter a city, a county, a regional body, a state, a tribal nation or several "
            "jurisdictions together? Others at the same level look for it.",
            "notes": "How you adapted it to your city: scope, vendor, budget, policy.",
            "reason": "What about your city made you change it.",
            "outcome": "Anything the figures below do not say, or what you are waiting to learn.",
            "contact": "Shown to signed-in members only, never in the public API or feeds.",
            "evidence_links": "One address a line: a council report, an award notice, a dashboard.",
        }
        widgets = {
            "stage": forms.RadioSelect,
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3, "maxlength": ADOPTION_TEXT_MAX_LENGTH}),
            "reason": forms.Textarea(attrs={"rows": 3, "maxlength": ADOPTION_TEXT_MAX_LENGTH}),
            "outcome": forms.Textarea(attrs={"rows": 3, "maxlength": ADOPTION_TEXT_MAX_LENGTH}),
            "evidence_links": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, coalition_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coalition"].queryset = Coalition.objects.filter(pk__in=coalition_ids)
        self.fields["stage"].choices = Adoption.Stage.choices
        _ask_government_level(self.fields["government_level"], required=False)
        for name in ("notes", "reason", "outcome"):
            self.fields[name].validators.append(MaxLengthValidator(ADOPTION_TEXT_MAX_LENGTH))
        self.fields["jurisdiction"].max_length = 200
        people = get_user_model().objects.filter(is_active=True, memberships__coalition_id__in=coalition_ids)
        self.fields["contact"].queryset = people.select_related("profile").distinct().order_by("email")
        self.fields["contact"].label_from_instance = _person_label
        self.fields["contact"].empty_label = "Nobody named"
        if self.instance.pk:
            self.initial.setdefault("stopped_reason", self.instance.stopped_reason)
            self.fields["remove_files"].queryset = self.instance.files.all()
        if not self.fields["remove_files"].queryset.exists():
            del self.fields["remove_files"]
        self.measures = list(OutcomeMeasure.objects.filter(is_active=True))
        # "8", not "8.00": a figure is shown as it was typed.
        figures = (
            {o.measure_id: f"{o.value.normalize():f}" for o in self.instance.outcomes.all()} if self.instance.pk else {}
        )
        for measure in self.measures:
            self.fields[f"outcome_{measure.slug}"] = forms.DecimalField(
                required=False,
                label=f"{measure.name} ({measure.get_unit_display()})",
                help_text=measure.help_text,
                max_digits=14,
                decimal_places=2,
                min_value=None if measure.allows_negative else 0,
                max_value=OUTCOME_MAX_VALUE,
                initial=figures.get(measure.pk),
                error_messages={
                    "invalid": f"{measure.name}: enter a number in {measure.get_unit_display()}, e.g. 6 or 2.5.",
                    "min_value": f"{measure.name} cannot be negative.",
                    "max_value": f"{measure.name}: that number is too large.",
                    "max_decimal_places": f"{measure.name}: use at most two decimals.",
                    "max_digits": f"{measure.name}: that number is too large.",
                },
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )

    @property
    def outcome_fields(self):
        return [self[f"outcome_{m.slug}"] for m in self.measures]

    @property
    def story_fields(self):
        return [self[name] for name in self.Meta.fields]

    def clean_jurisdiction(self):
        return " ".join(without_control_characters(self.cleaned_data["jurisdiction"]).split())

    def clean_started_on(self):
        started = self.cleaned_data.get("started_on")
        if started and started > timezone.localdate():
            raise ValidationError("When you started cannot be in the future.")
        return started

    def clean_evidence_links(self):
        return "\n".join(_evidence_lines(self.cleaned_data.get("evidence_links", "")))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stage") == Adoption.Stage.STOPPED and not (cleaned.get("stopped_reason") or "").strip():
            self.add_error("stopped_reason", "Say why you stopped: it is what the next city most needs to know.")
        return cleaned

    def _post_clean(self):
        # The service validates the row (it knows the coalition); the form checks fields only.
        pass

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in ("coalition", "stage", "stopped_reason")
        }

    def outcomes(self) -> dict:
        return {m: self.cleaned_data.get(f"outcome_{m.slug}") for m in self.measures}


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


class ContractForm(forms.ModelForm):
    """A cooperative contract, with one source document of each kind as a file or a link."""

    class Meta:
        model = Contract
        fields = list(CONTRACT_FIELDS)
        labels = {
            "lead_agency_kind": "The lead agency is",
            "vehicle": "Kind of contract",
            "program": "Cooperative program",
            "scope": "What can be bought under it",
            "awarded_on": "Awarded on",
            "expires_on": "Expires on",
            "is_competitively_bid": "Awarded through a competitive solicitation (RFP, IFB or RFQ)",
            "has_cooperative_clause": "The solicitation or award names other public bodies as eligible buyers",
            "joining": "How other public bodies join",
        }
        help_texts = {
            "lead_agency": "The public body that competed and awarded it, e.g. “State of Colorado” or “City of Mesa”.",
            "program": "For a cooperative program: e.g. NASPO ValuePoint, Sourcewell, OMNIA Partners.",
            "contract_number": f"As the lead agency writes it (at most {CONTRACT_NUMBER_MAX_LENGTH} characters).",
            "expires_on": "Its last day, with the renewals already exercised.",
        }
        widgets = {
            "awarded_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "scope": forms.Textarea(attrs={"rows": 3, "maxlength": CONTRACT_SCOPE_MAX_LENGTH}),
            "lead_agency_kind": forms.RadioSelect,
            "joining": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract_number"].error_messages["max_length"] = (
            f"A contract number has at most {CONTRACT_NUMBER_MAX_LENGTH} characters; this one has %(show_value)s."
        )
        self.fields["vehicle"].choices = [("", "Choose…"), *Contract.Vehicle.choices]
        self.fields["vehicle"].error_messages["required"] = "Choose the kind of contract."
        existing = {d.kind: d for d in self.instance.documents.all()} if self.instance.pk else {}
        self.existing_documents = existing
        for kind, label in ContractDocument.Kind.choices:
            file_field = forms.FileField(
                required=False,
                label=f"{label}: a file",
                help_text="PDF, Office document, CSV or image."
                + (" Replaces the one attached now." if kind in existing else ""),
            )
            file_field.section = f"{label} document"
            self.fields[f"{kind}_file"] = file_field
            self.fields[f"{kind}_url"] = forms.URLField(
                required=False, max_length=500, label=f"{label}: or a link", assume_scheme="https"
            )
            if kind in existing:
                self.fields[f"{kind}_remove"] = forms.BooleanField(
                    required=False, label=f"Remove the {label.lower()} attached now ({existing[kind].name or 'link'})"
                )

    def _clean_text(self, name: str) -> str:
        return " ".join(without_control_characters(self.cleaned_data.get(name, "")).split())

    def clean_lead_agency(self):
        return self._clean_text("lead_agency")

    def clean_program(self):
        return self._clean_text("program")

    def clean_contract_number(self):
        return self._clean_text("contract_number")

    def clean_supplier(self):
        return self._clean_text("supplier")

    def clean_scope(self):
        return without_control_characters(self.cleaned_data.get("scope", "")).strip()

    def clean(self):
        cleaned = super().clean()
        awarded, expires = cleaned.get("awarded_on"), cleaned.get("expires_on")
        if awarded and expires and expires < awarded:
            self.add_error("expires_on", "The expiry date must be on or after the award date.")
        for kind, _ in ContractDocument.Kind.choices:
            upload, url = cleaned.get(f"{kind}_file"), cleaned.get(f"{kind}_url")
            if upload and url:
                self.add_error(f"{kind}_url", "Give a file or a link, not both.")
            elif upload:
                try:
                    validate_upload(upload)
                except ValidationError as exc:
                    self.add_error(f"{kind}_file", exc)
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def document_changes(self) -> dict:
        from .contracts import DocumentChange

        return {
            kind: DocumentChange(
                upload=self.cleaned_data.get(f"{kind}_file"),
                url=self.cleaned_data.get(f"{kind}_url") or "",
                remove=bool(self.cleaned_data.get(f"{kind}_remove")),
            )
            for kind, _ in ContractDocument.Kind.choices
        }
