"""Similar practices: the panel on a practice page and the one beside the writing form, both asked of
``practices.discovery``, which shows only what clears its cutoff and says why each matched."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .. import discovery
from ..forms import SimilarForm
from ..models import Practice

SIMILAR_COUNT = 5


def _with_reasons(suggestions) -> list[Practice]:
    """The suggested practices (discovery fetched them, with their coalition), each with ``suggestion_reason``."""
    practices = []
    for suggestion in suggestions:
        suggestion.practice.suggestion_reason = suggestion.reason
        practices.append(suggestion.practice)
    return practices


def similar_practices(user, *, title, summary="", focus_area_slugs=(), exclude=None, limit=SIMILAR_COUNT):
    """Practices like one being written (title, summary, ticked focus areas) that ``user`` may see."""
    return _with_reasons(
        discovery.suggest(
            title=title,
            summary=summary,
            focus_area_slugs=focus_area_slugs,
            user=user,
            exclude_id=exclude.pk if exclude is not None else None,
            limit=limit,
        )
    )


def practices_like(practice, user, *, focus_area_slugs=(), limit=SIMILAR_COUNT):
    """ "Similar practices" on a practice's page."""
    return _with_reasons(
        discovery.similar_to_practice(practice, focus_area_slugs=focus_area_slugs, user=user, limit=limit)
    )


@require_GET
def similar_json(request):
    """``?title=…&summary=…&focus_areas=<slug>…``: practices like the one being written, visible ones
    only, as ``{"results": [{"title", "url", "coalition", "summary", "reason", …}]}``. Empty when
    nothing clears the cutoff."""
    form = SimilarForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": [], "errors": form.errors}, status=400)
    results = similar_practices(
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
