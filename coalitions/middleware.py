import zoneinfo

from django.utils import timezone

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
