"""Similar practices as JSON, for the panel beside the writing form."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .. import selectors
from ..forms import SimilarForm


@require_GET
def similar_json(request):
    """Practices like the one being written: ``?title=…&focus_areas=<slug>…``; visible ones only."""
    form = SimilarForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": [], "errors": form.errors}, status=400)
    results = selectors.similar_practices(
        request.user,
        title=form.cleaned_data["title"],
        focus_area_ids=[a.pk for a in form.cleaned_data["focus_areas"]],
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
                }
                for p in results
            ]
        }
    )
