"""Pages for calls for solutions: the list, a call's page, publishing and editing, files, the feed.

Public calls are for everyone; partnership-only calls for signed-in members (a visitor is asked to
sign in). Submissions and scores never appear on these pages: see ``submissions`` and ``evaluation``.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from coalitions import permissions
from coalitions.confirm import confirmation_page, is_confirmed
from coalitions.timezones import effective_time_zone
from practices.models import without_control_characters
from practices.uploads import serve_upload

from .. import services
from ..forms import CallFilter, CallForm, SubmissionForm, filters_not_understood
from ..models import Call, CallFile, Evaluator, Need

LIST_LIMIT = 50
FEED_SIZE = 30
MEMBERS_ONLY = "Publishing calls for solutions is for members of the partnership's coalitions."


def visible_call(request, pk, queryset=None) -> Call:
    """The call if this viewer may see it; a visitor is sent to sign in for a partnership-only call."""
    queryset = queryset if queryset is not None else Call.objects.all()
    call = get_object_or_404(queryset.select_related("coalition"), pk=pk)
    if call.can_see(request.user):
        return call
    if not request.user.is_authenticated:
        raise permissions.SignInFirst
    raise PermissionDenied("This call is for members of the partnership's coalitions only.")


def owned_call(request, pk, refusal: str) -> Call:
    """The call if this viewer is one of its owners (``Call.can_manage``); else a 403 saying ``refusal``."""
    call = get_object_or_404(Call.objects.select_related("coalition", "results_practice"), pk=pk)
    if not call.can_manage(request.user):
        raise PermissionDenied(refusal)
    return call


def call_list(request):
    filters = CallFilter(request.GET or None)
    if request.GET and not filters.is_valid():
        messages.warning(request, filters_not_understood(filters))
    now = timezone.now()
    calls = list(filters.filter(Call.objects.visible_to(request.user), now=now).for_list()[: LIST_LIMIT + 1])
    context = {
        "filters": filters,
        "calls": calls[:LIST_LIMIT],
        "more": len(calls) > LIST_LIMIT,
        "can_publish": permissions.is_member(request.user),
        "now": now,
    }
    return render(request, "calls/call_list.html", context)


@permissions.signs_in_first
def call_detail(request, pk):
    call = visible_call(request, pk, Call.objects.select_related("need", "results_practice"))
    user = request.user
    can_manage = call.can_manage(user)
    is_evaluator = (
        user.is_authenticated and not can_manage and Evaluator.objects.filter(call=call, user_id=user.pk).exists()
    )
    phase = call.phase
    member = user if permissions.is_member(user) else None
    context = {
        "call": call,
        "phase": phase,
        "focus_areas": list(call.focus_areas.all()),
        "criteria": list(call.criteria.all()),
        "files": list(call.files.all()),
        "can_manage": can_manage,
        "can_see_submissions": can_manage or is_evaluator,
        "submission_form": SubmissionForm(member=member) if phase == Call.Phase.OPEN else None,
        "member_submitting": member is not None,
        "results_practice": call.results_practice if call.results_practice_id else None,
        "need": call.need if call.need_id else None,
    }
    return render(request, "calls/call_detail.html", context)


@permissions.signs_in_first
def call_file(request, pk, file_pk):
    """A call's file, for those who may see the call; never from a public media URL."""
    call = visible_call(request, pk)
    call_file = get_object_or_404(CallFile, pk=file_pk, call=call)
    return serve_upload(call_file.file, filename=call_file.name, content_type=call_file.content_type,
                        is_public=call.is_public)  # fmt: skip


@login_required
def call_file_remove(request, pk, file_pk):
    """Take one document off a call (its owners, while it is open), after asking."""
    call = owned_call(request, pk, "Only the call's owners can remove its documents.")
    call_file = get_object_or_404(CallFile, pk=file_pk, call=call)
    if call.closed_at:
        messages.error(request, "This call is closed; its results are published.")
        return redirect(call)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            question=f"Remove “{call_file.name}”?",
            explanation=f"The document is taken off “{call.title}” for everyone, including those who are "
            "preparing a submission; it cannot be brought back, only uploaded again.",
            button="Remove the document",
            back_url=reverse("calls:call_edit", args=[call.pk]),
            back_label="Keep it",
        )
    services.remove_call_file(call_file=call_file, by=request.user)
    messages.success(request, f"Removed “{call_file.name}”.")
    return redirect("calls:call_edit", pk=call.pk)


def _need_for_joint_call(request) -> Need | None:
    """``?need=<id>``: the shared need a partnership admin turns into a joint call (else None)."""
    raw = request.GET.get("need") or request.POST.get("need")
    if not raw:
        return None
    if not permissions.is_partnership_admin(request.user):
        raise PermissionDenied("Partnership admins turn shared needs into joint calls.")
    try:
        return Need.objects.get(pk=int(raw))
    except (ValueError, Need.DoesNotExist):
        messages.error(request, "That need does not exist; the form starts empty.")
        return None


def _initial_from_need(need: Need, user) -> dict:
    return {
        "coalition": need.coalition_id,
        "title": need.title,
        "problem": "\n\n".join(part for part in (need.problem, need.affected, need.tried) if part),
        "focus_areas": [a.slug for a in need.focus_areas.all()],
        "government_level": need.government_level,
        "is_public": True,
        "time_zone": effective_time_zone(user),
    }


@login_required
@permissions.member_required(MEMBERS_ONLY)
def call_create(request):
    need = _need_for_joint_call(request)
    initial = _initial_from_need(need, request.user) if need else {"time_zone": effective_time_zone(request.user)}
    form = CallForm(request.POST or None, request.FILES or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.publish_call(
                by=request.user,
                coalition=form.cleaned_data["coalition"],
                data=form.service_data(),
                criteria=form.cleaned_data["criteria_text"],
                files=form.cleaned_data.get("files") or [],
                need=need,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Your call is published.")
            return redirect(call)
    return render(request, "calls/call_form.html", {"form": form, "need": need})


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def call_edit(request, pk):
    call = owned_call(request, pk, "Only the call's owners can edit it.")
    if call.closed_at:
        messages.error(request, "This call is closed; its results are published.")
        return redirect(call)
    form = CallForm(request.POST or None, request.FILES or None, instance=call, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_call(
                call=call,
                by=request.user,
                data=form.service_data(),
                criteria=form.cleaned_data["criteria_text"],
                files=form.cleaned_data.get("files") or [],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(call)
    return render(request, "calls/call_form.html", {"form": form, "call": call, "files": list(call.files.all())})


class OpenCallsFeed(Feed):
    """Public calls taking submissions now, closing soonest first."""

    feed_type = Atom1Feed
    subtitle = "Public calls for solutions from the partnership's coalitions, open for submissions."

    def title(self):
        return f"Open calls for solutions — {settings.SITE_NAME}"

    def link(self):
        return f"{settings.SITE_URL}{reverse('calls:call_list')}"

    def feed_url(self):
        return f"{settings.SITE_URL}{reverse('calls:call_feed')}"

    def items(self):
        return (
            Call.objects.public()
            .open_at(timezone.now())
            .select_related("coalition")
            .order_by("closes_at", "pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return without_control_characters(item.title)

    def item_description(self, item):
        return item.problem_html

    def item_link(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def item_guid(self, item):
        return f"{settings.SITE_URL}/calls/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.opens_at

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return without_control_characters(item.coalition.name)
