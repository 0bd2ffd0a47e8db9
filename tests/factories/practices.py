import datetime as dt

import factory
from django.utils import timezone

from practices.models import (
    Adoption,
    Attachment,
    Comment,
    Contract,
    ContractDocument,
    FocusArea,
    Practice,
    PracticeKind,
    Report,
)
from practices.services import update_search_vectors

from .coalitions import CoalitionFactory, UserFactory

__all__ = [
    "AdoptionFactory",
    "AttachmentFactory",
    "CommentFactory",
    "ContractDocumentFactory",
    "ContractFactory",
    "FocusAreaFactory",
    "PracticeFactory",
    "PracticeKindFactory",
    "ReportFactory",
]


class FocusAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FocusArea
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Focus area {n}")
    slug = factory.Sequence(lambda n: f"focus-area-{n}")


class PracticeKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeKind
        django_get_or_create = ("slug",)

    name = "Case study"
    slug = "case-study"


class PracticeFactory(factory.django.DjangoModelFactory):
    """A published, members-only practice. ``focus_areas=[area, …]``, ``tags=["a", …]`` and
    ``funding_programs=[program, …]`` set its tags and programs."""

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    summary = "What we did and what we learned."
    body = "## Background\n\nSome text."
    kind = factory.SubFactory(PracticeKindFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    author = factory.SubFactory(UserFactory)
    status = Practice.Status.PUBLISHED
    visibility = Practice.Visibility.MEMBERS
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def focus_areas(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.focus_areas.set(list(extracted))

    @factory.post_generation
    def funding_programs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.funding_programs.set(list(extracted))

    @factory.post_generation
    def tags(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tags.set(list(extracted))

    @factory.post_generation
    def search_index(obj, create, extracted, **kwargs):
        # What the services do on every save: keep the stored search vector current (PostgreSQL).
        if create:
            update_search_vectors(practice_ids=[obj.pk])


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adoption

    practice = factory.SubFactory(PracticeFactory)
    coalition = factory.SubFactory(CoalitionFactory)
    stage = Adoption.Stage.ADOPTED


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    practice = factory.SubFactory(PracticeFactory)
    author = factory.SubFactory(UserFactory)
    body = "How long did procurement take?"


class AttachmentFactory(factory.django.DjangoModelFactory):
    """A small PDF on a practice."""

    class Meta:
        model = Attachment

    practice = factory.SubFactory(PracticeFactory)
    file = factory.django.FileField(filename="plan.pdf", data=b"%PDF-1.4\n% test file\n%%EOF\n")
    name = "plan.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: o.file.size)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    practice = factory.SubFactory(PracticeFactory)
    reporter = factory.SubFactory(UserFactory)
    reason = Report.Reason.SPAM


class ContractFactory(factory.django.DjangoModelFactory):
    """A cooperative contract open to others now: awarded a year ago, two years left, every box ticked."""

    class Meta:
        model = Contract

    practice = factory.SubFactory(PracticeFactory)
    lead_agency = "State of Colorado"
    lead_agency_kind = Contract.LeadAgencyKind.PUBLIC
    vehicle = Contract.Vehicle.STATE
    contract_number = factory.Sequence(lambda n: f"PA-2025-{n:04d}")
    supplier = "Acme Mobility Inc."
    scope = "Connected signal controllers and their installation."
    awarded_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=730))
    is_competitively_bid = True
    has_cooperative_clause = True
    joining = Contract.Joining.ADDENDUM


class ContractDocumentFactory(factory.django.DjangoModelFactory):
    """A contract's award as a stored PDF (pass ``url=…, file=""`` for a link)."""

    class Meta:
        model = ContractDocument

    contract = factory.SubFactory(ContractFactory)
    kind = ContractDocument.Kind.AWARD
    file = factory.django.FileField(filename="award.pdf", data=b"%PDF-1.4\n% award\n%%EOF\n")
    name = "award.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: o.file.size if o.file else None)
