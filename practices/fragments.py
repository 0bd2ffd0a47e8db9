"""Parts of the list pages that are the same for many readers, as HTML from the shared cache: the practice
rows and the filter form.

**Rows** (practices list, search, a focus area or tag, the home page).

A row shows only the practice itself: its title and "Members only" badge, coalition, kind, maturity,
publication day, summary (or the search's snippet), focus areas, tags, adopting coalitions and comment
count. Nothing in it depends on who reads it, so one rendering serves every reader *to whom the list
shows that practice*: which practices a page lists is still decided by the page's own query, as the
reader may see them, on every request. The key holds what else could change the HTML:
- the listed-practices generation (``selectors.listed_generation``), which any change to a practice, its
  focus areas or tags, an adoption, a comment, a file or an agenda item renews (``practices.receivers``),
  read *before* the page's rows so that a row read before a change is never stored under the generation
  after it;
- the practice's ``updated`` time, so an edit misses even where no signal ran;
- the reader's time zone (the publication day is shown in it) and the search snippet, if any.
What no signal announces (a coalition, kind or focus area renamed) shows within ``ROW_TTL``.

A page reads all its rows in one ``get_many`` and renders and stores only the misses, whose focus
areas, tags and adopters it loads then (one query each, for the misses together): a page whose rows
are all cached runs none of those queries. Without a shared cache every row is rendered each time.

**The filter form**: its fields, their choices (focus areas, kinds, coalitions, funding programs: one
query on every page) and what the reader typed or picked, errors included, make its HTML; the key is
a digest of all of them, so another choice or value is another key. Nothing in it depends on the
reader or on the practices.
"""

import hashlib

from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from . import selectors

ROW_TEMPLATE = "practices/_practice_row.html"
ROW_KEY = "practices:row"
ROW_TTL = 60
FORM_TEMPLATE = "includes/_form.html"
FORM_KEY = "practices:filter-form"
FORM_TTL = 300


class Rows:
    """Row HTML for one request: make it before the page's rows are read (it reads the generation)."""

    def __init__(self):
        self.shared = selectors.shared_cache()
        self.generation = selectors.listed_generation(self.shared) if self.shared is not None else None

    def render(self, practices) -> list[SafeString]:
        """The HTML of each of ``practices``' rows, in their order; practices from a query without the
        focus areas, tags and adopters prefetched (they are loaded for the misses only)."""
        practices = list(practices)
        if not practices:
            return []
        if self.shared is None:
            _load(practices)
            return [_render(practice) for practice in practices]
        zone = timezone.get_current_timezone_name()
        keys = [self._key(practice, zone) for practice in practices]
        found = self.shared.get_many(keys)
        missing = [(key, practice) for key, practice in zip(keys, practices, strict=True) if key not in found]
        if missing:
            _load([practice for _, practice in missing])
            fresh = {key: str(_render(practice)) for key, practice in missing}
            self.shared.set_many(fresh, ROW_TTL)
            found.update(fresh)
        return [mark_safe(found[key]) for key in keys]  # noqa: S308 — our own template's output

    def _key(self, practice, zone: str) -> str:
        snippet = getattr(practice, "headline", None)
        snippet = hashlib.sha256(snippet.encode()).hexdigest()[:24] if snippet else "-"
        updated = practice.updated.timestamp() if practice.updated else 0
        return f"{ROW_KEY}:{self.generation}:{practice.pk}:{updated}:{zone}:{snippet}"


def _load(practices) -> None:
    """What a row shows beyond the practice's own columns: focus areas, tags, adopters (three queries)."""
    selectors.attach_row_labels(practices)
    selectors.attach_adopters(practices)


def _render(practice) -> SafeString:
    return get_template(ROW_TEMPLATE).render({"practice": practice})


def filter_form(filterset) -> SafeString:
    """The HTML of ``filterset``'s form (a ``filters.PracticeFilter``), rendered once per fields, choices and
    values."""
    shared = selectors.shared_cache()
    if shared is None:
        return _render_form(filterset.form)
    data = filterset.data or {}
    what = (
        [
            (name, [(str(value), str(label)) for value, label in f.extra.get("choices", ())])
            for name, f in filterset.filters.items()
        ],
        [(name, data.getlist(name) if hasattr(data, "getlist") else data.get(name)) for name in filterset.filters],
    )
    key = f"{FORM_KEY}:{hashlib.sha256(repr(what).encode()).hexdigest()}"
    html = shared.get(key)
    if html is None:
        html = str(_render_form(filterset.form))
        shared.set(key, html, FORM_TTL)
    return mark_safe(html)  # noqa: S308 — our own template's output


def _render_form(form) -> SafeString:
    return get_template(FORM_TEMPLATE).render({"form": form})
