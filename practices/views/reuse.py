"""Reuse: a coalition records its adoption story (or withdraws it), and its admins confirm it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from coalitions import permissions
from coalitions.confirm import CONFIRM_FIELD, confirmation_page, is_confirmed

from .. import services
from ..confirmation import InvalidLink, read_token
from ..forms import AdoptionForm
from ..models import Adoption, AdoptionFile, Practice
from ..uploads import serve_upload
from .access import _practice_or_404


@login_required
def adopt(request, slug):
    practice = _practice_or_404(request, slug, Practice.objects.select_related("coalition"))
    coalition_ids = practice.adopting_coalition_ids(request.user)
    if not coalition_ids:
        raise PermissionDenied(
            "Members record adoptions for their own coalition, on published practices shared by another coalition."
        )
    existing = {
        a.coalition_id: a for a in practice.adoptions.filter(coalition_id__in=coalition_ids).select_related("coalition")
    }
    instance = next(iter(existing.values()), None) if len(coalition_ids) == 1 else None
    form = AdoptionForm(request.POST or None, request.FILES or None, instance=instance, coalition_ids=coalition_ids)
    if request.method == "POST" and form.is_valid():
        try:
            adoption, created = services.record_adoption(
                practice=practice,
                coalition=form.cleaned_data["coalition"],
                by=request.user,
                stage=form.cleaned_data["stage"],
                stopped_reason=form.cleaned_data["stopped_reason"],
                data=form.service_data(),
                outcomes=form.outcomes(),
                files=form.cleaned_data["evidence_files"],
                remove_files=form.cleaned_data.get("remove_files") or (),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            status = (
                "" if adoption.is_confirmed else " It shows as claimed until an admin of your coalition confirms it."
            )
            messages.success(
                request,
                f"Recorded: {adoption.coalition.short_name} — {adoption.get_stage_display().lower()}.{status}",
            )
            return redirect(f"{practice.get_absolute_url()}#adoptions")
    return render(request, "practices/adopt.html", {"practice": practice, "form": form, "existing": existing})


@login_required
def adoption_withdraw(request, pk):
    adoption = get_object_or_404(Adoption.objects.select_related("practice", "coalition"), pk=pk)
    if not is_confirmed(request):
        if not adoption.can_withdraw(request.user):
            raise PermissionDenied("Only members of that coalition can withdraw its adoption.")
        return confirmation_page(
            request,
            question=f"Withdraw {adoption.coalition.short_name}'s adoption of “{adoption.practice.title}”?",
            explanation="The record, its timeline, figures and notes are deleted, and the practice no longer counts "
            "this adoption. To record that you stopped using it instead, update the record and choose “Stopped”: "
            "it stays visible for the next city.",
            button="Withdraw the record",
            back_url=f"{adoption.practice.get_absolute_url()}#adoptions",
            back_label="Keep it",
        )
    services.withdraw_adoption(adoption=adoption, by=request.user)
    messages.success(request, f"Withdrew {adoption.coalition.short_name}'s adoption record.")
    return redirect(f"{adoption.practice.get_absolute_url()}#adoptions")


def _confirm_page(request, adoption, *, asked_by_email: bool):
    """The question, with the record as it stands; its button posts ``confirmed=yes`` to this URL."""
    return render(
        request,
        "practices/adoption_confirm.html",
        {"adoption": adoption, "asked_by_email": asked_by_email, "confirm_field": CONFIRM_FIELD},
    )


@login_required
def adoption_confirm(request, pk):
    """An admin of the adopting coalition confirms from the practice page (GET asks, POST confirms)."""
    adoption = get_object_or_404(Adoption.objects.select_related("practice", "coalition"), pk=pk)
    if not adoption.can_confirm(request.user):
        raise PermissionDenied("Only admins of the adopting coalition can confirm its adoption.")
    if not is_confirmed(request):
        return _confirm_page(request, adoption, asked_by_email=False)
    services.confirm_adoption(adoption=adoption, by=request.user)
    messages.success(request, f"Confirmed {adoption.coalition.short_name}'s adoption. Thank you.")
    return redirect(f"{adoption.practice.get_absolute_url()}#adoption-{adoption.pk}")


@login_required
def adoption_confirm_link(request, token):
    """The yearly email's signed link: opening it only shows the question (mail scanners open links); the
    page's POST button confirms. The admin signs in first, as the practice may be members-only, and the
    service checks that whoever presses the button runs the adopting coalition."""
    try:
        link = read_token(token)
    except InvalidLink:
        return render(request, "practices/adoption_link_invalid.html", status=400)
    adoption = get_object_or_404(Adoption.objects.select_related("practice", "coalition"), pk=link.adoption_id)
    if not adoption.can_confirm(request.user):
        raise PermissionDenied("Only admins of the adopting coalition can confirm its adoption.")
    if not is_confirmed(request):
        return _confirm_page(request, adoption, asked_by_email=True)
    services.confirm_adoption(adoption=adoption, by=request.user)
    messages.success(request, f"Confirmed {adoption.coalition.short_name}'s adoption. Thank you.")
    return redirect(f"{adoption.practice.get_absolute_url()}#adoption-{adoption.pk}")


@permissions.signs_in_first
def adoption_file(request, slug, pk):
    """An adoption's evidence file, only for those who may see its practice; never from a public media URL."""
    evidence = get_object_or_404(
        AdoptionFile.objects.select_related("adoption__practice"), pk=pk, adoption__practice__slug=slug
    )
    practice = _practice_or_404(request, slug, Practice.objects.filter(pk=evidence.adoption.practice_id))
    return serve_upload(
        evidence.file,
        filename=evidence.name,
        content_type=evidence.content_type,
        is_public=practice.is_live and practice.is_public,
    )
