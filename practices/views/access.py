"""Who may see a practice: a 404, a 403, or a redirect to log in for an anonymous visitor."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from coalitions import permissions

from ..models import Practice


def _practice_or_404(request, slug, queryset=None):
    """The practice if ``request.user`` may see it. Anonymous visitors asking for a members-only
    practice are sent to log in; a draft's guessed URL is a 404 (it does not say the draft exists)."""
    practice = get_object_or_404(queryset if queryset is not None else Practice.objects.all(), slug=slug)
    if practice.can_view(request.user):
        return practice
    if practice.is_live and not practice.is_public:
        if not request.user.is_authenticated:
            raise permissions.SignInFirst
        raise PermissionDenied("This practice is shared with members of the partnership's coalitions only.")
    raise Http404("No such practice.")
