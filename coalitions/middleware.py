import zoneinfo
from datetime import timedelta

from django.utils import timezone

from . import services
from .permissions import load_memberships
from .timezones import effective_time_zone


class UserTimezoneMiddleware:
    """Renders every time in the signed-in member's zone (anonymous visitors get the default)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            load_memberships(user)
            timezone.activate(zoneinfo.ZoneInfo(effective_time_zone(user)))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# The session remembers when this browser last had the time written, so a request in between
# reads one session value it already loaded and writes nothing.
LAST_SEEN_EVERY = timedelta(hours=1)
LAST_SEEN_SESSION_KEY = "last_seen_recorded"


def note_visit(request, *, user=None, force: bool = False) -> bool:
    """Record that the signed-in ``user`` (default: ``request.user``) is here, unless this browser
    did so less than ``LAST_SEEN_EVERY`` ago (``force``: whatever the session says, as on signing
    in). Returns whether it wrote."""
    user = user or request.user
    now = timezone.now()
    recorded = request.session.get(LAST_SEEN_SESSION_KEY)
    if not force and isinstance(recorded, int) and 0 <= now.timestamp() - recorded < LAST_SEEN_EVERY.total_seconds():
        return False
    services.record_visit(by=user, now=now)
    request.session[LAST_SEEN_SESSION_KEY] = int(now.timestamp())
    # A profile this request already loaded (the time-zone middleware reads it) learns the new times.
    loaded = user._state.fields_cache.get("profile")
    if loaded is not None:
        loaded.refresh_from_db(fields=["last_seen_at", "previous_visit_at"])
    return True


class LastSeenMiddleware:
    """Keeps each member's last-seen time, written at most once an hour per browser (see ``note_visit``).

    It runs before the view, so the home page reads this visit's ``previous_visit_at``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            note_visit(request)
        return self.get_response(request)
