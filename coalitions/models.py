from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from .timezones import DEFAULT_TIME_ZONE


class CoalitionQuerySet(models.QuerySet):
    def with_member_counts(self):
        return self.annotate(member_count=Count("memberships", distinct=True))

    def administered_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)


class Coalition(models.Model):
    """A member organization of the partnership, e.g. the Colorado Smart Cities Alliance."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    short_name = models.CharField(max_length=40)
    region = models.CharField("state or region", max_length=100)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    logo = models.ImageField(upload_to="coalition-logos/", blank=True)
    time_zone = models.CharField(
        max_length=64, default=DEFAULT_TIME_ZONE, help_text="Default time zone for this coalition's members."
    )
    created = models.DateTimeField(default=timezone.now)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coalitions:detail", args=[self.slug])


class MembershipQuerySet(models.QuerySet):
    def admins(self):
        return self.filter(role=Membership.Role.ADMIN)


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ADMIN = "admin", "Coalition admin"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["coalition__name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "coalition"], name="one_membership_per_coalition")]

    def __str__(self):
        return f"{self.user} in {self.coalition} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One open request per user and coalition; decided ones stay as history.
            models.UniqueConstraint(
                fields=["user", "coalition"], condition=Q(status="pending"), name="one_pending_join_request"
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.coalition} ({self.status})"


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class Invitation(models.Model):
    """An invitation by email; the link carries a signed id, and accepting it is single-use."""

    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Invitation of {self.email} to {self.coalition}"

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text="IANA zone; blank means the coalition's.")

    def __str__(self):
        return self.full_name or self.user.email

    @property
    def display_name(self):
        return self.full_name or self.user.email.split("@")[0]
