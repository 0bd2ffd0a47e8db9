"""The read API for shared needs: JSON, for signed-in members only.

Needs are partnership-internal (problems and budgets members share with each other before any
vendor hears of them), so unlike public practices nothing here answers without a member's session:
anonymous callers and signed-in non-members get a 403 in JSON, saying why. No CORS header: another site's
page cannot read a member's needs through their browser.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from coalitions import permissions

from .forms import CallFilter, NeedFilter
from .models import Call, Need

API_LIMIT = 100


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _refused(request):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "Sign in as a member of a coalition to read needs."}, status=403)
    if not permissions.is_member(request.user):
        return JsonResponse({"error": "Needs are for members of the partnership's coalitions."}, status=403)
    return None


def need_summary(need: Need) -> dict:
    return {
        "id": need.pk,
        "title": need.title,
        "url": _absolute(need.get_absolute_url()),
        "api_url": _absolute(reverse("calls:api_need_detail", args=[need.pk])),
        "status": need.status,
        "is_shared": need.is_shared,
        "cosigning_coalitions": need.cosigning_coalitions,
        "coalition": {"name": need.coalition.name, "slug": need.coalition.slug},
        "focus_areas": [{"name": a.name, "slug": a.slug} for a in need.focus_areas.all()],
        "government_level": need.government_level or None,
        "budget": need.budget or None,
        "timeframe": need.timeframe or None,
        "created_at": need.created.isoformat(),
    }


@require_GET
def need_list(request):
    """Needs with the list page's filters (``focus_area``, ``government_level``, ``coalition``, ``status``:
    open by default), newest first, at most 100."""
    if refused := _refused(request):
        return refused
    filters = NeedFilter(request.GET or None)
    if request.GET and not filters.is_valid():
        return JsonResponse({"error": "Bad filter.", "fields": filters.errors}, status=400)
    rows = list(filters.filter(Need.objects.all()).for_list()[: API_LIMIT + 1])
    return JsonResponse({"results": [need_summary(n) for n in rows[:API_LIMIT]], "more": len(rows) > API_LIMIT})


@require_GET
def need_detail(request, pk):
    if refused := _refused(request):
        return refused
    need = get_object_or_404(Need.objects.select_related("coalition", "met_by"), pk=pk)
    signatures = need.signatures.select_related("coalition")
    return JsonResponse({
        **need_summary(need),
        "problem_html": need.problem_html,
        "affected_html": need.affected_html,
        "tried_html": need.tried_html,
        "met_by": _absolute(need.met_by.get_absolute_url()) if need.met_by else None,
        "closed_at": need.closed_at.isoformat() if need.closed_at else None,
        "cosigned_by": [
            {"coalition": {"name": s.coalition.name, "slug": s.coalition.slug}, "context": s.context,
             "at": s.created.isoformat()}
            for s in signatures
        ],
    })  # fmt: skip


# --- Calls for solutions ----------------------------------------------------------------------------
# Public calls answer anyone; partnership-only calls only a
# member's session. Submissions, evaluators and scores are never in the API.


def call_summary(call, now) -> dict:
    return {
        "id": call.pk,
        "title": call.title,
        "url": _absolute(call.get_absolute_url()),
        "api_url": _absolute(reverse("calls:api_call_detail", args=[call.pk])),
        "is_public": call.is_public,
        "phase": call.phase_at(now),
        "coalition": {"name": call.coalition.name, "slug": call.coalition.slug},
        "focus_areas": [{"name": a.name, "slug": a.slug} for a in call.focus_areas.all()],
        "government_level": call.government_level or None,
        "time_zone": call.time_zone,
        "opens_at": call.opens_at.isoformat(),
        "closes_at": call.closes_at.isoformat(),
        "evaluation_ends_at": call.evaluation_ends_at.isoformat(),
        "results_at": call.results_at.isoformat(),
    }


@require_GET
def call_list(request):
    """Calls with the list page's filters (``focus_area``, ``government_level``, ``coalition``, ``status``:
    open by default), at most 100: public ones for anyone, partnership-only ones for members too."""
    filters = CallFilter(request.GET or None)
    if request.GET and not filters.is_valid():
        return JsonResponse({"error": "Bad filter.", "fields": filters.errors}, status=400)
    now = timezone.now()
    rows = list(filters.filter(Call.objects.visible_to(request.user), now=now).for_list()[: API_LIMIT + 1])
    return JsonResponse({"results": [call_summary(c, now) for c in rows[:API_LIMIT]], "more": len(rows) > API_LIMIT})


@require_GET
def call_detail(request, pk):
    call = Call.objects.select_related("coalition", "results_practice").filter(pk=pk).first()
    if call is None or not call.can_see(request.user):
        # A partnership-only call is not admitted to exist for anyone outside the partnership.
        return JsonResponse({"error": "No such call, or it is for members of the partnership only."}, status=404)
    criteria = list(call.criteria.all())
    total = sum(c.weight for c in criteria) or 1
    return JsonResponse({
        **call_summary(call, timezone.now()),
        "problem_html": call.problem_html,
        "asks_html": call.asks_html,
        "terms_html": call.terms_html,
        "criteria": [{"name": c.name, "weight": c.weight, "share": round(c.weight / total, 3)} for c in criteria],
        "results": _absolute(call.results_practice.get_absolute_url()) if call.results_practice_id else None,
    })  # fmt: skip
