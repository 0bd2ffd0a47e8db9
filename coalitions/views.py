"""Pages for coalitions, joining, invitations, member management, the directory and profiles.

Each view declares who may open it with a decorator from ``coalitions.permissions``, parses
input with a form, calls one service or queryset, and renders or redirects. The services check
the actor again, so the admin and any later caller meet the same rules. Services raise ``MembershipError`` for states a
person can fix (shown as a message) and ``PermissionDenied`` for roles (a 403 page).
"""

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import permissions, services
from .confirm import confirmation_page, is_confirmed
from .forms import CoalitionForm, DirectoryFilterForm, InvitationForm, JoinRequestForm, ProfileForm, RoleForm
from .models import Coalition, Invitation, JoinRequest, Membership, Profile
from .services import MembershipError
from .timezones import coalition_time_zone, effective_time_zone, time_zone_label

LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
MEMBERS_ONLY = "The member directory and member pages are open to members of a coalition."


def _run(request: HttpRequest, service: Callable[..., Any], **kwargs) -> Any | None:
    """Call a service; a ``MembershipError`` becomes an error message and ``None``."""
    try:
        return service(**kwargs)
    except MembershipError as exc:
        messages.error(request, str(exc))
        return None


# The friendly 403 for signed-in people who belong to no coalition yet: where to ask to join.
members_only = permissions.member_required(MEMBERS_ONLY)


# --- Coalitions -----------------------------------------------------------------------------------


def coalition_list(request: HttpRequest) -> HttpResponse:
    coalitions = Coalition.objects.with_member_counts()
    pending_ids = set()
    if request.user.is_authenticated:
        pending_ids = set(
            JoinRequest.objects.pending().filter(user=request.user).values_list("coalition_id", flat=True)
        )
    context = {
        "coalitions": coalitions,
        "my_ids": permissions.coalition_ids(request.user),
        "pending_ids": pending_ids,
        "can_create": permissions.can_create_coalition(request.user),
    }
    # Where confirming a new account's address leads: say what comes next, above the cards.
    context["welcome"] = bool(request.GET.get("welcome") and request.user.is_authenticated and not context["my_ids"])
    return render(request, "coalitions/list.html", context)


def coalition_detail(request: HttpRequest, slug: str) -> HttpResponse:
    coalition = get_object_or_404(Coalition.objects.with_member_counts(), slug=slug)
    user = request.user
    memberships = Membership.objects.of(coalition).with_people().order_by("user__profile__full_name", "user__email")
    context = {
        "coalition": coalition,
        # Who runs the coalition is shown to anyone signed in (they decide join requests);
        # the full member list only to members of the partnership.
        "admins": list(memberships.admins()) if user.is_authenticated else [],
        "members": list(memberships) if permissions.is_member(user) else None,
        "membership": Membership.objects.filter(user=user, coalition=coalition).first()
        if user.is_authenticated
        else None,
        "pending_request": JoinRequest.objects.pending().filter(user=user, coalition=coalition).first()
        if user.is_authenticated
        else None,
        "can_manage": permissions.can_manage_coalition(user, coalition),
        "is_verified": permissions.has_verified_email(user),
        "join_form": JoinRequestForm(),
    }
    return render(request, "coalitions/detail.html", context)


@login_required
@permissions.user_passes(permissions.can_create_coalition, "Only partnership admins can create coalitions.")
def coalition_create(request: HttpRequest) -> HttpResponse:
    form = CoalitionForm(request.POST or None, request.FILES or None, initial={"time_zone": "America/Chicago"})
    if request.method == "POST" and form.is_valid():
        coalition = services.create_coalition(by=request.user, data=form.cleaned_data)
        messages.success(request, f"{coalition.name} was created. Invite its first admin from the manage page.")
        return redirect("coalitions:manage", slug=coalition.slug)
    return render(request, "coalitions/coalition_form.html", {"form": form, "coalition": None})


@login_required
@permissions.coalition_admin_required
def coalition_edit(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    # The form validates against its own copy (validation writes onto its instance); the page
    # keeps showing the saved name and links, and the service applies the cleaned data.
    form = CoalitionForm(request.POST or None, request.FILES or None, instance=Coalition.objects.get(pk=coalition.pk))
    if request.method == "POST" and form.is_valid():
        coalition = services.update_coalition(by=request.user, coalition=coalition, data=form.cleaned_data)
        messages.success(request, "The coalition's profile was saved.")
        return redirect(coalition)
    return render(request, "coalitions/coalition_form.html", {"form": form, "coalition": coalition})


def coalition_logo(request: HttpRequest, slug: str) -> FileResponse:
    """Logos are public, like the coalition's page, but still come through a view (media is not served)."""
    coalition = get_object_or_404(Coalition, slug=slug)
    content_type = LOGO_CONTENT_TYPES.get(coalition.logo.name.rsplit(".", 1)[-1].lower()) if coalition.logo else None
    if content_type is None:
        raise Http404("No logo")
    try:
        handle = coalition.logo.open("rb")
    except FileNotFoundError:
        raise Http404("Logo file missing") from None
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Joining, leaving -----------------------------------------------------------------------------


@login_required
def join(request: HttpRequest, slug: str) -> HttpResponse:
    coalition = get_object_or_404(Coalition, slug=slug)
    # Never "ask to join" twice: a member, or someone whose request waits, goes to the coalition's
    # page, which says where they stand (and offers to withdraw the request).
    if request.method == "GET":
        if Membership.objects.filter(user=request.user, coalition=coalition).exists():
            messages.info(request, f"You are already a member of {coalition.name}.")
            return redirect(coalition)
        if JoinRequest.objects.pending().filter(user=request.user, coalition=coalition).exists():
            messages.info(request, f"You already asked to join {coalition.name}; its admins will decide soon.")
            return redirect(coalition)
    form = JoinRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        join_request = _run(
            request,
            services.request_to_join,
            by=request.user,
            coalition=coalition,
            message=form.cleaned_data["message"],
        )
        if join_request:
            messages.success(request, f"Your request to join {coalition.name} was sent to its admins.")
        return redirect(coalition)
    return render(
        request,
        "coalitions/join.html",
        {"coalition": coalition, "form": form, "is_verified": permissions.has_verified_email(request.user)},
        status=400 if form.errors else 200,
    )


# Where the withdraw confirmation returns to, by the ``next`` its link carries (never a URL from outside).
WITHDRAW_RETURNS = {"profile": "coalitions:profile", "home": "home"}


@login_required
def withdraw_request(request: HttpRequest, pk: int) -> HttpResponse:
    join_request = get_object_or_404(JoinRequest.objects.select_related("coalition"), pk=pk, user=request.user)
    back = request.POST.get("next", request.GET.get("next"))
    back = back if back in WITHDRAW_RETURNS else ""
    back_url = reverse(WITHDRAW_RETURNS[back]) if back else join_request.coalition.get_absolute_url()
    if not is_confirmed(request):
        return confirmation_page(
            request,
            question=f"Withdraw your request to join {join_request.coalition.name}?",
            explanation="Its admins will no longer see it. You can ask again later.",
            button="Withdraw my request",
            back_url=back_url,
            back_label="Keep my request",
            hidden={"next": back} if back else None,
        )
    if _run(request, services.withdraw_join_request, by=request.user, join_request=join_request):
        messages.success(request, f"Your request to join {join_request.coalition.name} was withdrawn.")
    return redirect(back_url)


@login_required
def leave(request: HttpRequest, slug: str) -> HttpResponse:
    coalition = get_object_or_404(Coalition, slug=slug)
    membership = get_object_or_404(Membership, user=request.user, coalition=coalition)
    membership.coalition = coalition
    refusal = services.why_cannot_leave(membership)
    if refusal and request.method == "POST":
        messages.error(request, refusal)
        return redirect(coalition)
    if is_confirmed(request):
        try:
            services.leave_coalition(by=request.user, coalition=coalition)
        except MembershipError as exc:
            messages.error(request, str(exc))
            return redirect(coalition)
        messages.success(request, f"You left {coalition.name}.")
        return redirect("coalitions:profile")
    context = {"coalition": coalition, "membership": membership, "refusal": refusal}
    return render(request, "coalitions/leave.html", context)


# --- Managing a coalition -------------------------------------------------------------------------


def _manage_page(request: HttpRequest, coalition: Coalition, *, invite_form=None, status=200) -> HttpResponse:
    open_invitations = list(Invitation.objects.open().filter(coalition=coalition).select_related("invited_by__profile"))
    for invitation in open_invitations:
        invitation.accept_url = services.invitation_accept_url(invitation)
    context = {
        "coalition": coalition,
        "pending": JoinRequest.objects.pending()
        .filter(coalition=coalition)
        .select_related("user__profile")
        .order_by("created"),
        "memberships": Membership.objects.of(coalition)
        .with_people()
        .order_by("role", "user__profile__full_name", "user__email"),
        "open_invitations": open_invitations,
        "invite_form": invite_form or InvitationForm(),
        "roles": Membership.Role.choices,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    return render(request, "coalitions/manage.html", context, status=status)


@login_required
@permissions.coalition_admin_required
def manage(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    return _manage_page(request, coalition)


@login_required
@permissions.coalition_admin_required
def decide_request(request: HttpRequest, coalition: Coalition, pk: int, decision: str) -> HttpResponse:
    # Approving is one POST (undone by removing the member); rejecting shows its confirmation page on a
    # GET or an unconfirmed POST, and acts on the POST that page sends.
    if request.method != "POST" and decision == "approve":
        return HttpResponseNotAllowed(["POST"])
    join_request = get_object_or_404(JoinRequest.objects.select_related("user__profile"), pk=pk, coalition=coalition)
    name = join_request.user.profile.display_name if hasattr(join_request.user, "profile") else join_request.user.email
    if decision == "approve":
        if _run(request, services.approve_join_request, by=request.user, join_request=join_request):
            messages.success(request, f"{name} is now a member of {coalition.short_name}.")
    elif not is_confirmed(request):
        # "Reject" sits next to "Approve" and emails the person at once: a stray tap must not send it.
        return confirmation_page(
            request,
            question=f"Reject the request from {name}?",
            explanation=f"We email {name} that the request to join {coalition.name} was not approved. "
            "They may ask again later.",
            button="Reject the request",
            back_url=reverse("coalitions:manage", args=[coalition.slug]) + "#requests",
            back_label="Keep it waiting",
        )
    elif _run(request, services.reject_join_request, by=request.user, join_request=join_request):
        messages.success(request, f"The request from {name} was rejected.")
    return redirect("coalitions:manage", slug=coalition.slug)


@login_required
@require_POST
@permissions.coalition_admin_required
def invite(request: HttpRequest, coalition: Coalition) -> HttpResponse:
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, coalition, invite_form=form, status=400)
    invitation = _run(request, services.invite_member, by=request.user, coalition=coalition, **form.cleaned_data)
    if invitation is None:
        return _manage_page(request, coalition, invite_form=form, status=400)
    messages.success(request, f"An invitation was emailed to {invitation.email}.")
    return redirect("coalitions:manage", slug=coalition.slug)


@login_required
@permissions.coalition_admin_required
def revoke(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=pk, coalition=coalition)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            question=f"Revoke the invitation to {invitation.email}?",
            explanation=f"The link in their email stops working at once. To invite them to {coalition.short_name} "
            "again, send a new invitation.",
            details=[f"{invitation.email}, invited as {invitation.get_role_display().lower()}"],
            button="Revoke the invitation",
            back_url=reverse("coalitions:manage", args=[coalition.slug]) + "#invitations",
            back_label="Keep it",
        )
    if _run(request, services.revoke_invitation, by=request.user, invitation=invitation):
        messages.success(request, f"The invitation to {invitation.email} was revoked.")
    return redirect("coalitions:manage", slug=coalition.slug)


def _membership_in(coalition: Coalition, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.with_people(), pk=pk, coalition=coalition)


@login_required
@require_POST
@permissions.coalition_admin_required
def change_role(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    membership = _membership_in(coalition, pk)
    form = RoleForm(request.POST)
    stepping_down = (
        form.is_valid()
        and membership.user_id == request.user.pk
        and membership.is_admin
        and form.cleaned_data["role"] == Membership.Role.MEMBER
    )
    # The last admin is told at once that they cannot step down (the service says why), not asked first.
    if stepping_down and not is_confirmed(request) and Membership.objects.of(coalition).admins().count() > 1:
        return confirmation_page(
            request,
            question=f"Step down as an admin of {coalition.name}?",
            explanation="You stay a member, but you can no longer approve requests, invite people or manage "
            "members here. Only another admin can make you an admin again.",
            button="Step down",
            back_url=reverse("coalitions:manage", args=[coalition.slug]),
            back_label="Stay an admin",
            hidden={"role": Membership.Role.MEMBER},
        )
    if not form.is_valid():
        messages.error(request, "Choose member or coalition admin.")
    elif changed := _run(
        request,
        services.change_role,
        by=request.user,
        membership=membership,
        role=form.cleaned_data["role"],
        stepping_down=stepping_down,
    ):
        permissions.forget_cached_roles(request.user)
        messages.success(request, f"{membership.user.email} is now: {changed.get_role_display()}.")
    if not permissions.can_manage_coalition(request.user, membership.coalition):
        return redirect(membership.coalition)  # they stepped down; the manage page is no longer theirs
    return redirect("coalitions:manage", slug=coalition.slug)


@login_required
@permissions.coalition_admin_required
def remove_member(request: HttpRequest, coalition: Coalition, pk: int) -> HttpResponse:
    membership = _membership_in(coalition, pk)
    if membership.user_id == request.user.pk:
        messages.error(
            request,
            f"You cannot remove yourself from {coalition.name} here. To leave it, use “Leave” on the coalition's page.",
        )
        return redirect("coalitions:manage", slug=coalition.slug)
    if not is_confirmed(request):
        person = membership.user.profile.display_name if hasattr(membership.user, "profile") else ""
        return confirmation_page(
            request,
            question=f"Remove {person or membership.user.email} from {coalition.name}?",
            explanation="They lose access to members-only practices, meetings and the directory at once"
            f"{' and stop being an admin' if membership.is_admin else ''}. To come back they must ask "
            "again or be invited.",
            details=[f"{person + ', ' if person else ''}{membership.user.email}: {membership.get_role_display()}"],
            button="Remove from the coalition",
            back_url=reverse("coalitions:manage", args=[coalition.slug]) + "#members",
            back_label="Keep them",
        )
    try:
        services.remove_member(by=request.user, membership=membership)
    except MembershipError as exc:
        messages.error(request, str(exc))
        return redirect("coalitions:manage", slug=coalition.slug)
    permissions.forget_cached_roles(request.user)
    messages.success(request, f"{membership.user.email} was removed from {membership.coalition.name}.")
    if not permissions.can_manage_coalition(request.user, membership.coalition):
        return redirect(membership.coalition)
    return redirect("coalitions:manage", slug=coalition.slug)


# --- Invitations ----------------------------------------------------------------------------------

INVITATION_GONE = {
    "accepted": "This invitation has already been used.",
    "revoked": "This invitation was withdrawn by the coalition's admin.",
    "expired": "This invitation has expired.",
}


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except MembershipError as exc:
        return render(request, "coalitions/invitation_invalid.html", {"reason": str(exc)}, status=400)
    if not invitation.is_usable:
        context = {"reason": INVITATION_GONE[invitation.state], "coalition": invitation.coalition}
        return render(request, "coalitions/invitation_invalid.html", context, status=410)
    if request.method == "POST" and request.user.is_authenticated:
        membership = _run(request, services.accept_invitation, by=request.user, invitation=invitation)
        if membership is None:
            return redirect(request.path)
        messages.success(request, f"Welcome to {membership.coalition.name}!")
        return redirect(membership.coalition)
    if request.method not in ("GET", "HEAD"):
        return redirect(f"{reverse('account_login')}?next={request.path}")
    context = {
        "invitation": invitation,
        "can_accept": permissions.can_accept_invitation(request.user, invitation),
        "already_member": permissions.is_member_of(request.user, invitation.coalition_id),
    }
    return render(request, "coalitions/invitation.html", context)


# --- People ---------------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(
        request.POST or None,
        instance=services.ensure_profile(user=user),
        default_time_zone=coalition_time_zone(user),
        in_a_coalition=bool(permissions.coalition_ids(user)),
    )
    if request.method == "POST" and form.is_valid():
        services.update_profile(by=user, **form.cleaned_data)
        messages.success(request, "Your profile was saved.")
        return redirect("coalitions:profile")
    context = {
        "form": form,
        "memberships": Membership.objects.filter(user=user).select_related("coalition"),
        "pending_requests": JoinRequest.objects.pending().filter(user=user).select_related("coalition"),
        "email_addresses": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "time_zone_now": time_zone_label(effective_time_zone(user)),
    }
    return render(request, "coalitions/profile.html", context, status=400 if form.errors else 200)


@login_required
@members_only
def member_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(Profile.objects.members().for_directory(), user_id=user_id)
    return render(request, "coalitions/member.html", {"person": person})


@login_required
@members_only
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or None)
    people = Profile.objects.members()
    if form.is_valid():
        if form.cleaned_data["q"]:
            people = people.search(form.cleaned_data["q"])
        if form.cleaned_data["coalition"]:
            people = people.in_coalition(form.cleaned_data["coalition"])
    elif form.is_bound:
        people = people.none()
    page = Paginator(people.for_directory(), settings.MEMBER_DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page}
    return render(request, "coalitions/directory.html", context)
