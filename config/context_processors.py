from functools import cached_property

from django.conf import settings

from coalitions import permissions


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, "header": HeaderCounts(request)}


class HeaderCounts:
    """What the header counts for the signed-in person, read only when the header asks.

    ``join_requests``: requests waiting for a coalition admin's decision in the coalitions they run,
    read from the memberships the middleware loaded for the request (``permissions.load_memberships``
    annotates them): no query of its own. Partnership admins, who may decide for every coalition, see
    them all on their home page instead.
    """

    def __init__(self, request):
        self.user = getattr(request, "user", None)

    @cached_property
    def join_requests(self) -> int:
        if self.user is None or not self.user.is_authenticated or not permissions.admin_coalition_ids(self.user):
            return 0
        return sum(getattr(m, "pending_join_requests", 0) for m in self.user.memberships.all() if m.is_admin)
