"""Renew the members' homes' generation (``selectors.forget_member_homes``) when what a home shows changes
outside practices and meetings, whose own generations key it too: a join request, a membership, an
invitation to a meeting, the focus areas a member follows. config sits above every app, so it may listen
to all of them."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from coalitions.models import JoinRequest, Membership
from meetings.models import Invitee
from notifications.models import Preference

from .selectors import forget_member_homes


def member_homes_changed(sender, raw=False, **kwargs):
    # Now, and again at commit: a home read between the two would keep the page without this change.
    if not raw:
        forget_member_homes()
        transaction.on_commit(forget_member_homes)


def connect() -> None:
    for model in (JoinRequest, Membership, Invitee, Preference):
        label = model._meta.label_lower
        post_save.connect(member_homes_changed, sender=model, dispatch_uid=f"config-homes-{label}-save")
        post_delete.connect(member_homes_changed, sender=model, dispatch_uid=f"config-homes-{label}-delete")
    m2m_changed.connect(
        member_homes_changed, sender=Preference.focus_areas.through, dispatch_uid="config-homes-followed-areas"
    )
