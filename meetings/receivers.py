"""Renew the meeting pages' generation when what they show changes: a meeting, its agenda, its series, its
files, an answer to it or an invitation. Anonymous visitors' meeting pages and home page are cached under it
(``practices.pagecache``, ``also=selectors.pages_generation``); practices' own changes renew the
listed-practices generation, which keys them too."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .models import RSVP, AgendaItem, Invitee, Meeting, MeetingFile, MeetingSeries
from .selectors import forget_meeting_pages


def meeting_pages_changed(sender, raw=False, **kwargs):
    # Now, and again at commit: a view between the two would cache the page without this change.
    if not raw:
        forget_meeting_pages()
        transaction.on_commit(forget_meeting_pages)


def connect() -> None:
    for model in (Meeting, MeetingSeries, AgendaItem, RSVP, MeetingFile, Invitee):
        label = model._meta.label_lower
        post_save.connect(meeting_pages_changed, sender=model, dispatch_uid=f"meetings-pages-{label}-save")
        post_delete.connect(meeting_pages_changed, sender=model, dispatch_uid=f"meetings-pages-{label}-delete")
