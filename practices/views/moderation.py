"""Moderation: reports from members, the partnership admins' queue, hiding and restoring, focus areas."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coalitions import permissions

from .. import selectors, services
from ..forms import FocusAreaForm, ReportForm
from ..models import Comment, FocusArea, Practice, Report
from .access import _practice_or_404


def _report(request, practice, comment=None):
    if not practice.can_report(request.user):
        raise PermissionDenied("Members can report content on published practices.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_content(
            by=request.user,
            practice=practice,
            comment=comment,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, "Thank you. The partnership's moderators will take a look.")
        return redirect(comment or practice)
    return render(request, "practices/report.html", {"practice": practice, "comment": comment, "form": form})


@login_required
def report_practice(request, slug):
    return _report(request, _practice_or_404(request, slug))


@login_required
def report_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("practice"), pk=pk, is_hidden=False)
    if not comment.practice.can_view(request.user):
        raise Http404("No such comment.")
    return _report(request, comment.practice, comment)


moderator_required = permissions.partnership_admin_required("The moderation queue is for the partnership's admins.")


@login_required
@moderator_required
def moderation_queue(request):
    context = selectors.moderation_overview()
    return render(request, "practices/moderation.html", context)


@require_POST
@login_required
@moderator_required
def moderation_resolve(request, pk):
    report = get_object_or_404(Report.objects.select_related("practice", "comment"), pk=pk)
    action = request.POST.get("action", "")
    if action not in services.ModerationAction.ALL:
        messages.error(request, "Choose hide, restore or dismiss.")
        return redirect("practices:moderation")
    services.resolve_report(report=report, by=request.user, action=action)
    messages.success(
        request,
        {"hide": "Hidden everywhere.", "restore": "Restored.", "dismiss": "Report dismissed; the content stays."}[
            action
        ],
    )
    return redirect("practices:moderation")


def _moderation_target(kind, pk, *, is_hidden: bool):
    model = {"practice": Practice, "comment": Comment}.get(kind)
    if model is None:
        raise Http404("Nothing to moderate.")
    return get_object_or_404(model, pk=pk, is_hidden=is_hidden)


@require_POST
@login_required
@moderator_required
def moderation_hide(request, kind, pk):
    """Partnership admins hide a practice or comment straight from its page, without waiting for a report."""
    target = _moderation_target(kind, pk, is_hidden=False)
    services.set_content_hidden(by=request.user, target=target, hidden=True)
    messages.success(request, "Hidden everywhere. You can restore it from the moderation page.")
    if isinstance(target, Comment):
        return redirect(f"{target.practice.get_absolute_url()}#comments")
    return redirect(target)


@require_POST
@login_required
@moderator_required
def moderation_restore(request, kind, pk):
    target = _moderation_target(kind, pk, is_hidden=True)
    services.set_content_hidden(by=request.user, target=target, hidden=False)
    messages.success(request, "Restored.")
    return redirect("practices:moderation")


# --- Focus areas ------------------------------------------------------------------------------


@login_required
@moderator_required
def focus_area_create(request):
    form = FocusAreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = services.create_focus_area(
            by=request.user,
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, f"Added the focus area “{area.name}”.")
        return redirect("practices:focus_areas")
    return render(request, "practices/focus_area_form.html", {"form": form})


@login_required
@moderator_required
def focus_area_edit(request, slug):
    area = get_object_or_404(FocusArea, slug=slug)
    form = FocusAreaForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        services.update_focus_area(
            by=request.user,
            area=area,
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, f"Saved “{area.name}”.")
        return redirect(reverse("practices:focus_area", args=[area.slug]))
    return render(request, "practices/focus_area_form.html", {"form": form, "area": area})
