"""Similar practices as JSON, for the panel beside the writing form, asked of ``practices.discovery``."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import SimilarForm


@require_GET
def similar_json(request):
    """``?title=…&summary=…&focus_areas=<slug>…``: practices like the one being written, visible ones
    only, as ``{"results": [{"title", "url", "coalition", "summary", "reason", …}]}``. Empty when
    nothing clears the cutoff."""
    form = SimilarForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": [], "errors": form.errors}, status=400)
    results = selectors.similar_practices(
        request.user,
        title=form.cleaned_data["title"],
        summary=form.cleaned_data["summary"],
        focus_area_slugs=[a.slug for a in form.cleaned_data["focus_areas"]],
    )
    return JsonResponse(
        {
            "results": [
                {
                    "title": p.title,
                    "url": p.get_absolute_url(),
                    "coalition": p.coalition.name,
                    "coalition_short_name": p.coalition.short_name,
                    "jurisdiction": p.jurisdiction,
                    "summary": p.summary[:240],
                    "reason": p.suggestion_reason,
                }
                for p in results
            ]
        }
    )
