import sys

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_POST

from coalitions import permissions
from coalitions.models import Coalition
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.forms import RSVPForm
from meetings.models import RSVP, Meeting
from practices.filters import LONG_FIELDS
from practices.fragments import Rows
from practices.models import FocusArea, Practice
from practices.pagecache import anonymous_page

from . import selectors

HOME_PRACTICES = 6
HOME_MEETINGS = 3


@anonymous_page(also=meeting_selectors.pages_generation)
def home(request):
    """A member's own home (what needs them this week); for someone signed in but in no coalition,
    their pending request or the way to ask; for visitors, what the exchange is and what is new."""
    user = request.user
    rows = Rows()  # before the practices are read (practices.fragments)
    if permissions.is_member(user):
        context = selectors.member_home(user)
        context["new_practices"] = rows.render(context["new_practices"])
        return render(request, "home/member.html", context)
    newest = Practice.objects.published().visible_to(user).select_related("kind", "coalition").defer(*LONG_FIELDS)
    context = {
        "new_practices": rows.render(newest.order_by("-published_at", "-pk")[:HOME_PRACTICES]),
        "next_meetings": Meeting.objects.upcoming().not_cancelled().for_listing(user)[:HOME_MEETINGS],
    }
    if user.is_authenticated:
        return render(request, "home/newcomer.html", {**context, **selectors.newcomer_home(user)})
    context.update(
        focus_areas=FocusArea.objects.order_by("name"),
        coalitions=Coalition.objects.with_member_counts().order_by("name"),
        figures=selectors.partnership_figures(),
    )
    return render(request, "home.html", context)


def bench_floor(request):
    """The benchmarks' floor: one query and a few bytes (mounted only with the BENCH_FLOOR_VIEW setting)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return HttpResponse(f"ok {one}\n", content_type="text/plain")


@require_POST
@login_required
def home_rsvp(request, pk):
    """The home page's one-click answer to a meeting (a plain form: no script needed); back to the
    home page, to that meeting. The service refuses outsiders and closed meetings."""
    meeting = get_object_or_404(Meeting, pk=pk)
    form = RSVPForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Answer yes, maybe or no.")
    else:
        answer = form.cleaned_data["answer"]
        try:
            meeting_services.rsvp(by=request.user, meeting=meeting, answer=answer)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            label = RSVP.Answer(answer).label.lower()
            messages.success(request, f"Thanks — your answer for {meeting.title} is “{label}”.")
    return redirect(f"{reverse('home')}#meeting-{meeting.pk}")


@requires_csrf_token
def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


# How long a visitor is asked to wait when the database cannot be reached (a restart, a failover).
DATABASE_RETRY_AFTER_SECONDS = 10


@requires_csrf_token
def server_error(request):
    """The page for an unhandled exception; a database that cannot be reached is a 503, not a 500.

    Django calls this handler from inside its ``except`` block, wherever the exception came from (a
    view, a template, the session or auth middleware), so ``sys.exc_info()`` is the exception. While
    PostgreSQL restarts or fails over, every request raises ``OperationalError`` (cannot connect) or
    ``InterfaceError`` (a kept connection was cut): that is "try again shortly", said with a 503 and
    ``Retry-After`` so browsers, proxies and API clients know it, and a page that does not blame the
    visitor. ``CONN_HEALTH_CHECKS`` then replaces the dead connection on the next request, in the same
    process. Neither page touches the database.
    """
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = render(request, "errors/503.html", status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    return render(request, "errors/500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", {"reason": reason}, status=403)
