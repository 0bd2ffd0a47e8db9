from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from coalitions.models import Coalition


class FocusArea(TagBase):
    """The curated vocabulary (cybersecurity, sustainability, …); partnership admins add more."""

    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "focus area"

    def get_absolute_url(self):
        return reverse("practices:focus_area", args=[self.slug])


class FocusAreaItem(TaggedItemBase):
    content_object = models.ForeignKey("Practice", on_delete=models.CASCADE)
    tag = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="items")


class TaggedPractice(TaggedItemBase):
    """Free tags, in taggit's shared Tag table."""

    content_object = models.ForeignKey("Practice", on_delete=models.CASCADE)


class PracticeKind(models.Model):
    """Case study, RFP template, revenue model… Admins extend the list in Django admin."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class PracticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Practice.Status.PUBLISHED, is_hidden=False)


class Practice(models.Model):
    class Maturity(models.TextChoices):
        IDEA = "idea", "Idea"
        PILOT = "pilot", "Pilot"
        PRODUCTION = "production", "In production"
        SCALED = "scaled", "Scaled"

    class FundingSource(models.TextChoices):
        FEDERAL = "federal", "Federal grant or stimulus"
        STATE = "state", "State grant"
        LOCAL = "local", "Local budget"
        PPP = "ppp", "Public-private partnership"
        PHILANTHROPY = "philanthropy", "Philanthropy"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Visibility(models.TextChoices):
        MEMBERS = "members", "Members only"
        PUBLIC = "public", "Public"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(max_length=1000)
    body = models.TextField(blank=True, help_text="Markdown.")
    kind = models.ForeignKey(PracticeKind, on_delete=models.PROTECT, related_name="practices")
    maturity = models.CharField(max_length=12, choices=Maturity.choices, default=Maturity.IDEA)
    jurisdiction = models.CharField(max_length=200, blank=True, help_text='e.g. "City of Dallas"')
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices, blank=True)
    coalition = models.ForeignKey(Coalition, on_delete=models.PROTECT, related_name="practices")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practices")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    # Set by moderation: hidden content leaves lists, search, feeds, the API and digests.
    is_hidden = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    focus_areas = TaggableManager(through=FocusAreaItem, related_name="practices", verbose_name="focus areas")
    tags = TaggableManager(through=TaggedPractice, blank=True, verbose_name="tags")

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("practices:detail", args=[self.slug])


class Adoption(models.Model):
    """Coalition X is exploring, piloting or has adopted practice P."""

    class Stage(models.TextChoices):
        EXPLORING = "exploring", "Exploring"
        PILOTING = "piloting", "Piloting"
        ADOPTED = "adopted", "Adopted"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="adoptions")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.EXPLORING)
    notes = models.TextField(blank=True, help_text="What you changed.")
    outcome = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["practice", "coalition"], name="one_adoption_per_coalition")]

    def __str__(self):
        return f"{self.coalition} — {self.get_stage_display()} — {self.practice}"


class Comment(models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_comments")
    body = models.TextField(max_length=5000)
    is_hidden = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created"]

    def __str__(self):
        return f"Comment by {self.author} on {self.practice}"
