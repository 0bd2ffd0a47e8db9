from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
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
    # Where it is, for the insights map (beside the free-text region): the states it covers as postal codes
    # ("MO,KS"; see coalitions.places), and for a metro coalition a point, drawn as a dot instead of states.
    state_codes = models.CharField("states", max_length=160, blank=True)
    latitude = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    objects = CoalitionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coalitions:detail", args=[self.slug])

    @property
    def is_metro(self) -> bool:
        """Placed by a point (a metro area), not by whole states."""
        return self.latitude is not None and self.longitude is not None

    @property
    def logo_url(self) -> str:
        """The logo through our view (media is never public); the file name busts caches on change."""
        if not self.logo:
            return ""
        return f"{reverse('coalitions:logo', args=[self.slug])}?v={self.logo.name.rsplit('/', 1)[-1]}"


class MembershipQuerySet(models.QuerySet):
    def admins(self):
        return self.filter(role=Membership.Role.ADMIN)

    def of(self, coalition):
        return self.filter(coalition=coalition)

    def with_people(self):
        """Rows ready to show a person: user, profile and coalition in the same query."""
        return self.select_related("user__profile", "coalition")


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
        # The home page's "new members": the newest few read from the index, not a sort of every membership.
        indexes = [models.Index(fields=["-joined", "-id"], name="membership_newest")]

    def __str__(self):
        return f"{self.user} in {self.coalition} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


class JoinRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=JoinRequest.Status.PENDING)


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

    objects = JoinRequestQuerySet.as_manager()

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

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING


def default_invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Not accepted, not revoked and not expired: the link still works."""
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


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

    objects = InvitationQuerySet.as_manager()

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

    @property
    def state(self) -> str:
        """What happened to the invitation, in words a person reads."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "open"


class ProfileQuerySet(models.QuerySet):
    def members(self):
        """People who belong to at least one coalition (the member directory)."""
        # A subquery, not a join: a person in three coalitions is still one row.
        return self.filter(user__in=Membership.objects.values("user"), user__is_active=True)

    def in_coalition(self, coalition):
        return self.filter(user__in=Membership.objects.filter(coalition=coalition).values("user"))

    def search(self, query: str):
        """Every word must match the name, the job title or one of the person's coalitions."""
        qs = self
        for word in query.split()[:10]:
            in_coalition = Membership.objects.filter(
                Q(coalition__name__icontains=word) | Q(coalition__short_name__icontains=word)
            ).values("user")
            qs = qs.filter(Q(full_name__icontains=word) | Q(job_title__icontains=word) | Q(user__in=in_coalition))
        return qs

    def for_directory(self):
        """Ordered by name, with user and coalitions loaded in a fixed number of queries."""
        return (
            self.select_related("user")
            .prefetch_related(
                models.Prefetch(
                    "user__memberships",
                    queryset=Membership.objects.select_related("coalition").order_by("coalition__name"),
                )
            )
            .order_by(Lower("full_name"), "user__email")
        )


def person_name(full_name: str, email: str) -> str:
    """How the portal names someone to others: their full name, else their email's local part (never the
    whole address)."""
    return full_name or email.split("@")[0]


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text="IANA zone; blank means the coalition's.")
    # Written at most once an hour by ``coalitions.middleware.LastSeenMiddleware`` (and on signing in):
    # the home page's "new since your last visit" counts from ``previous_visit_at``.
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    previous_visit_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ProfileQuerySet.as_manager()

    def __str__(self):
        return self.full_name or self.user.email

    def get_absolute_url(self):
        return reverse("coalitions:member", args=[self.user_id])

    @property
    def display_name(self):
        return person_name(self.full_name, self.user.email)
