"""Reuse: a coalition records (or withdraws) that it adopted a practice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import services
from ..forms import AdoptionForm
from ..models import Adoption, Practice
from .access import _practice_or_404


@login_required
def adopt(request, slug):
    practice = _practice_or_404(request, slug, Practice.objects.select_related("coalition"))
    coalition_ids = practice.adopting_coalition_ids(request.user)
    if not coalition_ids:
        raise PermissionDenied(
            "Members record adoptions for their own coalition, on published practices shared by another coalition."
        )
    existing = {a.coalition_id: a for a in practice.adoptions.filter(coalition_id__in=coalition_ids)}
    instance = next(iter(existing.values()), None) if len(coalition_ids) == 1 else None
    form = AdoptionForm(request.POST or None, instance=instance, coalition_ids=coalition_ids)
    if request.method == "POST" and form.is_valid():
        adoption, created = services.record_adoption(
            practice=practice,
            coalition=form.cleaned_data["coalition"],
            by=request.user,
            stage=form.cleaned_data["stage"],
            notes=form.cleaned_data["notes"],
            outcome=form.cleaned_data["outcome"],
        )
        messages.success(
            request, f"Recorded: {adoption.coalition.short_name} — {adoption.get_stage_display().lower()}."
        )
        return redirect(f"{practice.get_absolute_url()}#adoptions")
    return render(request, "practices/adopt.html", {"practice": practice, "form": form, "existing": existing})


@require_POST
@login_required
def adoption_withdraw(request, pk):
    adoption = get_object_or_404(Adoption.objects.select_related("practice", "coalition"), pk=pk)
    services.withdraw_adoption(adoption=adoption, by=request.user)
    messages.success(request, f"Withdrew {adoption.coalition.short_name}'s adoption record.")
    return redirect(f"{adoption.practice.get_absolute_url()}#adoptions")
