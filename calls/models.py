"""Shared needs: a problem a member's coalition has, that members of other coalitions co-sign.

A need is partnership-internal (signed-in members only): it names what hurts in a city before anyone
has a solution, often with a budget, which members share with each other but not with vendors.
A call for solutions is a coalition's published question to the market (or to the partnership only):
a problem statement, what it asks of respondents, phases in the call's own time zone, weighted
criteria. Outside organizations answer without an account; invited evaluators score the answers.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from coalitions import permissions
from coalitions.models import Coalition
from meetings.models import Meeting
from practices.government_levels import GovernmentLevel
from practices.markdown import RendersMarkdown, SanitizedHTMLField
from practices.models import FocusArea, Practice

# Co-signed by this many coalitions (besides the one that posted it), a need is a shared need.
SHARED_FROM = 2


class NeedQuerySet(models.QuerySet):
    """Reads for pages, the API and other apps; filters only."""

    def visible_to(self, user):
        """Needs are for members of the partnership only: everyone else sees none."""
        return self if permissions.is_member(user) else self.none()

    def open(self):
        return self.filter(status=Need.Status.OPEN)

    def shared(self):
        return self.filter(cosigning_coalitions__gte=SHARED_FROM)

    def in_focus_area(self, slug: str):
        return self.filter(focus_areas__slug=slug)

    def for_list(self):
        return (
            self.select_related("coalition")
            .prefetch_related("focus_areas")
            .defer("problem", "problem_html", "affected", "affected_html", "tried", "tried_html")
        )


class Need(RendersMarkdown, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MET = "met", "Met"
        WITHDRAWN = "withdrawn", "Withdrawn"

    title = models.CharField(max_length=160, help_text="The need in one line, as you would say it to a colleague.")
    problem = models.TextField(
        "What hurts", help_text="The problem, not a solution: what goes wrong today, and how often. Markdown."
    )
    problem_html = SanitizedHTMLField()
    affected = models.TextField("Whom it affects", blank=True, help_text="Residents, staff, departments… Markdown.")
    affected_html = SanitizedHTMLField()
    tried = models.TextField("What has been tried", blank=True, help_text="And why it was not enough. Markdown.")
    tried_html = SanitizedHTMLField()
    focus_areas = models.ManyToManyField(FocusArea, related_name="needs", verbose_name="focus areas")
    government_level = models.CharField(max_length=16, choices=GovernmentLevel.choices, blank=True)
    budget = models.CharField("Rough budget", max_length=120, blank=True, help_text="If known, e.g. “under $50,000”.")
    timeframe = models.CharField(max_length=120, blank=True, help_text="If known, e.g. “before the 2027 budget”.")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="needs")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="needs_posted"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    met_by = models.ForeignKey(Practice, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs_met")
    # Or met by a call for solutions (a joint call a partnership admin made of this need, or another).
    met_by_call = models.ForeignKey("Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="needs_met")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The working-group meeting a partnership admin made of this shared need, if any.
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs")
    # Coalitions other than the poster's that co-signed, kept by the co-signing services (never counted
    # on a page): "shared" is a filter and a sort on every list.
    cosigning_coalitions = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    markdown_fields = {"problem": "problem_html", "affected": "affected_html", "tried": "tried_html"}

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["status", "-created"], name="calls_need_status_created"),
            models.Index(
                fields=["-cosigning_coalitions", "-created"],
                name="calls_need_shared_open",
                condition=Q(status="open"),
            ),
            models.Index(fields=["coalition", "status"], name="calls_need_coalition_status"),
            models.Index(fields=["government_level", "status"], name="calls_need_level_status"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:need_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_shared(self) -> bool:
        return self.cosigning_coalitions >= SHARED_FROM

    def can_manage(self, user) -> bool:
        """The poster, the posting coalition's admins and partnership admins edit and close it."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.pk == self.author_id or permissions.is_coalition_admin(user, self.coalition_id)


class NeedSignature(models.Model):
    """One coalition's "we need this too", said by one of its members, with a line on their context."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="signatures")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="need_signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="need_signatures"
    )
    context = models.CharField(
        "Your context",
        max_length=300,
        help_text="One line: where it hurts for you, e.g. “Plano: 40 school crossings, same problem”.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]
        constraints = [
            # One voice per coalition: a second member of the same coalition adds nothing to "shared".
            models.UniqueConstraint(fields=["need", "coalition"], name="calls_one_signature_per_coalition"),
        ]

    def __str__(self):
        return f"{self.coalition} co-signs {self.need}"

    def can_withdraw(self, user) -> bool:
        """The member who signed, their coalition's admins, and partnership admins."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.pk == self.user_id or permissions.is_coalition_admin(user, self.coalition_id)


# --- Calls for solutions ----------------------------------------------------------------------------

# Each criterion's weight is a whole number from 1 to this; weights are shares of their total, so
# 3/2/1 and 50/30/20 both work, and no one has to make them add up to 100.
MAX_WEIGHT = 100
# Evaluators score each criterion from 0 to this.
MAX_SCORE = 5
SUMMARY_MAX = 500


class CallQuerySet(models.QuerySet):
    """Reads for pages, feeds, digests and the API; filters only."""

    def visible_to(self, user):
        """Public calls to everyone; partnership-only calls to members (and partnership admins)."""
        if permissions.is_member(user):
            return self
        return self.filter(is_public=True)

    def public(self):
        return self.filter(is_public=True)

    def open_at(self, moment):
        """Taking submissions at ``moment``: opened, not past the closing second, not closed."""
        return self.filter(opens_at__lte=moment, closes_at__gte=moment, closed_at=None)

    def upcoming_at(self, moment):
        return self.filter(opens_at__gt=moment, closed_at=None)

    def evaluating_at(self, moment):
        return self.filter(closes_at__lt=moment, closed_at=None)

    def closed(self):
        return self.exclude(closed_at=None)

    def in_focus_area(self, slug: str):
        return self.filter(focus_areas__slug=slug)

    def for_list(self):
        return (
            self.select_related("coalition")
            .prefetch_related("focus_areas")
            .defer("problem", "problem_html", "asks", "asks_html", "terms", "terms_html")
        )


class Call(RendersMarkdown, models.Model):
    """A call for solutions: a coalition's problem put to respondents, with phases and weighted criteria.

    Phases: submissions are taken from ``opens_at`` to ``closes_at`` (that second included), evaluators
    score until ``evaluation_ends_at``, results are expected by ``results_at``; all stored in UTC, entered
    and shown in ``time_zone`` (the call's) and the viewer's. Closing the call (``closed_at``) publishes
    its results practice.
    """

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", "Opens soon"
        OPEN = "open", "Open for submissions"
        EVALUATING = "evaluating", "Under evaluation"
        CLOSED = "closed", "Closed, results published"

    title = models.CharField(max_length=160, help_text="The call in one line.")
    problem = models.TextField(
        "Problem statement",
        help_text="The problem, not a specification: what goes wrong today, for whom, and what is known. Markdown.",
    )
    problem_html = SanitizedHTMLField()
    asks = models.TextField(
        "What we ask of respondents",
        help_text="What a submission should show: an approach, a pilot offer, references, a price range… Markdown.",
    )
    asks_html = SanitizedHTMLField()
    terms = models.TextField(
        "Terms", help_text="What a respondent accepts by submitting (how submissions are used and kept). Markdown."
    )
    terms_html = SanitizedHTMLField()
    focus_areas = models.ManyToManyField(FocusArea, related_name="calls", verbose_name="focus areas")
    government_level = models.CharField(max_length=16, choices=GovernmentLevel.choices, blank=True)
    is_public = models.BooleanField(
        "Open to outside organizations",
        default=True,
        help_text="Public calls are listed for everyone and take submissions from vendors, universities and "
        "non-profits; partnership-only calls are seen and answered by members only.",
    )
    time_zone = models.CharField(max_length=64, help_text="The zone the call's dates are set in.")
    opens_at = models.DateTimeField("Submissions open")
    closes_at = models.DateTimeField("Submissions close")
    evaluation_ends_at = models.DateTimeField("Scoring ends")
    results_at = models.DateTimeField("Results by")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="calls")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="calls_created"
    )
    # The shared need this joint call answers, when a partnership admin made it from one.
    need = models.ForeignKey(Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="calls")
    # The results summary published when the call closed (kind "Call-for-solutions results"); the link
    # lives here so practices knows nothing of calls.
    results_practice = models.OneToOneField(
        Practice, on_delete=models.SET_NULL, null=True, blank=True, related_name="results_of_call"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    decisions_sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    markdown_fields = {"problem": "problem_html", "asks": "asks_html", "terms": "terms_html"}

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["closes_at", "pk"]
        indexes = [
            models.Index(fields=["closes_at", "opens_at"], name="calls_call_phase"),
            models.Index(fields=["is_public", "closes_at"], name="calls_call_public_closes"),
            models.Index(fields=["coalition", "closes_at"], name="calls_call_coalition"),
            models.Index(fields=["government_level", "closes_at"], name="calls_call_level"),
            models.Index(fields=["evaluation_ends_at"], name="calls_call_evaluation_ends"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:call_detail", args=[self.pk])

    def phase_at(self, moment) -> str:
        if self.closed_at:
            return self.Phase.CLOSED
        if moment < self.opens_at:
            return self.Phase.UPCOMING
        if moment <= self.closes_at:
            return self.Phase.OPEN
        return self.Phase.EVALUATING

    @property
    def phase(self) -> str:
        return self.phase_at(timezone.now())

    def get_phase_display(self) -> str:
        return self.Phase(self.phase).label

    def is_open_at(self, moment) -> bool:
        return self.phase_at(moment) == self.Phase.OPEN

    def can_manage(self, user) -> bool:
        """The call's owners: the member who created it, its coalition's admins, partnership admins."""
        if not getattr(user, "is_authenticated", False):
            return False
        return user.pk == self.author_id or permissions.is_coalition_admin(user, self.coalition_id)

    def can_see(self, user) -> bool:
        return self.is_public or permissions.is_member(user)


class Criterion(models.Model):
    """One thing evaluators score, with its weight (a share of the call's total weight)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(max_length=160)
    weight = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_WEIGHT), name="calls_criterion_weight_range"
            ),
        ]

    def __str__(self):
        return self.name


class CallFile(models.Model):
    """A document published with a call (the full brief, data, maps), checked like practices' attachments."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="calls/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self):
        return self.name


class Submission(RendersMarkdown, models.Model):
    """An answer to a call, from an outside organization (no account) or a member.

    It counts once its email is verified (``verified_at``); owners and invited evaluators see it, the
    submitter edits it through a signed link until the submissions close. ``score_mean`` and
    ``score_spread`` are remade by the scoring service whenever a score changes (never on a read).
    """

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        NOT_SELECTED = "not_selected", "Not selected"
        SHORTLISTED = "shortlisted", "Shortlisted"
        SELECTED = "selected", "Selected"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="submissions")
    name = models.CharField("Your name", max_length=120)
    organization = models.CharField(max_length=160)
    email = models.EmailField(max_length=254)
    summary = models.CharField(max_length=SUMMARY_MAX, help_text=f"At most {SUMMARY_MAX} characters.")
    description = models.TextField(help_text="Your solution, how it meets the problem, and what it costs. Markdown.")
    description_html = SanitizedHTMLField()
    accepted_terms = models.BooleanField(default=False)
    consents_to_be_named = models.BooleanField("Name us in the published results if we are selected", default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="call_submissions"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    # Weighted totals on a 0–100 scale: the mean over evaluators who scored every criterion, and the gap
    # between the highest and lowest of them (a large gap is worth a conversation before deciding).
    score_mean = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    score_spread = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    evaluators_scored = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    markdown_fields = {"description": "description_html"}

    class Meta:
        ordering = ["created", "pk"]
        indexes = [
            models.Index(fields=["call", "verified_at"], name="calls_submission_call"),
            models.Index(fields=["email", "created"], name="calls_submission_email"),
        ]

    def __str__(self):
        return f"{self.organization}: {self.call}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="call-submissions/%Y/%m/")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self):
        return self.name


class Evaluator(models.Model):
    """A member the call's owners invited to score its submissions."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_evaluations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="calls_one_evaluator_seat")]

    def __str__(self):
        return f"{self.user} evaluates {self.call}"


class Score(models.Model):
    """One evaluator's score of one submission on one criterion."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "criterion", "evaluator"], name="calls_one_score"),
            models.CheckConstraint(condition=Q(value__lte=MAX_SCORE), name="calls_score_range"),
        ]

    def __str__(self):
        return f"{self.value}/{MAX_SCORE}"
