"""Finding practices: the list and search, one focus area or tag, the focus areas, my practices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from .. import discovery, selectors
from ..filters import PracticeFilter, listed_practices
from ..models import FocusArea, Practice, has_search_words

PAGE_SIZE = 50
# "1,000+ members-only practices also match": counting further would cost as much as the search.
MEMBERS_ONLY_COUNT_LIMIT = 1000


def browse(request, *, queryset=None, fixed=()):
    """Apply the filters, sort and page number in ``request.GET``; returns (filterset, page).

    ``?page=abc`` shows the first page and ``?page=9999`` the last (``Paginator.get_page``).
    """
    filterset = PracticeFilter(
        request.GET or None,
        queryset=queryset if queryset is not None else listed_practices(request.user),
        fixed=fixed,
    )
    page = Paginator(filterset.sorted_queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
    return filterset, page


def _search_extras(request, filterset, page, base, members_only) -> dict:
    """What a search page adds after its word matches: practices that match by meaning only (on the
    last page, labelled), and for a visitor who is not signed in, how many members-only practices
    matched too (never which)."""
    q = filterset.search_text
    if not q or not has_search_words(q):
        return {}
    extras = {}
    if not page.has_next():
        extras["meaning_matches"] = discovery.meaning_matches(
            q, queryset=filterset.filter_queryset_without_search(base), exclude=filterset.qs
        )
    if not request.user.is_authenticated:
        members_only = filterset.filter_queryset(members_only)
        extras["members_only_count"] = members_only.count_up_to(MEMBERS_ONLY_COUNT_LIMIT)
        extras["members_only_limit"] = MEMBERS_ONLY_COUNT_LIMIT
    return extras


def _render_browse(request, template, *, queryset=None, fixed=(), members_only=None, **context):
    """``members_only``: the members-only practices this page would list to a member (for the count an
    anonymous visitor sees); all of them unless the page is narrowed to a focus area or tag."""
    filterset, page = browse(request, queryset=queryset, fixed=fixed)
    base = queryset if queryset is not None else listed_practices(request.user)
    if members_only is None:
        members_only = Practice.objects.published().members_only()
    context.update(_search_extras(request, filterset, page, base, members_only))
    if filterset.search_was_truncated:
        messages.info(request, "That search was long, so we used its first 200 characters.")
    elif filterset.raw_search.strip() and not has_search_words(filterset.search_text):
        messages.info(request, "Searches need at least one letter or number.")
    page_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(request, template, {"filterset": filterset, "page_obj": page, "page_range": page_range, **context})


def practice_list(request):
    return _render_browse(request, "practices/list.html")


def focus_area(request, slug):
    area = get_object_or_404(FocusArea, slug=slug)
    queryset = listed_practices(request.user).in_focus_area(area.slug)
    members_only = Practice.objects.published().members_only().in_focus_area(area.slug)
    return _render_browse(
        request, "practices/list.html", queryset=queryset, fixed=["focus_area"], members_only=members_only, area=area
    )


def tag_detail(request, slug):
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query; no tag has one
        raise Http404("No such tag.")
    tag = get_object_or_404(Tag, slug=slug)
    queryset = listed_practices(request.user).tagged(tag.slug)
    members_only = Practice.objects.published().members_only().tagged(tag.slug)
    return _render_browse(
        request, "practices/list.html", queryset=queryset, fixed=["tag"], members_only=members_only, tag=tag
    )


def focus_area_index(request):
    areas = selectors.focus_areas_with_counts(request.user)
    return render(request, "practices/focus_areas.html", {"areas": areas})


@login_required
def my_practices(request):
    """Everything the member manages: their own practices and, for coalition admins, the coalition's."""
    practices = Practice.objects.managed_by(request.user).select_related("kind", "coalition").order_by("-updated")
    return render(request, "practices/mine.html", {"practices": practices})
