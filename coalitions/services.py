"""Writes for coalitions and their members.

Every function here is keyword-only. The one acting is always ``by``: a write done on a person's
behalf asks ``coalitions.permissions`` whether ``by`` may do it and raises ``PermissionDenied``
itself (Django turns it into a 403), so no caller (a view, the admin, a task) can skip the rule.
Impossible states are refused with ``MembershipError`` (views turn its message into a flash
message). Anything that leaves the
process (the signals the email app listens to) is sent only after the transaction commits.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone

from . import permissions
from .models import Coalition, Invitation, JoinRequest, Membership, Profile
from .signals import invitation_created, join_request_decided
from .timezones import is_valid_time_zone

INVITATION_SALT = "coalitions.invitation"

COALITION_FIELDS = (
    "name",
    "slug",
    "short_name",
    "region",
    "state_codes",
    "latitude",
    "longitude",
    "website",
    "description",
    "time_zone",
)


class MembershipError(Exception):
    """A request that cannot be carried out as asked; the message is written for the person who asked."""


def _require_signed_in(by: AbstractBaseUser, reason: str) -> None:
    """What a person does for themselves (join, leave, their profile) needs an active account."""
    if not (by.is_authenticated and by.is_active):
        raise PermissionDenied(reason)


# --- Profiles -------------------------------------------------------------------------------------


def ensure_profile(*, user: AbstractBaseUser) -> Profile:
    """The user's profile, created empty if they have none (accounts made outside signup).

    Acts for the system, not for a person: ``user`` is whose profile it is, and nothing is refused.
    """
    try:
        return user.profile
    except Profile.DoesNotExist:
        profile, _ = Profile.objects.get_or_create(user=user)
        user.profile = profile
        return profile


# A visit ends after this long without a recorded request. Longer than LAST_SEEN_EVERY (the middleware
# writes at most that often), so a member who keeps clicking stays in one visit.
VISIT_GAP = timedelta(hours=2)


def record_visit(*, by: AbstractBaseUser, now: datetime | None = None) -> None:
    """Note that ``by`` is here now: one UPDATE of their profile, no read.

    When their last recorded request is older than ``VISIT_GAP``, a new visit begins, and that time
    becomes ``previous_visit_at`` (what the home page counts "new since your last visit" from).
    Callers keep this cheap: the middleware calls it at most once an hour per browser.
    """
    _require_signed_in(by, "Only a signed-in person has visits.")
    now = now or timezone.now()
    Profile.objects.filter(user_id=by.pk).update(
        previous_visit_at=Case(
            When(last_seen_at__lt=now - VISIT_GAP, then=F("last_seen_at")),
            default=F("previous_visit_at"),
        ),
        last_seen_at=now,
    )


def update_profile(*, by: AbstractBaseUser, full_name: str, job_title: str, time_zone: str) -> Profile:
    """Save the signed-in person's own name, job title and time zone (blank zone: follow the coalition's)."""
    _require_signed_in(by, "Log in to edit your profile.")
    if time_zone and not is_valid_time_zone(time_zone):
        raise MembershipError(f"“{time_zone}” is not a time zone we know.")
    profile = ensure_profile(user=by)
    profile.full_name = full_name.strip()
    profile.job_title = job_title.strip()
    profile.time_zone = time_zone
    profile.save(update_fields=["full_name", "job_title", "time_zone"])
    return profile


# --- Coalitions -----------------------------------------------------------------------------------


LOGO_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


def _apply_coalition_data(coalition: Coalition, data: dict[str, Any], *, by: AbstractBaseUser) -> None:
    """Copy form data onto the coalition; a new or cleared logo goes through ``set_coalition_logo``."""
    for field in COALITION_FIELDS:
        if field in data:
            setattr(coalition, field, data[field])
    set_coalition_logo(by=by, coalition=coalition, logo=data.get("logo"))


def set_coalition_logo(*, by: AbstractBaseUser, coalition: Coalition, logo: UploadedFile | bool | None) -> None:
    """Put an uploaded logo on the coalition (``False``: clear it; ``None``: keep it); the caller saves.

    Its admins and partnership admins only (a coalition not saved yet: those who may create one).
    The file gets our own name, never the uploader's, with the extension of the format Pillow found
    (the logo view serves by extension). The replaced file is deleted once the transaction commits,
    so call this inside one.
    """
    may = permissions.can_manage_coalition(by, coalition) if coalition.pk else permissions.can_create_coalition(by)
    if not may:
        raise PermissionDenied("Only this coalition's admins can change its logo.")
    old_logo = coalition.logo.name or None
    if logo is False:  # "clear" ticked on the file input
        coalition.logo = ""
    elif isinstance(logo, UploadedFile):
        image = getattr(logo, "image", None)
        ext = LOGO_EXTENSIONS.get(getattr(image, "format", ""), "png")
        logo.name = f"{coalition.slug}-{secrets.token_hex(4)}.{ext}"
        coalition.logo = logo
    else:
        return
    if old_logo:
        storage = Coalition._meta.get_field("logo").storage
        transaction.on_commit(lambda: storage.delete(old_logo))


def create_coalition(*, by: AbstractBaseUser, data: dict[str, Any]) -> Coalition:
    """Create a coalition (partnership admins only) from cleaned form data."""
    if not permissions.can_create_coalition(by):
        raise PermissionDenied("Only partnership admins can create coalitions.")
    with transaction.atomic():
        coalition = Coalition()
        _apply_coalition_data(coalition, data, by=by)
        coalition.save()
    return coalition


def update_coalition(*, by: AbstractBaseUser, coalition: Coalition, data: dict[str, Any]) -> Coalition:
    """Edit a coalition's profile (its admins and partnership admins); a replaced logo file is removed."""
    if not permissions.can_manage_coalition(by, coalition):
        raise PermissionDenied("Only this coalition's admins can edit its profile.")
    with transaction.atomic():
        _apply_coalition_data(coalition, data, by=by)
        coalition.save()
    return coalition


# --- Joining by request ---------------------------------------------------------------------------


def request_to_join(*, by: AbstractBaseUser, coalition: Coalition, message: str = "") -> JoinRequest:
    """``by`` asks to join a coalition. Needs a verified email; one pending request per coalition."""
    _require_signed_in(by, "Log in to ask to join a coalition.")
    if not permissions.has_verified_email(by):
        raise MembershipError("Please verify your email address before asking to join a coalition.")
    if Membership.objects.filter(user=by, coalition=coalition).exists():
        raise MembershipError(f"You are already a member of {coalition.name}.")
    try:
        # The savepoint keeps an outer transaction usable when the partial unique index refuses a twin.
        with transaction.atomic():
            return JoinRequest.objects.create(user=by, coalition=coalition, message=message.strip())
    except IntegrityError:
        raise MembershipError(f"You already asked to join {coalition.name}; its admins will decide soon.") from None


ALREADY_DECIDED = {
    JoinRequest.Status.APPROVED: "This request was already approved; remove the member instead.",
    JoinRequest.Status.REJECTED: "This request was already rejected.",
}


def _decide(*, by: AbstractBaseUser, join_request: JoinRequest, status: str) -> tuple[JoinRequest, bool]:
    """Record a decision on the locked row; returns it and whether it changed.

    Deciding the same way twice is a no-op and sends nothing.
    Call inside a transaction. The signal goes out only after commit, so the email app never
    tells someone about a decision that was rolled back.
    """
    if not permissions.can_manage_coalition(by, join_request.coalition):
        raise PermissionDenied("Only this coalition's admins can decide on join requests.")
    locked = JoinRequest.objects.select_for_update().select_related("coalition", "user").get(pk=join_request.pk)
    if locked.status == status:
        return locked, False
    if not locked.is_pending:
        raise MembershipError(ALREADY_DECIDED[locked.status])
    locked.status = status
    locked.decided_at = timezone.now()
    locked.decided_by = by
    locked.save(update_fields=["status", "decided_at", "decided_by"])
    transaction.on_commit(lambda: join_request_decided.send(sender=JoinRequest, join_request=locked))
    join_request.status, join_request.decided_at, join_request.decided_by = status, locked.decided_at, by
    return locked, True


def approve_join_request(*, by: AbstractBaseUser, join_request: JoinRequest) -> Membership:
    """Approve a pending request and create the membership. Approving twice changes nothing more."""
    with transaction.atomic():
        locked, changed = _decide(by=by, join_request=join_request, status=JoinRequest.Status.APPROVED)
        if not changed:
            # A second click finds the membership the first one made; a stale form must not
            # bring back someone who was removed since.
            membership = Membership.objects.filter(user=locked.user, coalition=locked.coalition).first()
            if membership is None:
                raise MembershipError("This request was approved earlier, but the person has since left.")
            return membership
        membership, _ = Membership.objects.get_or_create(user=locked.user, coalition=locked.coalition)
        ensure_profile(user=locked.user)
    return membership


def reject_join_request(*, by: AbstractBaseUser, join_request: JoinRequest) -> JoinRequest:
    """Reject a pending request; the person may ask again later."""
    with transaction.atomic():
        return _decide(by=by, join_request=join_request, status=JoinRequest.Status.REJECTED)[0]


def withdraw_join_request(*, by: AbstractBaseUser, join_request: JoinRequest) -> JoinRequest:
    """The person who asked takes a pending request back (it is deleted: nobody decided anything)."""
    if not by.is_authenticated or join_request.user_id != by.pk:
        raise PermissionDenied("You can only withdraw your own requests.")
    deleted, _ = JoinRequest.objects.pending().filter(pk=join_request.pk).delete()
    if not deleted:
        raise MembershipError("This request was already decided.")
    return join_request


# --- Invitations ----------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_accept_url(invitation: Invitation) -> str:
    """The absolute link mailed to the invitee (built from SITE_URL, never from a request)."""
    return settings.SITE_URL + reverse("coalitions:accept_invitation", args=[invitation_token(invitation)])


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points to; ``MembershipError`` if the link was tampered with or is unknown."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation_id = int(payload["invitation"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise MembershipError("This invitation link is not valid. Check that you copied all of it.") from None
    invitation = Invitation.objects.select_related("coalition", "invited_by__profile").filter(pk=invitation_id).first()
    if invitation is None:
        raise MembershipError("This invitation no longer exists. Ask the coalition's admin for a new one.")
    return invitation


def check_invitable(*, coalition: Coalition, email: str) -> None:
    """Refuse (``MembershipError``) an address that already belongs to a member or has an open invitation."""
    holds_address = Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email)
    if Membership.objects.filter(holds_address, coalition=coalition).exists():
        raise MembershipError(f"{email} already belongs to a member of {coalition.name}.")
    if Invitation.objects.open().filter(coalition=coalition, email__iexact=email).exists():
        raise MembershipError(f"{email} already has an open invitation. Revoke it first to send a new one.")


def invite_member(
    *, by: AbstractBaseUser, coalition: Coalition, email: str, role: str = Membership.Role.MEMBER
) -> Invitation:
    """Invite an email address to a coalition with a role; the email app sends the link after commit."""
    if not permissions.can_manage_coalition(by, coalition):
        raise PermissionDenied("Only this coalition's admins can invite people.")
    if role not in Membership.Role.values:
        raise MembershipError("Choose member or coalition admin.")
    email = email.strip().lower()
    with transaction.atomic():
        # Lock the coalition row so two admins inviting the same address at once cannot both succeed.
        Coalition.objects.select_for_update().filter(pk=coalition.pk).first()
        check_invitable(coalition=coalition, email=email)
        invitation = Invitation.objects.create(coalition=coalition, email=email, role=role, invited_by=by)
        accept_url = invitation_accept_url(invitation)
        transaction.on_commit(
            lambda: invitation_created.send(sender=Invitation, invitation=invitation, accept_url=accept_url)
        )
    return invitation


def revoke_invitation(*, by: AbstractBaseUser, invitation: Invitation) -> Invitation:
    """Make an open invitation's link stop working."""
    if not permissions.can_manage_coalition(by, invitation.coalition):
        raise PermissionDenied("Only this coalition's admins can revoke its invitations.")
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise MembershipError("This invitation was already accepted or revoked.")
    invitation.refresh_from_db()
    return invitation


def accept_invitation(*, by: AbstractBaseUser, invitation: Invitation) -> Membership:
    """``by`` joins the coalition with the invited role. Single use; expired or revoked links are refused.

    A signed-in account without the invited address (verified) is told how to get it
    (``MembershipError``): the link could have been forwarded.
    """
    _require_signed_in(by, "Log in to accept an invitation.")
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("coalition").get(pk=invitation.pk)
        if locked.accepted_at:
            raise MembershipError("This invitation has already been used.")
        if locked.revoked_at:
            raise MembershipError("This invitation was withdrawn by the coalition's admin.")
        if locked.is_expired:
            raise MembershipError("This invitation has expired. Ask the coalition's admin for a new one.")
        if not permissions.can_accept_invitation(by, locked):
            raise MembershipError(
                f"This invitation was sent to {locked.email}. Sign in with that address, "
                "or add and verify it on your email page, to accept it."
            )
        membership, created = Membership.objects.get_or_create(
            user=by, coalition=locked.coalition, defaults={"role": locked.role}
        )
        if not created and locked.role == Membership.Role.ADMIN and not membership.is_admin:
            membership.role = Membership.Role.ADMIN
            membership.save(update_fields=["role"])
        ensure_profile(user=by)
        locked.accepted_at = timezone.now()
        locked.accepted_by = by
        locked.save(update_fields=["accepted_at", "accepted_by"])
        # A pending request to the same coalition is answered by the invitation.
        JoinRequest.objects.pending().filter(user=by, coalition=locked.coalition).update(
            status=JoinRequest.Status.APPROVED, decided_at=locked.accepted_at, decided_by=locked.invited_by
        )
    permissions.forget_cached_roles(by)
    return membership


# --- Roles and leaving ----------------------------------------------------------------------------


def _lock_memberships(coalition_id: int) -> list[Membership]:
    # Locking every membership of the coalition serializes concurrent demotions and removals,
    # so two admins cannot each remove the other and leave the coalition with none.
    return list(Membership.objects.select_for_update().filter(coalition_id=coalition_id).order_by("pk"))


def _refuse_if_last_admin(memberships: list[Membership], target: Membership, action: str) -> None:
    admins = [m for m in memberships if m.is_admin]
    if target.is_admin and len(admins) <= 1:
        raise MembershipError(
            f"{target.coalition.name} needs at least one admin. Make someone else an admin before you {action}."
        )


def _locked_target(memberships: list[Membership], membership: Membership) -> Membership:
    for m in memberships:
        if m.pk == membership.pk:
            m.coalition = membership.coalition
            return m
    raise MembershipError("This person is no longer a member.")


def change_role(*, by: AbstractBaseUser, membership: Membership, role: str, stepping_down: bool = False) -> Membership:
    """Make a member an admin or an admin a member; a coalition always keeps one admin.

    An admin demotes themselves only when ``stepping_down`` says they confirmed it (the step-down
    page): the role menu beside their own name must not end their rights by a stray click.
    """
    if not permissions.can_manage_coalition(by, membership.coalition):
        raise PermissionDenied("Only this coalition's admins can change roles.")
    if role not in Membership.Role.values:
        raise MembershipError("Choose member or coalition admin.")
    with transaction.atomic():
        memberships = _lock_memberships(membership.coalition_id)
        target = _locked_target(memberships, membership)
        if target.role == role:
            return target
        if role == Membership.Role.MEMBER:
            _refuse_if_last_admin(memberships, target, "step down")
            if target.user_id == by.pk and not stepping_down:
                raise MembershipError(
                    f"You are about to stop being an admin of {target.coalition.name}. "
                    "Confirm it on the step-down page; nothing was changed."
                )
        target.role = role
        target.save(update_fields=["role"])
    return target


def remove_member(*, by: AbstractBaseUser, membership: Membership) -> None:
    """Take someone out of a coalition (its admins, or partnership admins); never the last admin,
    and never oneself (leaving has its own page, which says what is lost)."""
    if not permissions.can_manage_coalition(by, membership.coalition):
        raise PermissionDenied("Only this coalition's admins can remove members.")
    if membership.user_id == by.pk:
        raise MembershipError(
            f"You cannot remove yourself from {membership.coalition.name} here. "
            "To leave it, use “Leave” on the coalition's page."
        )
    _delete_membership(membership, action="remove this admin")


def why_cannot_leave(membership: Membership) -> str:
    """Why ``membership``'s person may not leave now ("" when they may): the last admin hands over
    first. A read without locks, for the page that asks; ``leave_coalition`` checks again under lock."""
    if membership.is_admin and not (
        Membership.objects.filter(coalition_id=membership.coalition_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    ):
        return f"{membership.coalition.name} needs at least one admin. Make someone else an admin before you leave."
    return ""


def leave_coalition(*, by: AbstractBaseUser, coalition: Coalition) -> None:
    """The member ``by`` leaves on their own; the last admin must hand over first."""
    _require_signed_in(by, "Log in to leave a coalition.")
    membership = Membership.objects.filter(user=by, coalition=coalition).select_related("coalition").first()
    if membership is None:
        raise MembershipError(f"You are not a member of {coalition.name}.")
    _delete_membership(membership, action="leave")
    permissions.forget_cached_roles(by)


def _delete_membership(membership: Membership, *, action: str) -> None:
    with transaction.atomic():
        memberships = _lock_memberships(membership.coalition_id)
        target = _locked_target(memberships, membership)
        _refuse_if_last_admin(memberships, target, action)
        target.delete()
