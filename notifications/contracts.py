"""Reminding a contract's owners that it expires: 90 and 30 days before, each exactly once.

The hourly beat task (``tasks.tick_contract_reminders``) calls ``dispatch_contract_reminders``: one
indexed read of the contracts expiring within 90 days (``practices.contracts.due_expiry_reminders``),
one of their coalitions' memberships, one of the keys already claimed, then a pending ``Delivery`` per
owner through ``outbox.queue_email``. The key names the contract, the expiry date it was for, the lead
and the owner, so running the tick twice (or on two machines at once) sends nothing twice, and a
contract whose expiry is pushed back is reminded again before its new date.
"""

from datetime import datetime

from django.utils import timezone

from coalitions.models import Membership
from practices.contracts import due_expiry_reminders

from .mail import reachable_users
from .models import Delivery
from .outbox import queue_email


def reminder_key(*, contract_id: int, expires_on: str, lead: int, user_id: int) -> str:
    return f"contract:{contract_id}:{expires_on}:{lead}:{user_id}"


def dispatch_contract_reminders(*, now: datetime | None = None) -> list[str]:
    """Queue the expiry reminders that are due and not yet sent; returns their keys."""
    today = timezone.localdate(now or timezone.now())
    due = due_expiry_reminders(today=today)
    if not due:
        return []
    coalition_ids = {contract.practice.coalition_id for contract, _ in due}
    admins: dict[int, set[int]] = {}
    members: dict[int, set[int]] = {}
    for coalition_id, user_id, role in Membership.objects.filter(coalition_id__in=coalition_ids).values_list(
        "coalition_id", "user_id", "role"
    ):
        members.setdefault(coalition_id, set()).add(user_id)
        if role == Membership.Role.ADMIN:
            admins.setdefault(coalition_id, set()).add(user_id)
    wanted: dict[str, tuple] = {}
    for contract, lead in due:
        practice = contract.practice
        owners = set(admins.get(practice.coalition_id, ()))
        if practice.author_id in members.get(practice.coalition_id, ()):
            owners.add(practice.author_id)  # the author, while still a member of the coalition
        for user_id in owners:
            key = reminder_key(
                contract_id=contract.pk, expires_on=contract.expires_on.isoformat(), lead=lead, user_id=user_id
            )
            wanted[key] = (contract, lead, user_id)
    wanted_keys = list(wanted)
    claimed = set(Delivery.objects.filter(key__in=wanted_keys).values_list("key", flat=True))
    fresh = [key for key in wanted_keys if key not in claimed]
    users = reachable_users().in_bulk({wanted[key][2] for key in fresh})
    queued = []
    for key in fresh:
        contract, lead, user_id = wanted[key]
        user = users.get(user_id)
        if user is None:  # unverified, bounced or inactive: nobody to tell
            continue
        params = {"contract": contract.pk, "lead": lead, "expires_on": contract.expires_on.isoformat()}
        if queue_email(key=key, kind=Delivery.Kind.CONTRACT, user=user, params=params) is not None:
            queued.append(key)
    return queued
