from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from coalitions.models import Coalition, Membership


def home(request):
    """What is new across the partnership."""
    context = {
        "coalitions": Coalition.objects.with_member_counts().order_by("name"),
        "new_members": Membership.objects.select_related("user__profile", "coalition").order_by("-joined")[:8]
        if request.user.is_authenticated
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
