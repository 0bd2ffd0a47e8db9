"""A read-only JSON API for coalitions' own sites: the same filters and search as the list page.

Public practices need no login; a signed-in member's session also sees members-only ones.
Plain ``JsonResponse``; errors are JSON too. An answer is the same for every reader of one audience
(visitors, members), so each is kept in the shared cache for its audience (``practices.pagecache``).
"""

from functools import wraps

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import discovery, selectors
from .contracts import ContractView, contracts_for_page
from .filters import LONG_FIELDS, PracticeFilter, listed_practices
from .models import Practice, highlight_html
from .pagecache import anonymous_page, for_this_reader
from .pagination import COUNT_LIMIT, paginate

API_PAGE_SIZE = 20
API_MAX_PAGE_SIZE = 100


def _api_practices(user):
    # The list pages show no funding programs; the API does, so only it pays for their prefetch.
    # Nor the body or the search vector (kilobytes a row): the list items leave them out. Focus areas and
    # tags come as plain names (selectors.attach_row_labels), not through taggit's prefetch.
    return listed_practices(user).prefetch_related(None).prefetch_related("funding_programs").defer(*LONG_FIELDS)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _json(data, *, status=200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _open_to_other_sites(view):
    """Other sites may read public data from a browser; credentials are never sent with "*", so
    members-only practices stay behind the member's own session on this site. Outside the page cache,
    which keeps a page's body and type only."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


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
        "government_level": practice.government_level or None,
        "funding_source": practice.funding_source or None,
        "funding_programs": [{"name": f.name, "slug": f.slug} for f in practice.funding_programs.all()],
        "coalition": {"name": practice.coalition.name, "slug": practice.coalition.slug},
        "focus_areas": [{"name": a["name"], "slug": a["slug"]} for a in _labels(practice, "row_areas", "focus_areas")],
        "tags": [t["name"] for t in _labels(practice, "row_tags", "tags")],
        "visibility": practice.visibility,
        "published_at": practice.published_at.isoformat() if practice.published_at else None,
        "updated_at": practice.updated.isoformat(),
        # Coalitions using it (stopped ones left out), and of those the ones their admins confirmed.
        "adoption_count": getattr(practice, "adoption_count", None),
        "confirmed_adoption_count": getattr(practice, "confirmed_adoption_count", None),
    }


def _labels(practice: Practice, attached: str, manager: str) -> list[dict]:
    """A practice's focus areas or tags as names and slugs: attached to a list's practices in two queries
    (``selectors.attach_row_labels``), else read from the (prefetched) relation."""
    if hasattr(practice, attached):
        return getattr(practice, attached)
    return [{"name": label.name, "slug": label.slug} for label in getattr(practice, manager).all()]


def _list_item(practice: Practice) -> dict:
    # Searches add a highlighted snippet of where the words matched (PostgreSQL only).
    headline = getattr(practice, "headline", "")
    return {**practice_summary(practice), "headline_html": str(highlight_html(headline)) if headline else None}


def _with_labels(practices) -> list[Practice]:
    practices = list(practices)
    selectors.attach_row_labels(practices)
    return practices


def _page_link(request, changes: dict) -> str | None:
    """This URL with the page parameters of ``changes`` set (None removes one): a page number or a cursor."""
    if not changes:
        return None
    params = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return _absolute(f"{request.path}?{params.urlencode()}")


PAGE_SIZE_ERROR = {
    "detail": f"page_size must be a whole number from 1 to {API_MAX_PAGE_SIZE}.",
    "page_size": {"min": 1, "max": API_MAX_PAGE_SIZE, "default": API_PAGE_SIZE},
}


def page_size(raw: str | None) -> int | None:
    """The page size a client asked for: the default when absent, ``None`` when it is not a whole
    number from 1 to ``API_MAX_PAGE_SIZE`` (the list answers 400 with the range: a client asking for
    1000 must learn that it gets 100, not be cut short silently)."""
    if raw is None or raw == "":
        return API_PAGE_SIZE
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3):
        return None
    size = int(raw)
    return size if 1 <= size <= API_MAX_PAGE_SIZE else None


@require_GET
@_open_to_other_sites
@anonymous_page(members=True)
def practice_list(request):
    filterset = PracticeFilter(request.GET or None, queryset=_api_practices(request.user))
    if filterset.is_bound and not filterset.form.is_valid():
        return _json({"detail": "Invalid filter.", "errors": filterset.form.errors}, status=400)
    size = page_size(request.GET.get("page_size"))
    if size is None:
        return _json(PAGE_SIZE_ERROR, status=400)
    try:
        page = paginate(
            filterset.sorted_queryset(),
            per_page=size,
            page=request.GET.get("page", 1),
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            strict=True,
        )
    except ValueError:
        return _json(
            {"detail": "page must be a number, and after/before a cursor from a next or previous link."}, status=400
        )
    except IndexError:
        detail = f"No such page. Page numbers reach the first {COUNT_LIMIT:,} practices; past them, follow next links."
        return _json({"detail": detail}, status=404)
    return _json(
        {
            # At most COUNT_LIMIT: "count_capped" says there are more (counting them all costs a scan).
            "count": page.count,
            "count_capped": not page.count_is_exact,
            "pages": page.num_pages,
            "next": _page_link(request, page.next_query),
            "previous": _page_link(request, page.previous_query),
            "results": [_list_item(p) for p in _with_labels(page.object_list)],
            **_related_by_meaning(request, filterset, page),
        }
    )


def _related_by_meaning(request, filterset, page) -> dict:
    """With ``q``, the first page also lists the practices that match by meaning only, as the search page
    does (discovery's ranking, its cutoff): ``related_by_meaning``, after the word matches in ``results``."""
    q = filterset.search_text
    if not q or page.number != 1:
        return {}
    base = filterset.filter_queryset_without_search(_api_practices(request.user))
    return {
        "related_by_meaning": [
            practice_summary(p) for p in _with_labels(discovery.meaning_matches(q, queryset=base, exclude=filterset.qs))
        ]
    }


def adoption_story(adoption) -> dict:
    """One adoption for the API: what the page shows everyone, less the contact."""
    return {
        "coalition": adoption.coalition.name,
        "coalition_slug": adoption.coalition.slug,
        "stage": adoption.stage,
        "confirmation": adoption.confirmation,
        "confirmed_at": adoption.confirmed_at.isoformat() if adoption.confirmed_at else None,
        "jurisdiction": adoption.jurisdiction,
        "government_level": adoption.government_level or None,
        "what_changed": adoption.notes,
        "why": adoption.reason,
        "outcome_note": adoption.outcome,
        "stopped_reason": adoption.stopped_reason if adoption.stage == adoption.Stage.STOPPED else None,
        "outcomes": [
            {
                "measure": figure.measure.slug,
                "name": figure.measure.name,
                "unit": figure.measure.unit,
                "value": float(figure.value),
            }
            for figure in adoption.figures
        ],
        "evidence_links": adoption.evidence_link_list,
        "evidence_files": [
            {
                "name": file.name,
                "size": file.size,
                "url": _absolute(reverse("practices:adoption_file", args=[adoption.practice.slug, file.pk])),
            }
            for file in adoption.evidence
        ],
        "started_on": adoption.started_on.isoformat() if adoption.started_on else None,
        "timeline": [
            {"stage": step.stage, "on": step.on.isoformat(), "reason": step.reason} for step in adoption.timeline
        ],
        "since": adoption.created.isoformat(),
    }


@require_GET
@_open_to_other_sites
@anonymous_page(members=True)
def practice_detail(request, slug):
    practice = (
        Practice.objects.published()
        .visible_to(request.user)
        .select_related("kind", "coalition", "based_on")
        .prefetch_related("attachments", "standards", "funding_programs")
        .defer("search_vector")
        .filter(slug=slug)
        .first()
    )
    if practice is None:
        return _json({"detail": "Not found."}, status=404)
    _with_labels([practice])
    based_on = practice.based_on if practice.based_on and practice.based_on.can_view(request.user) else None
    adaptations = (
        Practice.objects.published()
        .visible_to(request.user)
        .filter(based_on=practice)
        .order_by("-published_at", "-pk")[:ADAPTATIONS_LISTED]
    )
    answer = _json(
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
            # Adoption stories, confirmed first; never the contact person (members see them on the page).
            "adoptions": [adoption_story(a) for a in selectors.adoption_stories(practice)["adoptions"]],
            "running": {
                "maintained_by": practice.maintained_by or None,
                "maintained_until": practice.maintained_until.isoformat() if practice.maintained_until else None,
                "dependencies": practice.dependencies,
                "standards": [{"name": s.name, "slug": s.slug} for s in practice.standards.all()],
                "software_license": practice.software_license or None,
                "based_on": _practice_link(based_on) if based_on else None,
                "adaptations": [_practice_link(p) for p in adaptations],
            },
            "contracts": [_contract(item) for item in contracts_for_page(practice, today=timezone.localdate())],
        }
    )
    # An original that is not live is named only to those who manage it: not an answer for every member.
    return for_this_reader(answer) if based_on is not None and not based_on.is_live else answer


ADAPTATIONS_LISTED = 50


def _practice_link(practice: Practice) -> dict:
    return {
        "title": practice.title,
        "slug": practice.slug,
        "url": _absolute(practice.get_absolute_url()),
        "api_url": _absolute(reverse("practices:api_detail", args=[practice.slug])),
    }


def _contract(item: ContractView) -> dict:
    contract = item.contract
    return {
        "lead_agency": contract.lead_agency,
        "lead_agency_kind": contract.lead_agency_kind,
        "vehicle": contract.vehicle,
        "program": contract.program or None,
        "contract_number": contract.contract_number,
        "supplier": contract.supplier,
        "scope": contract.scope,
        "awarded_on": contract.awarded_on.isoformat(),
        "expires_on": contract.expires_on.isoformat(),
        "is_competitively_bid": contract.is_competitively_bid,
        "has_cooperative_clause": contract.has_cooperative_clause,
        "joining": contract.joining,
        "is_expired": item.is_expired,
        "can_buy_now": item.is_open,
        "checklist": [{"item": c.key, "label": c.label, "ok": c.ok, "detail": c.detail} for c in item.checklist],
        "documents": [
            {
                "kind": d.kind,
                "url": _absolute(d.get_absolute_url()) if d.is_file else d.url,
                "is_file": d.is_file,
                "name": d.name or None,
                "size": d.size,
            }
            for d in item.documents
        ],
    }
