"""Writing: create and edit with preview and the similar check, status changes, attachments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coalitions import permissions
from coalitions.confirm import confirmation_page, is_confirmed
from coalitions.models import JoinRequest

from .. import selectors, services
from ..forms import MarkdownPreviewForm, PracticeForm, SimilarForm
from ..markdown import render_markdown
from ..models import Attachment, Practice


def _initial_from_post(post) -> dict:
    """The form's values to show again after a Preview or Check-for-similar round trip (unvalidated)."""
    initial = {key: values[-1] for key, values in post.lists()}
    initial["focus_areas"] = post.getlist("focus_areas")
    initial["standards"] = post.getlist("standards")
    initial.pop("csrfmiddlewaretoken", None)
    return initial


def _writing_round_trip(request, context, *, practice=None):
    """Handle the Preview and Check-for-similar buttons: re-render without saving."""
    action = request.POST.get("action")
    initial = _initial_from_post(request.POST)
    context["form"] = PracticeForm(initial=initial, instance=practice, user=request.user)
    if action == "preview":
        context["preview"] = render_markdown(request.POST.get("body", "")[:50_000])
    similar_form = SimilarForm(request.POST)
    if similar_form.is_valid():
        context["similar"] = selectors.similar_practices(
            request.user,
            title=similar_form.cleaned_data["title"],
            summary=similar_form.cleaned_data["summary"],
            focus_area_slugs=[a.slug for a in similar_form.cleaned_data["focus_areas"]],
            exclude=practice,
        )
        context["similar_checked"] = True
    if request.FILES:
        messages.warning(request, "Files are not kept between previews: choose them again before you save.")
    return context


def _share_first(request):
    """Someone signed in who may not share yet is told what to do first, not shown a 403: confirm
    their address, ask to join a coalition, or wait for the request they made. A POST is refused
    (403) with the same page, so nothing is saved."""
    context = {
        "is_verified": permissions.has_verified_email(request.user),
        "pending_requests": JoinRequest.objects.pending().filter(user=request.user).select_related("coalition"),
    }
    return render(request, "practices/share_first.html", context, status=403 if request.method == "POST" else 200)


@login_required
def practice_create(request):
    if not permissions.can_share_practices(request.user):
        return _share_first(request)
    context = {"similar_checked": False}
    if request.method == "POST" and request.POST.get("action") in ("preview", "similar"):
        return render(request, "practices/form.html", _writing_round_trip(request, context))
    form = PracticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            practice = services.create_practice(
                author=request.user,
                coalition=form.cleaned_data["coalition"],
                data=form.service_data(),
                files=form.cleaned_data["attachments"],
                publish=publish,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Published. Thank you for sharing." if publish else "Saved as a draft.")
            return redirect(practice)
    context["form"] = form
    return render(request, "practices/form.html", context)


@login_required
def practice_edit(request, slug):
    practice = get_object_or_404(Practice.objects.select_related("coalition"), slug=slug)
    if not practice.can_edit(request.user):
        raise PermissionDenied("Only the author and the coalition's admins can edit this practice.")
    context = {"practice": practice, "attachments": practice.attachments.all(), "similar_checked": False}
    if request.method == "POST" and request.POST.get("action") in ("preview", "similar"):
        return render(request, "practices/form.html", _writing_round_trip(request, context, practice=practice))
    form = PracticeForm(request.POST or None, request.FILES or None, instance=practice, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_practice(
                practice=practice,
                by=request.user,
                data=form.service_data(),
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.POST.get("action") == "publish" and practice.status != Practice.Status.PUBLISHED:
                services.publish_practice(practice=practice, by=request.user)
                messages.success(request, "Saved and published.")
            else:
                messages.success(request, "Changes saved.")
            return redirect(practice)
    context["form"] = form
    return render(request, "practices/form.html", context)


STATUS_ACTIONS = {
    "publish": (services.publish_practice, "Published."),
    "unpublish": (services.unpublish_practice, "Unpublished: it is a draft again, visible only to its managers."),
    "archive": (services.archive_practice, "Archived: it no longer appears in lists and search."),
}


@require_POST
@login_required
def practice_status(request, slug):
    practice = get_object_or_404(Practice, slug=slug)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
        return redirect(practice)
    service, done = action
    service(practice=practice, by=request.user)
    messages.success(request, done)
    return redirect(practice)


@login_required
def attachment_delete(request, slug, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("practice"), pk=pk, practice__slug=slug)
    if not is_confirmed(request):
        if not attachment.practice.can_edit(request.user):
            raise PermissionDenied("Only the author and the coalition's admins can remove files.")
        return confirmation_page(
            request,
            question=f"Remove “{attachment.name}”?",
            explanation=f"The file is deleted from “{attachment.practice.title}” for everyone; it cannot be "
            "brought back, only uploaded again.",
            button="Remove the file",
            back_url=reverse("practices:edit", args=[slug]),
            back_label="Keep it",
        )
    services.delete_attachment(attachment=attachment, by=request.user)
    messages.success(request, f"Removed “{attachment.name}”.")
    return redirect("practices:edit", slug=slug)


@require_POST
@login_required
def preview_markdown(request):
    """Rendered, sanitized HTML for the live preview while writing (members only)."""
    if not permissions.is_member(request.user):
        return JsonResponse({"error": "Only members can preview."}, status=403)
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "The text is too long to preview."}, status=400)
    return JsonResponse({"html": str(render_markdown(form.cleaned_data["body"]))})
