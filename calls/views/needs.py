"""Pages for shared needs: list, detail, post and edit (with the similar check), co-sign, close.

Needs are partnership-internal: every page is for signed-in members (``member_required``); the
services check each write again.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from coalitions import permissions
from coalitions.confirm import confirmation_page, is_confirmed
from meetings.forms import ScheduleMeetingForm

from .. import selectors, services, similar
from ..forms import CosignForm, MetForm, NeedFilter, NeedForm, SimilarNeedForm, filters_not_understood
from ..models import Call, Need, NeedSignature

MEMBERS_ONLY = "Needs are shared among the partnership's members: join a coalition to see and post them."
LIST_LIMIT = 50


def members_only(view):
    return login_required(permissions.member_required(MEMBERS_ONLY)(view))


def _need(request, pk) -> Need:
    return get_object_or_404(
        Need.objects.visible_to(request.user).select_related("coalition", "author__profile"), pk=pk
    )


def _open_need_to_manage(request, pk, *, verb: str):
    """The need, if this member may ``verb`` it (else a 403), and the redirect to show when it is closed."""
    need = _need(request, pk)
    if not need.can_manage(request.user):
        raise PermissionDenied(f"Only the member who posted this need and their coalition's admins can {verb} it.")
    if need.is_open:
        return need, None
    closed = "This need is closed; it can no longer be edited." if verb == "edit" else "This need is already closed."
    messages.error(request, closed)
    return need, redirect(need)


@members_only
def need_list(request):
    filters = NeedFilter(request.GET or None)
    if request.GET and not filters.is_valid():
        messages.warning(request, filters_not_understood(filters))
    needs = list(filters.filter(Need.objects.visible_to(request.user)).for_list()[: LIST_LIMIT + 1])
    context = {
        "filters": filters,
        "needs": needs[:LIST_LIMIT],
        "more": len(needs) > LIST_LIMIT,
        "shared": selectors.shared_needs_for_admins(request.user),
    }
    return render(request, "calls/need_list.html", context)


@members_only
def need_detail(request, pk):
    need = _need(request, pk)
    signatures = list(need.signatures.select_related("coalition", "user__profile"))
    coalitions = services.signing_coalitions(request.user, need) if need.is_open else []
    context = {
        "need": need,
        "focus_areas": list(need.focus_areas.all()),
        "signatures": signatures,
        "can_manage": need.can_manage(request.user),
        "cosign_form": CosignForm(coalitions=coalitions) if coalitions else None,
        "withdrawable": {s.pk for s in signatures if s.can_withdraw(request.user)},
        "met_by": need.met_by if need.met_by_id else None,
        "meeting": need.meeting if need.meeting_id else None,
        "met_by_call": need.met_by_call if need.met_by_call_id else None,
        "calls": list(need.calls.visible_to(request.user).only("pk", "title")),
        "can_plan_meeting": need.is_open and need.is_shared and permissions.is_partnership_admin(request.user),
    }
    return render(request, "calls/need_detail.html", context)


def _similar_context(request, exclude=None) -> dict:
    form = SimilarNeedForm(request.POST)
    if not form.is_valid():
        return {"similar_checked": False}
    data = form.cleaned_data
    slugs = [a.slug for a in data["focus_areas"]]
    return {
        "similar_checked": True,
        "similar_practices": similar.practices_answering(
            request.user, title=data["title"], problem=data["problem"], focus_area_slugs=slugs
        ),
        "similar_needs": similar.similar_needs(
            request.user, title=data["title"], problem=data["problem"], focus_area_slugs=slugs, exclude=exclude
        ),
    }


def _initial_from_post(post) -> dict:
    initial = {key: values[-1] for key, values in post.lists()}
    initial["focus_areas"] = post.getlist("focus_areas")
    initial.pop("csrfmiddlewaretoken", None)
    return initial


@members_only
def need_create(request):
    if request.method == "POST" and request.POST.get("action") == "similar":
        form = NeedForm(initial=_initial_from_post(request.POST), user=request.user)
        return render(request, "calls/need_form.html", {"form": form, **_similar_context(request)})
    form = NeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.post_need(
                by=request.user, coalition=form.cleaned_data["coalition"], data=form.service_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Your need is posted. Members of other coalitions can now co-sign it.")
            return redirect(need)
    return render(request, "calls/need_form.html", {"form": form, "similar_checked": False})


@members_only
def need_edit(request, pk):
    need, closed = _open_need_to_manage(request, pk, verb="edit")
    if closed:
        return closed
    if request.method == "POST" and request.POST.get("action") == "similar":
        form = NeedForm(initial=_initial_from_post(request.POST), instance=need, user=request.user)
        return render(request, "calls/need_form.html", {"form": form, "need": need, **_similar_context(request, need)})
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        # The form wrote its values onto the instance; the service saves them after its own checks.
        try:
            services.update_need(need=need, by=request.user, data=form.service_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(need)
    return render(request, "calls/need_form.html", {"form": form, "need": need, "similar_checked": False})


@require_GET
@members_only
def similar_json(request):
    """``?title=…&problem=…&focus_areas=<slug>…``: practices that may answer the need and open needs like
    it, for the panel beside the form. Empty lists when nothing clears discovery's cutoff."""
    form = SimilarNeedForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"practices": [], "needs": [], "errors": form.errors}, status=400)
    data, slugs = form.cleaned_data, [a.slug for a in form.cleaned_data["focus_areas"]]
    practices = similar.practices_answering(
        request.user, title=data["title"], problem=data["problem"], focus_area_slugs=slugs
    )
    needs = similar.similar_needs(request.user, title=data["title"], problem=data["problem"], focus_area_slugs=slugs)
    return JsonResponse({
        "practices": [
            {"title": p.title, "url": p.get_absolute_url(), "coalition": p.coalition.short_name or p.coalition.name,
             "reason": p.suggestion_reason}
            for p in practices
        ],
        "needs": [
            {"title": n.title, "url": n.get_absolute_url(), "coalition": n.coalition.short_name or n.coalition.name,
             "reason": n.suggestion_reason, "cosigning_coalitions": n.cosigning_coalitions}
            for n in needs
        ],
    })  # fmt: skip


@require_POST
@members_only
def cosign(request, pk):
    need = _need(request, pk)
    coalitions = services.signing_coalitions(request.user, need)
    form = CosignForm(request.POST, coalitions=coalitions)
    if not coalitions:
        if (
            permissions.is_member_of(request.user, need.coalition_id)
            and len(permissions.coalition_ids(request.user)) == 1
        ):
            messages.error(request, "Your coalition posted this need; co-signatures come from other coalitions.")
        elif not need.is_open:
            messages.error(request, "This need is closed; it takes no more co-signatures.")
        elif not permissions.coalition_ids(request.user):
            messages.error(request, "Co-sign as a member of a coalition; you belong to none.")
        else:
            messages.error(request, "Your coalition has already co-signed this need.")
        return redirect(need)
    if form.is_valid():
        try:
            services.cosign_need(
                need=need,
                by=request.user,
                coalition=form.cleaned_data["coalition"],
                context=form.cleaned_data["context"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{form.cleaned_data['coalition'].name} co-signed this need.")
            return redirect(need)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(need)


@members_only
def signature_withdraw(request, pk):
    signature = get_object_or_404(NeedSignature.objects.select_related("need", "coalition"), pk=pk)
    need = signature.need
    if not signature.can_withdraw(request.user):
        raise PermissionDenied("Only the member who co-signed and their coalition's admins can withdraw it.")
    if is_confirmed(request):
        services.withdraw_signature(signature=signature, by=request.user)
        messages.success(request, f"{signature.coalition.name}'s co-signature is withdrawn.")
        return redirect(need)
    return confirmation_page(
        request,
        question=f"Withdraw {signature.coalition.name}'s co-signature?",
        explanation=f"“{need.title}” will no longer list {signature.coalition.name} as sharing this need.",
        button="Withdraw co-signature",
        back_url=need.get_absolute_url(),
    )


@members_only
def need_withdraw(request, pk):
    need, closed = _open_need_to_manage(request, pk, verb="close")
    if closed:
        return closed
    if is_confirmed(request):
        services.close_need(need=need, by=request.user, outcome=Need.Status.WITHDRAWN)
        messages.success(request, "The need is withdrawn.")
        return redirect(need)
    return confirmation_page(
        request,
        question=f"Withdraw “{need.title}”?",
        explanation="It leaves the list of open needs and takes no more co-signatures; its page stays.",
        button="Withdraw need",
        back_url=need.get_absolute_url(),
    )


@members_only
def need_met(request, pk):
    need, closed = _open_need_to_manage(request, pk, verb="close")
    if closed:
        return closed
    form = MetForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_need(
                need=need, by=request.user, outcome=Need.Status.MET, met_by=form.cleaned_data["practice"]
            )
        except ValidationError as exc:
            form.add_error("practice", exc)
        else:
            messages.success(request, "Closed as met. Thank you for saying what worked.")
            return redirect(need)
    suggestions = similar.practices_answering(request.user, title=need.title, problem=need.problem)
    return render(request, "calls/need_met.html", {"need": need, "form": form, "suggestions": suggestions})


@members_only
def need_meeting(request, pk):
    """A partnership admin makes a shared need a one-off working-group meeting: the schedule form,
    filled in (title, description naming the co-signers, a date two weeks out), one click to send."""
    need = _need(request, pk)
    if not permissions.is_partnership_admin(request.user):
        raise PermissionDenied("Partnership admins turn shared needs into working-group meetings.")
    if not (need.is_open and need.is_shared):
        messages.error(
            request, "Only an open shared need (co-signed by two or more other coalitions) becomes a working group."
        )
        return redirect(need)
    initial = {
        "title": f"Working group: {need.title}"[:200],
        "description": services.working_group_description(need),
        "date": timezone.localdate() + dt.timedelta(days=14),
        "start_time": dt.time(11, 0),
        "end_time": dt.time(12, 0),
    }
    form = ScheduleMeetingForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.plan_working_group(need=need, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Working-group meeting scheduled. Add an agenda when you are ready.")
            return redirect(meeting)
    return render(request, "calls/need_meeting.html", {"need": need, "form": form})


@members_only
def need_met_by_call(request, pk):
    """Close a need as met by a call for solutions (``?call=<id>``, typically the joint call made from it)."""
    need, closed = _open_need_to_manage(request, pk, verb="close")
    if closed:
        return closed
    raw = request.POST.get("call") or request.GET.get("call") or ""
    call = Call.objects.visible_to(request.user).filter(pk=int(raw)).first() if raw.isdigit() else None
    if call is None:
        messages.error(request, "Name a call for solutions you can see.")
        return redirect(need)
    if is_confirmed(request):
        services.close_need(need=need, by=request.user, outcome=Need.Status.MET, met_by_call=call)
        messages.success(request, f"Closed as met by the call “{call.title}”.")
        return redirect(need)
    return confirmation_page(
        request,
        question=f"Close “{need.title}” as met by the call “{call.title}”?",
        explanation="The need leaves the list of open needs and links to the call.",
        button="Close as met",
        back_url=need.get_absolute_url(),
        hidden={"call": str(call.pk)},
    )
