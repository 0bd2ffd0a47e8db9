"""Time zones: which one a member sees, and the list they choose from."""

import zoneinfo
from functools import cache

DEFAULT_TIME_ZONE = "America/Chicago"

# US zones first (where our members are), then every other IANA zone.
US_TIME_ZONES = [
    ("America/New_York", "Eastern — New York"),
    ("America/Chicago", "Central — Chicago"),
    ("America/Denver", "Mountain — Denver"),
    ("America/Phoenix", "Mountain, no daylight saving — Phoenix"),
    ("America/Los_Angeles", "Pacific — Los Angeles"),
    ("America/Anchorage", "Alaska — Anchorage"),
    ("Pacific/Honolulu", "Hawaii — Honolulu"),
]


@cache
def _all_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_time_zone(name: str) -> bool:
    return name in _all_zones()


@cache
def time_zone_choices():
    us = {name for name, _ in US_TIME_ZONES}
    others = sorted(z for z in _all_zones() if z not in us and "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("United States", US_TIME_ZONES), ("Other zones", [(z, z.replace("_", " ")) for z in others])]


def effective_time_zone(user) -> str:
    """The member's own zone, else their first coalition's, else the portal default.

    Reads ``user.profile`` and ``user.memberships``; callers that render many users should
    select/prefetch those.
    """
    if not getattr(user, "is_authenticated", False):
        return DEFAULT_TIME_ZONE
    profile = getattr(user, "profile", None)
    if profile is not None and profile.time_zone and is_valid_time_zone(profile.time_zone):
        return profile.time_zone
    return coalition_time_zone(user)


def coalition_time_zone(user) -> str:
    """The zone a member gets when they have not chosen one: their first coalition's, else the default."""
    if not getattr(user, "is_authenticated", False):
        return DEFAULT_TIME_ZONE
    memberships = user.memberships.all()
    if "memberships" not in getattr(user, "_prefetched_objects_cache", {}):
        # One query, not one per coalition: this runs on every signed-in request (the middleware).
        memberships = memberships.select_related("coalition")
    memberships = sorted(memberships, key=lambda m: m.joined)
    for membership in memberships:
        if is_valid_time_zone(membership.coalition.time_zone):
            return membership.coalition.time_zone
    return DEFAULT_TIME_ZONE


def time_zone_label(name: str) -> str:
    """'Mountain — Denver (America/Denver)' for the US zones, the IANA name otherwise."""
    labels = dict(US_TIME_ZONES)
    return f"{labels[name]} ({name})" if name in labels else name.replace("_", " ")
