"""Finding practices: the list and search, one focus area or tag, the focus areas, my practices."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from taggit.models import Tag

from .. import selectors
from ..filters import PracticeFilter, listed_practices
from ..models import FocusArea, Practice, has_search_words

PAGE_SIZE = 50


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


def _render_browse(request, template, *, queryset=None, fixed=(), **context):
    filterset, page = browse(request, queryset=queryset, fixed=fixed)
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
    return _render_browse(request, "practices/list.html", queryset=queryset, fixed=["focus_area"], area=area)


def tag_detail(request, slug):
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query; no tag has one
        raise Http404("No such tag.")
    tag = get_object_or_404(Tag, slug=slug)
    queryset = listed_practices(request.user).tagged(tag.slug)
    return _render_browse(request, "practices/list.html", queryset=queryset, fixed=["tag"], tag=tag)


def focus_area_index(request):
    areas = selectors.focus_areas_with_counts(request.user)
    return render(request, "practices/focus_areas.html", {"areas": areas})


@login_required
def my_practices(request):
    """Everything the member manages: their own practices and, for coalition admins, the coalition's."""
    practices = Practice.objects.managed_by(request.user).select_related("kind", "coalition").order_by("-updated")
    return render(request, "practices/mine.html", {"practices": practices})
