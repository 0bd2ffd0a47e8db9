"""A read-only JSON API for coalitions' own sites: the same filters and search as the list page.

Public practices need no login; a signed-in member's session also sees members-only ones.
Plain ``JsonResponse``; errors are JSON too.
"""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from .filters import PracticeFilter, listed_practices
from .models import Practice, highlight_html

API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _json(data, *, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Other sites may read public data from a browser; credentials are never sent with "*",
    # so members-only practices stay behind the member's own session on this site.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def practice_summary(practice: Practice) -> dict:
    return {
        "title": practice.title,
        "slug": practice.slug,
        "url": _absolute(practice.get_absolute_url()),
        "api_url": _absolute(reverse("practices:api_detail", args=[practice.slug])),
        "summary": practice.summary,
        "kind": practice.kind.name,
        "maturity": practice.maturity,
        "jurisdiction": practice.jurisdiction,
        "funding_source": practice.funding_source or None,
        "coalition": {"name": practice.coalition.name, "slug": practice.coalition.slug},
        "focus_areas": [{"name": a.name, "slug": a.slug} for a in practice.focus_areas.all()],
        "tags": [t.name for t in practice.tags.all()],
        "visibility": practice.visibility,
        "published_at": practice.published_at.isoformat() if practice.published_at else None,
        "updated_at": practice.updated.isoformat(),
        "adoption_count": getattr(practice, "adoption_count", None),
    }


def _list_item(practice: Practice) -> dict:
    # Searches add a highlighted snippet of where the words matched (PostgreSQL only).
    headline = getattr(practice, "headline", "")
    return {**practice_summary(practice), "headline_html": str(highlight_html(headline)) if headline else None}


def _page_link(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = number
    return _absolute(f"{request.path}?{params.urlencode()}")


@require_GET
def practice_list(request):
    filterset = PracticeFilter(request.GET or None, queryset=listed_practices(request.user))
    if filterset.is_bound and not filterset.form.is_valid():
        return _json({"detail": "Invalid filter.", "errors": filterset.form.errors}, status=400)
    try:
        size = min(max(int(request.GET.get("page_size", API_PAGE_SIZE)), 1), API_MAX_PAGE_SIZE)
    except ValueError:
        return _json({"detail": "page_size must be a number."}, status=400)
    paginator = Paginator(filterset.sorted_queryset(), size)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return _json({"detail": "page must be a number."}, status=400)
    except EmptyPage:
        return _json({"detail": "No such page.", "pages": paginator.num_pages}, status=404)
    return _json(
        {
            "count": paginator.count,
            "pages": paginator.num_pages,
            "next": _page_link(request, page.next_page_number()) if page.has_next() else None,
            "previous": _page_link(request, page.previous_page_number()) if page.has_previous() else None,
            "results": [_list_item(p) for p in page.object_list],
        }
    )


@require_GET
def practice_detail(request, slug):
    practice = (
        Practice.objects.published()
        .visible_to(request.user)
        .for_list()
        .prefetch_related("attachments", "adoptions__coalition")
        .filter(slug=slug)
        .first()
    )
    if practice is None:
        return _json({"detail": "Not found."}, status=404)
    return _json(
        {
            **practice_summary(practice),
            "body": practice.body,
            "body_html": str(practice.body_html),
            "attachments": [
                {
                    "name": a.name,
                    "size": a.size,
                    "content_type": a.content_type,
                    "url": _absolute(a.get_absolute_url()),
                }
                for a in practice.attachments.all()
            ],
            "adoptions": [
                {"coalition": a.coalition.name, "stage": a.stage, "since": a.created.isoformat()}
                for a in practice.adoptions.all()
            ],
        }
    )
