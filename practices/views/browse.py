"""Finding practices: the list and search, one focus area or tag, the focus areas, my practices."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from taggit.models import Tag

from coalitions import permissions

from .. import discovery, selectors
from ..filters import LONG_FIELDS, RELEVANCE, PracticeFilter, listed_practices
from ..fragments import Rows, filter_form
from ..models import FocusArea, Practice, has_search_words
from ..pagecache import PAGE_TTL, anonymous_page
from ..pagination import Page, paginate

PAGE_SIZE = 50
# "1,000+ members-only practices also match": counting further would cost as much as the search.
MEMBERS_ONLY_COUNT_LIMIT = 1000


def browse(request, *, queryset=None, fixed=(), generation=None):
    """Apply the filters, sort and page (``page``, or a cursor in ``after``/``before``) in ``request.GET``;
    returns (filterset, page). ``?page=abc`` shows the first page and ``?page=9999`` the last numbered one.

    With ``generation`` (the listed-practices one, read before the rows), the bounded count is kept in the
    shared cache for the next page of the same filters: it is the same for every reader of one audience
    (``selectors.audience``: the lists hold published practices, members-only ones for members), so the
    key is the audience, the generation, the path and the filters (not the page or the sort). A search
    ranked by relevance keeps its whole page the same way (``_keep``), keyed by its page too.
    """
    queryset = queryset if queryset is not None else listed_practices(request.user)
    filterset = PracticeFilter(request.GET or None, queryset=queryset, fixed=fixed)
    shared = selectors.shared_cache() if generation is not None else None
    ranked = shared is not None and filterset.sort_key == RELEVANCE[0] and has_search_words(filterset.search_text)
    page_key = _cache_key(SEARCH_PAGE_KEY, request, generation, paging=True) if ranked else None
    kept = shared.get(page_key) if page_key else None
    if kept is not None:
        return filterset, _kept_page(kept, queryset)
    key = _cache_key(COUNT_KEY, request, generation) if shared is not None else None
    counted = shared.get(key) if key else None
    page = paginate(
        filterset.sorted_queryset(),
        per_page=PAGE_SIZE,
        page=request.GET.get("page"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        counted=counted,
    )
    if key and counted is None:
        shared.set(key, page.bounded_count, selectors.COUNTS_TTL)
    if page_key:
        shared.set(page_key, _keep(page), selectors.COUNTS_TTL)
    return filterset, page


PAGING = ("page", "after", "before", "sort")
COUNT_KEY = "practices:list-count"
SEARCH_PAGE_KEY = "practices:search-page"
MEANING_KEY = "practices:meaning-matches"


def _cache_key(prefix: str, request, generation: str, *, paging: bool = False) -> str:
    """A key for what one audience's readers all get for these filters (and, with ``paging``, this page and
    sort) under this listed generation (see ``browse``)."""
    filters = sorted(
        (name, value) for name, values in request.GET.lists() if paging or name not in PAGING for value in values
    )
    digest = hashlib.sha256(repr((request.path, filters)).encode()).hexdigest()
    return f"{prefix}:{selectors.audience(request.user)}:{generation}:{digest}"


# A search ranked by relevance is the one page whose own statement is costly at scale (it ranks the newest
# 1,001 matches and cuts snippets: about 12 ms of PostgreSQL at 100,000 practices for a common word), and
# what it finds is the same for every reader of one audience. So the page keeps which practices it showed,
# in which order, with their snippets, and a reader after that one fetches only those rows, by primary key,
# through their own list query: a practice the reader may not open is still never shown.
def _keep(page) -> dict:
    return {
        "rows": [(row.pk, getattr(row, "rank", None), getattr(row, "headline", "")) for row in page],
        "number": page.number,
        "count": page.count,
        "exact": page.count_is_exact,
        "per_page": page.per_page,
        "next": page.next_query,
        "previous": page.previous_query,
    }


def _kept_page(kept: dict, queryset) -> Page:
    found = {practice.pk: practice for practice in queryset.filter(pk__in=[pk for pk, _, _ in kept["rows"]])}
    rows = []
    for pk, rank, headline in kept["rows"]:
        if pk in found:
            found[pk].rank, found[pk].headline = rank, headline
            rows.append(found[pk])
    page = Page(rows, kept["number"], kept["count"], kept["exact"], kept["per_page"])
    page.next_query, page.previous_query = kept["next"], kept["previous"]
    return page


def page_links(page, *, on_each_side: int = 2) -> list:
    """Numbered links around the current page: the first, a few either side, the last numbered one, with
    None where numbers are left out (shown as an ellipsis)."""
    numbers = page.numbered_pages
    if len(numbers) <= 1:
        return []
    current = page.number or 0
    shown = sorted(
        {1, numbers[-1], *(n for n in range(current - on_each_side, current + on_each_side + 1) if n in numbers)}
    )
    links, previous = [], 0
    for n in shown:
        if n - previous > 1:
            links.append(None)
        links.append(n)
        previous = n
    return links


def _meaning_matches(request, filterset, base, generation) -> list:
    """The search's meaning-only matches (``discovery.meaning_matches``), kept like a ranked page (see
    ``_keep``): the query's embedding and the nearest-vector search run once per audience, filters and
    generation, and a later reader fetches the few practices by primary key through their own list query."""
    within = filterset.filter_queryset_without_search(base)
    shared = selectors.shared_cache() if generation is not None else None
    if shared is None:
        return discovery.meaning_matches(filterset.search_text, queryset=within, exclude=filterset.qs)
    key = _cache_key(MEANING_KEY, request, generation)
    ids = shared.get(key)
    if ids is None:
        found = discovery.meaning_matches(filterset.search_text, queryset=within, exclude=filterset.qs)
        shared.set(key, [practice.pk for practice in found], selectors.COUNTS_TTL)
        return found
    if not ids:
        return []
    rows = {practice.pk: practice for practice in within.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def _search_extras(request, filterset, page, base, members_only, *, narrowed=False, generation=None) -> dict:
    """What a search page adds to its word matches: on the first page, the practices that match by
    meaning only (labelled, after the word matches), and whether the word matches were too many to count
    ("1,000+"); for a visitor who is not signed in, how many members-only practices matched too, by words
    or by meaning (never which). ``narrowed``: a focus-area or tag page, which says how many members-only
    practices it holds even without a search."""
    q = filterset.search_text
    searching = bool(q) and has_search_words(q)
    extras = {}
    if searching:
        # "1,000+": the search ranked its newest SEARCH_CANDIDATES + 1 matches, or the page stopped counting
        extras["search_capped"] = not page.count_is_exact or page.count > discovery.SEARCH_CANDIDATES
        extras["search_limit"] = discovery.SEARCH_CANDIDATES
        if page.number == 1:
            extras["meaning_matches"] = _meaning_matches(request, filterset, base, generation)
    if not request.user.is_authenticated and (searching or narrowed):
        if searching:
            count = discovery.count_matches(
                q, queryset=filterset.filter_queryset_without_search(members_only), limit=MEMBERS_ONLY_COUNT_LIMIT
            )
        else:
            if filterset.is_bound:  # the page's other filters narrow it too
                members_only = filterset.filter_queryset_without_search(members_only)
            count = members_only.count_up_to(MEMBERS_ONLY_COUNT_LIMIT)
        extras["members_only_count"] = count
        extras["members_only_limit"] = MEMBERS_ONLY_COUNT_LIMIT
        extras["members_only_searched"] = searching
    return extras


# The main part of a list page (results, pages, filters) is the same for every member who shares a time zone
# (the rows show dates in it) and the rights the page's buttons ask about: it is kept in the shared cache
# under the listed generation, so the next member asking for the same URL skips the filters, the page's
# query and the rendering of fifty rows. What the page says in messages is kept with it.
MAIN_KEY = "practices:members-main"


def _main_key(request, rows: Rows) -> str | None:
    user = request.user
    if rows.generation is None or not user.is_authenticated or selectors.audience(user) != "members":
        return None
    rights = f"{int(permissions.can_share_practices(user))}{int(user.is_staff)}"
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{MAIN_KEY}:{rows.generation}:{timezone.get_current_timezone_name()}:{rights}:{digest}"


def _render_browse(request, template, *, queryset=None, fixed=(), members_only=None, **context):
    """``members_only``: the members-only practices this page would list to a member (for the count an
    anonymous visitor sees); all of them unless the page is narrowed to a focus area or tag."""
    rows = Rows()  # before the rows are read: see practices.rows
    key = _main_key(request, rows)

    def main():
        return _main(request, rows, queryset, fixed, members_only, context)

    kept = rows.shared.get_or_set(key, main, PAGE_TTL) if key else main()
    for note in kept["notes"]:
        messages.info(request, note)
    return render(request, template, {**context, "main": kept["main"], "search_text": kept["search_text"]})


def _main(request, rows, queryset, fixed, members_only, context) -> dict:
    """The list page's main part as HTML, the search words its title shows, and what it says in messages."""
    # The rows' focus areas, tags and adopters are loaded only for rows not cached (Rows.render).
    base = (queryset if queryset is not None else listed_practices(request.user)).prefetch_related(None)
    base = base.defer(*LONG_FIELDS)
    filterset, page = browse(request, queryset=base, fixed=fixed, generation=rows.generation)
    narrowed = members_only is not None
    if members_only is None:
        members_only = Practice.objects.published().members_only()
    context = {
        **context,
        **_search_extras(request, filterset, page, base, members_only, narrowed=narrowed, generation=rows.generation),
    }
    context.update(rows=rows.render(page), meaning_rows=rows.render(context.get("meaning_matches", [])))
    notes = []
    if filterset.search_was_truncated:
        notes.append("That search was long, so we used its first 200 characters.")
    elif filterset.raw_search.strip() and not has_search_words(filterset.search_text):
        notes.append("Searches need at least one letter or number.")
    context.update(filterset=filterset, filter_form=filter_form(filterset), page_obj=page, page_range=page_links(page))
    main = render_to_string("practices/_list_main.html", context, request)
    return {"main": mark_safe(main), "search_text": filterset.search_text, "notes": notes}  # noqa: S308 — our template


@anonymous_page
def practice_list(request):
    return _render_browse(request, "practices/list.html")


@anonymous_page
def focus_area(request, slug):
    area = get_object_or_404(FocusArea, slug=slug)
    queryset = listed_practices(request.user).in_focus_area(area.slug)
    members_only = Practice.objects.published().members_only().in_focus_area(area.slug)
    return _render_browse(
        request, "practices/list.html", queryset=queryset, fixed=["focus_area"], members_only=members_only, area=area
    )


@anonymous_page
def tag_detail(request, slug):
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query; no tag has one
        raise Http404("No such tag.")
    tag = get_object_or_404(Tag, slug=slug)
    queryset = listed_practices(request.user).tagged(tag.slug)
    members_only = Practice.objects.published().members_only().tagged(tag.slug)
    return _render_browse(
        request, "practices/list.html", queryset=queryset, fixed=["tag"], members_only=members_only, tag=tag
    )


@anonymous_page
def focus_area_index(request):
    areas = selectors.focus_areas_with_counts(request.user)
    return render(request, "practices/focus_areas.html", {"areas": areas})


@login_required
def my_practices(request):
    """Everything the member manages: their own practices and, for coalition admins, the coalition's."""
    practices = Practice.objects.managed_by(request.user).select_related("kind", "coalition").order_by("-updated")
    return render(request, "practices/mine.html", {"practices": practices})
