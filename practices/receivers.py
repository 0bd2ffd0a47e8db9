"""Keeping stored search vectors current when a focus area or tag changes outside a practice's own save.

A practice's ``search_vector`` holds the names of its focus areas and tags. Renaming one (a partnership
admin in the portal or Django admin) or deleting it must rewrite the vectors of the practices that
carry it, or searches keep finding the old name and miss the new one. One UPDATE per change.
"""

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag

from .discovery import words
from .models import DocumentVector, FocusArea, FocusAreaItem, Practice, TaggedPractice
from .services import update_search_vectors

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


def connect() -> None:
    post_delete.connect(forget_deleted_practice, sender=Practice, dispatch_uid="practices-discovery-delete")
    for model in THROUGH:
        uid = f"practices-search-{model._meta.label_lower}"
        pre_save.connect(note_rename, sender=model, dispatch_uid=f"{uid}-pre-save")
        post_save.connect(refresh_after_rename, sender=model, dispatch_uid=f"{uid}-post-save")
        pre_delete.connect(note_tagged_practices, sender=model, dispatch_uid=f"{uid}-pre-delete")
        post_delete.connect(refresh_after_delete, sender=model, dispatch_uid=f"{uid}-post-delete")
