"""Cooperative contracts on a practice: the writes (services), the diligence checklist, and the reads
the pages, the API and the expiry reminders share.

A practice's contracts are owned by those who manage the practice (``Practice.can_edit``: its author
while a member, the sharing coalition's admins, partnership admins). Every write here checks that
actor, runs in one transaction, and leaves nothing half-saved: a document that fails its check aborts
the whole save, and files already stored are removed.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, Q

from coalitions.models import Membership
from coalitions.timefmt import format_when_day

from .models import CONTRACT_NUMBER_MAX_LENGTH, Contract, ContractDocument, Practice
from .uploads import validate_upload

# Fields a contract form may set; anything else in ``data`` is ignored.
CONTRACT_FIELDS = (
    "lead_agency",
    "lead_agency_kind",
    "vehicle",
    "program",
    "contract_number",
    "supplier",
    "scope",
    "awarded_on",
    "expires_on",
    "is_competitively_bid",
    "has_cooperative_clause",
    "joining",
)
# Owners hear of an expiry this many days before it, once each (the nearest lead that has come).
REMINDER_LEADS_DAYS = (90, 30)
EXPIRES_SOON_DAYS = 90
# Documents in the order a procurement office reads them.
DOCUMENT_ORDER = list(ContractDocument.Kind.values)

OWNERS_ONLY = "Only the practice's author and its coalition's admins can change its contracts."
EXPIRY_BEFORE_AWARD = "The expiry date must be on or after the award date."
NUMBER_TOO_LONG = f"A contract number has at most {CONTRACT_NUMBER_MAX_LENGTH} characters; this one has %(length)s."


# --- The diligence checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One question a buyer's procurement office asks, answered from the contract's data."""

    key: str
    label: str
    ok: bool
    detail: str


def diligence_checklist(contract: Contract, *, today: date) -> list[Check]:
    """What a buyer's procurement office will ask of ``contract``, each item met or flagged with why.

    Reads ``contract.documents.all()`` (prefetch it for a list: ``contracts_for_page``)."""
    kinds = {d.kind for d in contract.documents.all()}
    missing = [label.lower() for value, label in ContractDocument.Kind.choices if value not in kinds]
    if contract.awarded_on > today:
        term = Check("term", "Active term", False, f"Starts {format_when_day(contract.awarded_on)}.")
    elif contract.expires_on < today:
        term = Check("term", "Active term", False, f"Expired {format_when_day(contract.expires_on)}.")
    else:
        days = (contract.expires_on - today).days
        term = Check("term", "Active term", True, f"Runs until {format_when_day(contract.expires_on)} ({days} days).")
    closed = contract.joining == Contract.Joining.CLOSED
    return [
        term,
        Check(
            "bid",
            "Competitively bid",
            contract.is_competitively_bid,
            "Awarded through a competitive solicitation."
            if contract.is_competitively_bid
            else "Not stated: a buyer must show the award was competed (or run its own solicitation).",
        ),
        Check(
            "lead",
            "Public lead agency",
            contract.lead_agency_kind == Contract.LeadAgencyKind.PUBLIC,
            f"{contract.lead_agency} is {contract.get_lead_agency_kind_display().lower()}."
            if contract.lead_agency_kind == Contract.LeadAgencyKind.PUBLIC
            else f"{contract.lead_agency} is {contract.get_lead_agency_kind_display().lower()}: many buyers "
            "may only join contracts a public agency competed.",
        ),
        Check(
            "cooperative",
            "Cooperative language present",
            contract.has_cooperative_clause and not closed,
            (
                "Not open to other public bodies."
                if closed
                else f"Others join {contract.get_joining_display().lower()}."
                if contract.has_cooperative_clause
                else "Not confirmed: the solicitation or award must name other public bodies as eligible users."
            ),
        ),
        Check(
            "documents",
            "Documents attached",
            not missing,
            "Solicitation, award and pricing are attached." if not missing else f"Missing: {', '.join(missing)}.",
        ),
    ]


# --- Reads -----------------------------------------------------------------------------------------


@dataclass
class ContractView:
    """A contract as a page or the API shows it: the row, its checklist and its state on ``today``."""

    contract: Contract
    checklist: list[Check]
    is_expired: bool
    is_open: bool
    expires_soon: bool
    documents: list[ContractDocument]

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checklist if not c.ok]


def contracts_for_page(practice: Practice, *, today: date) -> list[ContractView]:
    """The practice's contracts, open ones first, each with its documents and checklist (two queries)."""
    rows = practice.contracts.prefetch_related(Prefetch("documents", queryset=ContractDocument.objects.all()))
    views = []
    for contract in rows:
        contract.practice = practice  # document links read its slug
        views.append(
            ContractView(
                contract=contract,
                checklist=diligence_checklist(contract, today=today),
                is_expired=contract.is_expired_on(today),
                is_open=contract.is_open_on(today),
                expires_soon=today <= contract.expires_on < today + timedelta(days=EXPIRES_SOON_DAYS),
                documents=sorted(contract.documents.all(), key=lambda d: DOCUMENT_ORDER.index(d.kind)),
            )
        )
    views.sort(key=lambda v: (not v.is_open, v.is_expired, v.contract.expires_on))
    return views


def contract_owner_ids(practice: Practice) -> set[int]:
    """Who is reminded of an expiry: the author while still a member, and the coalition's admins."""
    return set(
        Membership.objects.filter(coalition_id=practice.coalition_id, user__is_active=True)
        .filter(Q(role=Membership.Role.ADMIN) | Q(user_id=practice.author_id))
        .values_list("user_id", flat=True)
    )


def due_expiry_reminders(*, today: date) -> list[tuple[Contract, int]]:
    """Contracts whose expiry is within the longest lead, each with the nearest lead that has come
    (a contract entered 20 days before expiry gets the 30-day reminder only, never a late 90-day one)."""
    leads = sorted(REMINDER_LEADS_DAYS)
    rows = (
        Contract.objects.expiring_between(today, today + timedelta(days=leads[-1]))
        .select_related("practice__coalition")
        .order_by("expires_on", "pk")
    )
    due = []
    for contract in rows:
        days_left = (contract.expires_on - today).days
        due.append((contract, next(lead for lead in leads if days_left <= lead)))
    return due


# --- Writes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentChange:
    """What a form says about one kind of document: a new file, a new link, or removing it."""

    upload: UploadedFile | None = None
    url: str = ""
    remove: bool = False


def _check_documents(documents: Mapping[str, DocumentChange]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    content_types = {}
    for kind, change in documents.items():
        if kind not in ContractDocument.Kind.values:
            raise ValidationError(f"Unknown kind of document: {kind}.")
        if change.upload and change.url:
            errors.setdefault(f"{kind}_file", []).append("Give a file or a link, not both.")
        elif change.upload:
            try:
                content_types[kind] = validate_upload(change.upload)
            except ValidationError as exc:
                errors.setdefault(f"{kind}_file", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return content_types


def _clean_contract(contract: Contract) -> None:
    number = contract.contract_number or ""
    if len(number) > CONTRACT_NUMBER_MAX_LENGTH:
        raise ValidationError({"contract_number": [NUMBER_TOO_LONG % {"length": f"{len(number):,}"}]})
    if contract.awarded_on and contract.expires_on and contract.expires_on < contract.awarded_on:
        raise ValidationError({"expires_on": [EXPIRY_BEFORE_AWARD]})
    contract.full_clean(exclude=["practice", "created_by"])


def _save_documents(contract: Contract, documents, content_types, stored: list, replaced: list) -> None:
    existing = {d.kind: d for d in contract.documents.all()}
    for kind, change in documents.items():
        old = existing.get(kind)
        if not (change.upload or change.url or change.remove):
            continue
        if old is not None:
            if old.file:
                replaced.append(old.file)
            old.delete()
        if change.remove and not (change.upload or change.url):
            continue
        document = ContractDocument(contract=contract, kind=kind)
        if change.upload:
            document.name = change.upload.name.rsplit("/", 1)[-1][:255]
            document.content_type = content_types[kind]
            document.size = change.upload.size
            document.file.save(change.upload.name, change.upload, save=False)
            stored.append(document.file)
        else:
            document.url = change.url
        document.full_clean(exclude=["contract", "file"])
        document.save()


def _save_contract(contract: Contract, *, data: dict, documents: Mapping[str, DocumentChange]) -> Contract:
    for name in CONTRACT_FIELDS:
        if name in data:
            setattr(contract, name, data[name])
    _clean_contract(contract)
    content_types = _check_documents(documents)
    stored, replaced = [], []
    try:
        with transaction.atomic():
            contract.save()
            _save_documents(contract, documents, content_types, stored, replaced)
            # Files replaced or removed go once the rows' change is committed, never before.
            for field_file in replaced:
                transaction.on_commit(lambda f=field_file: f.storage.delete(f.name))
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
    return contract


def add_contract(
    *, practice: Practice, by, data: dict, documents: Mapping[str, DocumentChange] | None = None
) -> Contract:
    """``by`` lists a contract others can buy from on ``practice``, with its source documents.

    ``data`` holds ``CONTRACT_FIELDS``; ``documents`` maps a ``ContractDocument.Kind`` to its file or
    link. Raises ``PermissionDenied`` unless ``by`` manages the practice, ``ValidationError`` for an
    expiry before the award, an over-long number or a refused file.
    """
    if not practice.can_edit(by):
        raise PermissionDenied(OWNERS_ONLY)
    return _save_contract(Contract(practice=practice, created_by=by), data=data, documents=documents or {})


def update_contract(
    *, contract: Contract, by, data: dict, documents: Mapping[str, DocumentChange] | None = None
) -> Contract:
    """``by`` changes a contract's fields and replaces, adds or removes its documents."""
    if not contract.practice.can_edit(by):
        raise PermissionDenied(OWNERS_ONLY)
    return _save_contract(contract, data=data, documents=documents or {})


def delete_contract(*, contract: Contract, by) -> None:
    """Remove a contract and its documents; stored files go once the deletion is committed."""
    if not contract.practice.can_edit(by):
        raise PermissionDenied(OWNERS_ONLY)
    files = [d.file for d in contract.documents.all() if d.file]
    with transaction.atomic():
        contract.delete()
        for field_file in files:
            transaction.on_commit(lambda f=field_file: f.storage.delete(f.name))
