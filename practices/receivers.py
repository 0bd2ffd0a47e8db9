"""Keeping derived columns current: stored search vectors when a focus area or tag changes outside a
practice's own save, and a practice's adoption and comment counts whenever one of those rows changes.

A practice's ``search_vector`` holds the names of its focus areas and tags. Renaming one (a partnership
admin in the portal or Django admin) or deleting it must rewrite the vectors of the practices that
carry it, or searches keep finding the old name and miss the new one. One UPDATE per change.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag

from .discovery import words
from .models import (
    Adoption,
    AdoptionFile,
    AdoptionOutcome,
    AdoptionStep,
    Attachment,
    Comment,
    Contract,
    ContractDocument,
    DocumentVector,
    FocusArea,
    FocusAreaItem,
    FundingProgram,
    OutcomeMeasure,
    Practice,
    PracticeKind,
    Standard,
    TaggedPractice,
)
from .selectors import forget_listed_counts
from .services import refresh_practice_counters, update_search_vectors

THROUGH = {FocusArea: FocusAreaItem, Tag: TaggedPractice}


def _practice_ids(sender, tag_id):
    return THROUGH[sender].objects.filter(tag_id=tag_id).values("content_object_id")


def note_rename(sender, instance, raw=False, **kwargs):
    # One small query on save only; comparing with the stored row avoids rewriting vectors when just a
    # description changed.
    instance._renamed = bool(
        instance.pk and not raw and not sender.objects.filter(pk=instance.pk, name=instance.name).exists()
    )


def refresh_after_rename(sender, instance, created=False, raw=False, **kwargs):
    if getattr(instance, "_renamed", False):
        update_search_vectors(practice_ids=_practice_ids(sender, instance.pk))
        instance._renamed = False


def note_tagged_practices(sender, instance, **kwargs):
    # The tagging rows are deleted with the tag, so the practices are listed before it goes.
    instance._tagged_practice_ids = list(_practice_ids(sender, instance.pk).values_list("content_object_id", flat=True))


def refresh_after_delete(sender, instance, **kwargs):
    ids = getattr(instance, "_tagged_practice_ids", None)
    if ids:
        update_search_vectors(practice_ids=ids)


def forget_deleted_practice(sender, instance, using="default", **kwargs):
    # Discovery's rows are keyed by id, not foreign keys (they serve any kind of document): removed here.
    words.forget_practice_words(instance.pk, using)
    DocumentVector.objects.using(using).filter(doc_type="practice", doc_id=instance.pk).delete()


def recount_practice(sender, instance, raw=False, **kwargs):
    # Any adoption or comment saved or deleted, by a service, the admin or a fixture: its practice's
    # stored counts follow (one UPDATE). Hiding a comment is a queryset update; its service recounts.
    if not raw:
        refresh_practice_counters(practice_ids=[instance.practice_id])


def listed_practices_changed(sender, raw=False, **kwargs):
    # A practice saved or deleted, its focus areas, tags, adoptions, comments, files or agenda items
    # changed: cached counts and anonymous pages (practices.pagecache) of listed practices go stale.
    # Now, and again at commit: a view between the two would have cached counts without this change.
    if not raw:
        forget_listed_counts()
        transaction.on_commit(forget_listed_counts)


def connect() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(listed_practices_changed, sender=Practice, dispatch_uid=f"practices-listed-{name}")
        signal.connect(listed_practices_changed, sender=FocusAreaItem, dispatch_uid=f"practices-listed-item-{name}")
    m2m_changed.connect(listed_practices_changed, sender=FocusAreaItem, dispatch_uid="practices-listed-m2m")
    m2m_changed.connect(listed_practices_changed, sender=TaggedPractice, dispatch_uid="practices-listed-tags-m2m")
    m2m_changed.connect(
        listed_practices_changed, sender=Practice.funding_programs.through, dispatch_uid="practices-listed-programs-m2m"
    )
    m2m_changed.connect(
        listed_practices_changed, sender=Practice.standards.through, dispatch_uid="practices-listed-standards-m2m"
    )
    # What a practice's page shows beside the practice: its kind, tags (and their names), focus areas'
    # names, adoptions with their steps, files and outcomes, comments, files, contracts, standards, the
    # meetings that present it, and the people and coalitions named. Members are served the page's rows
    # from the shared cache (practices.views.detail), and the member who has just added an outcome must
    # see it. meetings/ sits above this app, so its models are named by label (resolved once that app is
    # loaded), not imported.
    shown = (
        PracticeKind,
        TaggedPractice,
        Tag,
        FocusArea,
        FundingProgram,
        Adoption,
        AdoptionStep,
        AdoptionFile,
        AdoptionOutcome,
        OutcomeMeasure,
        Comment,
        Attachment,
        Contract,
        ContractDocument,
        Standard,
        "coalitions.Coalition",
        "coalitions.Profile",
        "meetings.AgendaItem",
        "meetings.Meeting",
    )
    for model in shown:
        label = model if isinstance(model, str) else model._meta.label_lower
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(listed_practices_changed, sender=model, dispatch_uid=f"practices-shown-{label}-{name}")
    for model in (Adoption, Comment):
        uid = f"practices-counters-{model._meta.label_lower}"
        post_save.connect(recount_practice, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(recount_practice, sender=model, dispatch_uid=f"{uid}-delete")
    post_delete.connect(forget_deleted_practice, sender=Practice, dispatch_uid="practices-discovery-delete")
    for model in THROUGH:
        uid = f"practices-search-{model._meta.label_lower}"
        pre_save.connect(note_rename, sender=model, dispatch_uid=f"{uid}-pre-save")
        post_save.connect(refresh_after_rename, sender=model, dispatch_uid=f"{uid}-post-save")
        pre_delete.connect(note_tagged_practices, sender=model, dispatch_uid=f"{uid}-pre-delete")
        post_delete.connect(refresh_after_delete, sender=model, dispatch_uid=f"{uid}-post-delete")
