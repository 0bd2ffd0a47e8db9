"""Demo email preferences: defaults for everyone, a monthly reader and a focused one. Idempotent."""

from practices.models import FocusArea

from .models import Preference
from .services import preference_for, reschedule_digest


def seed(*, people, stdout):
    preferences = {user.pk: preference_for(user) for user in people.everyone}
    created_variants = 0
    # Two variations so a newcomer sees the options at work: a monthly digest, and narrower focus areas.
    variants = [m[0] for m in people.members.values()][:2]
    if variants:
        monthly = preferences[variants[0].pk]
        if monthly.digest_frequency == Preference.Frequency.WEEKLY and not monthly.last_digest_sent_at:
            monthly.digest_frequency = Preference.Frequency.MONTHLY
            monthly.save(update_fields=["digest_frequency", "updated"])
            reschedule_digest(preference=monthly, user=variants[0])
            created_variants += 1
    if len(variants) > 1:
        focused = preferences[variants[1].pk]
        areas = list(FocusArea.objects.order_by("name")[:2])
        if areas and not focused.focus_areas.exists():
            focused.focus_areas.set(areas)
            created_variants += 1
    stdout.write(f"Email preferences: {len(preferences)} members ({created_variants} variations set).")
    return preferences
