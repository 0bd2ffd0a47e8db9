"""The portal's tables as digests, to prove that a refused request left every row as it was."""

import hashlib

from django.apps import apps

# Sessions and the admin log are left out: logging in writes the one, and nothing in the portal
# writes the other.
SNAPSHOT_APPS = ("auth", "account", "taggit", "coalitions", "practices", "meetings", "calls", "notifications")
# Bookkeeping that any signed-in request may write (the home page's "since your last visit"), not content.
LEFT_OUT = {"coalitions.Profile": ("last_seen_at", "previous_visit_at")}


def snapshot() -> dict[str, str]:
    """A digest of every row of the portal's tables, one per table: equal digests, nothing changed."""
    state = {}
    for app_label in SNAPSHOT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            left_out = LEFT_OUT.get(model._meta.label, ())
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in left_out]
            rows = model._base_manager.order_by("pk").values_list(*fields)
            # PostgreSQL gives binary columns as memoryviews, whose repr is their address: compare bytes.
            rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in rows]
            state[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
