"""Time zones: which one a member sees, and the list they choose from."""

import zoneinfo
from functools import cache
from importlib import resources

DEFAULT_TIME_ZONE = "America/Chicago"

# Offered first, in their own group: where the partnership's members are (Arizona first).
US_TIME_ZONES = [
    ("America/Phoenix", "Mountain, no daylight saving — Phoenix"),
    ("America/Denver", "Mountain — Denver"),
    ("America/Chicago", "Central — Chicago"),
    ("America/New_York", "Eastern — New York"),
    ("America/Los_Angeles", "Pacific — Los Angeles"),
    ("America/Anchorage", "Alaska — Anchorage"),
    ("Pacific/Honolulu", "Hawaii — Honolulu"),
]
LIKELY_GROUP = "Most used in the partnership"
OTHER_GROUP = "Other zones"


@cache
def _all_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_valid_time_zone(name: str) -> bool:
    """Any zone Python can load, old aliases included: stored values keep working."""
    return name in _all_zones()


def _tzdata_file(name: str) -> str:
    return resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")


@cache
def current_zones() -> frozenset[str]:
    """The zones people should pick from: the IANA database's ``zone.tab``, as shipped in the
    ``tzdata`` package (the PSF's packaging of each IANA release), plus UTC.

    ``zone.tab`` names one zone per country region in current use, so the backward-compatibility
    links (``Africa/Asmera``, ``US/Arizona``, ``Etc/GMT+7``…) that ``available_timezones()`` also
    lists are left out, while a country's own zone (``Europe/Oslo``) stays in. Only names this
    machine can load are kept."""
    listed = {line.split("\t")[2] for line in _tzdata_file("zone.tab").splitlines() if line and line[0] != "#"}
    return frozenset((listed | {"UTC"}) & _all_zones())


@cache
def _links() -> dict[str, str]:
    """Alias → zone, from the ``L target alias`` lines of the IANA compiled source ``tzdata.zi``."""
    links = {}
    for line in _tzdata_file("tzdata.zi").splitlines():
        if line.startswith("L "):
            _, target, alias = line.split()
            links[alias] = target
    return links


def current_time_zone(name: str) -> str:
    """``name`` if the list offers it, else the current zone an old alias stands for
    (``US/Arizona`` → ``America/Phoenix``), so a form shows a stored alias as chosen; "" if neither."""
    if not name or name in current_zones():
        return name
    target = _links().get(name, "")
    return target if target in current_zones() else ""


@cache
def time_zone_choices():
    """Grouped choices: the partnership's usual zones, then every other current zone by name."""
    likely = {name for name, _ in US_TIME_ZONES}
    others = sorted(current_zones() - likely)
    return [(LIKELY_GROUP, US_TIME_ZONES), (OTHER_GROUP, [(z, z.replace("_", " ")) for z in others])]


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
