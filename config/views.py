from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from coalitions import permissions
from coalitions.models import Coalition, Membership
from meetings.models import Meeting
from practices.models import FocusArea, Practice

HOME_PRACTICES = 6
HOME_MEETINGS = 3
HOME_MEMBERS = 8


def home(request):
    """What is new across the partnership: practices, the next meetings, coalitions and members."""
    user = request.user
    is_member = permissions.is_member(user)
    context = {
        "is_member": is_member,
        "new_practices": Practice.objects.published()
        .visible_to(user)
        .for_list()
        .order_by("-published_at", "-pk")[:HOME_PRACTICES],
        "next_meetings": Meeting.objects.upcoming().not_cancelled().for_listing(user)[:HOME_MEETINGS],
        "focus_areas": FocusArea.objects.order_by("name"),
        "coalitions": Coalition.objects.with_member_counts().order_by("name"),
        # The directory is for members; so are the names of new ones.
        "new_members": Membership.objects.select_related("user__profile", "coalition").order_by("-joined")[
            :HOME_MEMBERS
        ]
        if is_member
        else [],
    }
    return render(request, "home.html", context)


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", {"reason": reason}, status=403)
