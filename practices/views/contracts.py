"""Cooperative contracts on a practice: add, edit, delete (its owners), and the documents' downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from coalitions import permissions
from coalitions.confirm import confirmation_page, is_confirmed

from .. import contracts
from ..forms import ContractForm
from ..models import Contract, ContractDocument, Practice
from ..uploads import serve_upload
from .access import _practice_or_404


def _owned_practice(request, slug) -> Practice:
    practice = get_object_or_404(Practice.objects.select_related("coalition"), slug=slug)
    if not practice.can_edit(request.user):
        raise PermissionDenied(contracts.OWNERS_ONLY)
    return practice


def _contract_form_page(request, practice, contract=None):
    form = ContractForm(request.POST or None, request.FILES or None, instance=contract)
    if request.method == "POST" and form.is_valid():
        try:
            if contract is None:
                contract = contracts.add_contract(
                    practice=practice, by=request.user, data=form.service_data(), documents=form.document_changes()
                )
                messages.success(request, f"Added contract {contract.contract_number}.")
            else:
                contracts.update_contract(
                    contract=contract, by=request.user, data=form.service_data(), documents=form.document_changes()
                )
                messages.success(request, f"Saved contract {contract.contract_number}.")
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(f"{practice.get_absolute_url()}#contract-{contract.pk}")
    if request.FILES and form.errors:
        messages.warning(request, "Files are not kept when the form has errors: choose them again before you save.")
    return render(request, "practices/contracts/form.html", {"practice": practice, "contract": contract, "form": form})


@login_required
def contract_create(request, slug):
    return _contract_form_page(request, _owned_practice(request, slug))


@login_required
def contract_edit(request, slug, pk):
    practice = _owned_practice(request, slug)
    contract = get_object_or_404(Contract.objects.prefetch_related("documents"), pk=pk, practice=practice)
    contract.practice = practice
    return _contract_form_page(request, practice, contract)


@login_required
def contract_delete(request, slug, pk):
    contract = get_object_or_404(Contract.objects.select_related("practice__coalition"), pk=pk, practice__slug=slug)
    practice = contract.practice
    if not is_confirmed(request):
        if not practice.can_edit(request.user):
            raise PermissionDenied(contracts.OWNERS_ONLY)
        return confirmation_page(
            request,
            question=f"Delete contract {contract.contract_number}?",
            explanation=f"The contract with {contract.supplier} and its documents are removed from "
            f"“{practice.title}” for everyone. Others will no longer find it among contracts they can buy from.",
            button="Delete the contract",
            back_url=f"{practice.get_absolute_url()}#contract-{contract.pk}",
            back_label="Keep it",
        )
    contracts.delete_contract(contract=contract, by=request.user)
    messages.success(request, f"Deleted contract {contract.contract_number}.")
    return redirect(f"{practice.get_absolute_url()}#contracts")


@permissions.signs_in_first
def contract_document(request, slug, pk, document):
    """A contract's stored document, only for those who may see its practice."""
    found = get_object_or_404(ContractDocument.objects.select_related("contract__practice"), pk=document)
    if found.contract_id != pk or found.contract.practice.slug != slug:
        raise Http404("No such document on this contract.")
    practice = _practice_or_404(request, slug)
    if not found.is_file:
        raise Http404("That document is a link, not a stored file.")
    return serve_upload(
        found.file,
        filename=found.name,
        content_type=found.content_type,
        is_public=practice.is_live and practice.is_public,
    )
