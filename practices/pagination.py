"""Pages of practices that cost the same at any depth and any catalogue size.

Django's ``Paginator`` counts every matching row (``COUNT(*)``) and reaches page 200 with ``OFFSET 9950``,
reading and throwing away every row before it. Here instead:

- the count stops at ``count_limit`` + 1 ("1,000+ practices"): exact below it, a floor above it;
- page numbers (``?page=3``) work for the pages within that limit, with a small bounded OFFSET, so links
  from before keep working and the first pages are numbered;
- past them, and for every "next"/"previous" link once a page has no number, the URL carries a cursor:
  the sort values of the last (``?after=``) or first (``?before=``) row shown. The query starts from
  those values in the sort's index (``practice_listed_*``), so page 10,000 costs what page 2 costs, and
  the URL keeps meaning "the practices after this one" however many are added meanwhile.

An ordering must end in a unique column (``sorted_by`` ends each in ``pk``). A search ranked by relevance
has no index order to start from: it keeps numbered pages only, within the same limit.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet

COUNT_LIMIT = 1000


def _encode(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list) -> list | None:
    """The sort values a cursor carries, typed as the fields hold them; None for anything malformed."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(raw, list) or len(raw) != len(fields) or any(v is None for v in raw):
        return None
    try:
        return [f.to_python(v) for f, v in zip(fields, raw, strict=True)]
    except Exception:  # a field's own ValidationError, or a value of the wrong shape (a list for a date)
        return None


def _keys(queryset: QuerySet) -> list[tuple[str, bool]]:
    """(field name, descending) for each term of the queryset's ordering, or [] when it is not plain columns
    of the model ending in its primary key (a search's rank, an expression)."""
    keys = []
    concrete = {f.name for f in queryset.model._meta.concrete_fields}
    for term in queryset.query.order_by:
        if not isinstance(term, str) or term.lstrip("-") not in concrete | {"pk", "id"}:
            return []
        keys.append((term.lstrip("-"), term.startswith("-")))
    return keys if keys and keys[-1][0] in ("pk", "id") else []


def _beyond(keys, values, *, forward: bool) -> Q:
    """Rows after (``forward``) or before the row with these sort values, in the ordering ``keys``.

    ``(a, b, pk) < (x, y, z)`` spelled as ORs, plus the redundant ``a <= x`` that lets the database start
    its index scan at the cursor instead of filtering every row before it.
    """

    def op(descending: bool, strict: bool) -> str:
        smaller = descending == forward
        return ("lt" if strict else "lte") if smaller else ("gt" if strict else "gte")

    condition = Q()
    equal = Q()
    for (name, descending), value in zip(keys, values, strict=True):
        condition |= equal & Q(**{f"{name}__{op(descending, True)}": value})
        equal &= Q(**{name: value})
    first_name, first_descending = keys[0]
    return Q(**{f"{first_name}__{op(first_descending, False)}": values[0]}) & condition


@dataclass
class Page:
    """One page: its rows, and what the count line and the links need. Reads like Django's ``Page``
    (``has_next()``, ``has_previous()``, ``number``) so templates and callers keep working."""

    object_list: list
    number: int | None  # None on a cursor page
    count: int  # exact when ``count_is_exact``, else COUNT_LIMIT and "more"
    count_is_exact: bool
    per_page: int
    next_query: dict = field(default_factory=dict)  # parameters to set for the next page's URL
    previous_query: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return bool(self.next_query)

    def has_previous(self) -> bool:
        return bool(self.previous_query)

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    @property
    def num_pages(self) -> int | None:
        """How many pages in all, when the count is exact."""
        return max(1, -(-self.count // self.per_page)) if self.count_is_exact else None

    @property
    def numbered_pages(self) -> range:
        """The page numbers that may be linked: all of them, or those within the count limit."""
        return range(1, (self.num_pages or -(-self.count // self.per_page)) + 1)

    @property
    def bounded_count(self) -> int:
        """The count as ``paginate`` counted it: at most the limit + 1 (for its ``counted``)."""
        return self.count if self.count_is_exact else self.count + 1

    @property
    def count_label(self) -> str:
        return f"{self.count:,}" if self.count_is_exact else f"{self.count:,}+"


def paginate(
    queryset: QuerySet,
    *,
    per_page: int,
    page: str | int | None = None,
    after: str | None = None,
    before: str | None = None,
    count_limit: int | None = None,
    strict: bool = False,
    counted: int | None = None,
) -> Page:
    """The page of ``queryset`` that ``page``, ``after`` or ``before`` names (in that order of precedence:
    a cursor wins over a number). Two queries: the bounded count and the rows (``per_page`` + 1, to know
    whether another page follows).

    A page number that is not one, or a malformed cursor, gives the first page; a number past the last
    numbered page gives that page. With ``strict`` (the API), they raise ``ValueError`` and ``IndexError``.
    ``counted``: the bounded count (``Page.bounded_count``) when the caller kept it from an earlier page of
    the same rows; then one query, the rows.
    """
    count_limit = COUNT_LIMIT if count_limit is None else count_limit
    count = queryset.order_by().values("pk")[: count_limit + 1].count() if counted is None else counted
    exact = count <= count_limit
    count = min(count, count_limit)
    last_numbered = max(1, -(-count // per_page))
    keys = _keys(queryset)
    model = queryset.model
    fields = [model._meta.pk if name in ("pk", "id") else model._meta.get_field(name) for name, _ in keys]
    cursor, forward = (after, True) if after else (before, False) if before else (None, True)
    values = _decode(cursor, fields) if cursor and keys else None
    if cursor and values is None and strict:
        raise ValueError("cursor")

    def cursor_of(row) -> str:
        return _encode([getattr(row, "pk" if name in ("pk", "id") else name) for name, _ in keys])

    if values is not None:
        window = queryset.filter(_beyond(keys, values, forward=forward))
        if not forward:
            window = window.reverse()
        rows = list(window[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if not forward:
            rows.reverse()
        has_next, has_previous = (more, True) if forward else (True, more)
        result = Page(rows, None, count, exact, per_page)
        if rows and has_next:
            result.next_query = {"after": cursor_of(rows[-1]), "before": None, "page": None}
        if rows and has_previous:
            result.previous_query = {"before": cursor_of(rows[0]), "after": None, "page": None}
        return result

    try:
        number = int(page) if page not in (None, "") else 1
    except (TypeError, ValueError):
        if strict:
            raise
        number = 1
    if number < 1 or number > last_numbered:
        if strict:
            raise IndexError(number)
        number = 1 if number < 1 else last_numbered
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    result = Page(rows, number, count, exact, per_page)
    if more:
        if number < last_numbered or not keys:
            result.next_query = {"page": number + 1, "after": None, "before": None} if number < last_numbered else {}
        else:
            result.next_query = {"after": cursor_of(rows[-1]), "before": None, "page": None}
    if number > 1:
        result.previous_query = {"page": number - 1, "after": None, "before": None}
    return result
