"""Whole pages for anonymous visitors (and, where a view says so, for members), from the shared cache.

The practices list (with its filters and pages), a focus area's page and a practice's page look the
same to every anonymous visitor, so the first visitor's rendering serves the next ones without a
query. The key is the URL (path and query string) and the *listed-practices generation*
(``selectors.listed_generation``), which any change to a practice, its focus areas or tags, an
adoption, a comment, a file or an agenda item renews (``practices.receivers``): the next visitor
after a change gets a fresh page at once. What no signal announces (a meeting that ended moves
from "upcoming" to "presented", a coalition or a person renamed, a stored "similar" list
refreshed) shows within ``PAGE_TTL``.

Never served from it, nor stored in it:
- a signed-in visitor's page (their name is in the header, their rights in the page);
- a visitor with messages waiting (the page shows them, and would keep them for the next visitor);
- a page that used the CSRF token (a form) or set a cookie: both belong to one browser;
- anything but a 200 answer to GET or HEAD.
Without a shared cache (the database cache of a development checkout without Redis) nothing is
cached: each process's own memory could not hear another's changes.

**Members** (``@anonymous_page(members=True)``): an answer that is the same for every member and
partnership admin — the JSON API, which shows published practices and nothing of its reader — is kept
for that audience too, keyed also by the reader's calendar day (a contract's "expired" is read on it).
A view whose answer holds something only this reader may see marks it with ``for_this_reader(response)``
and it is not kept. Signed-in people in no coalition are served as they are now, uncached.
"""

import hashlib
from functools import wraps

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.utils import timezone

from . import selectors

PAGE_TTL = 60
PAGE_KEY = "practices:page"


MEMBERS = "members"


def _audience(request, members: bool) -> str | None:
    """Whose shared answer this request may be served: ``"public"`` (anonymous), ``MEMBERS``, or ``None``."""
    if request.method not in ("GET", "HEAD"):
        return None
    if request.user.is_authenticated:
        if not members or selectors.audience(request.user) != MEMBERS:
            return None
        audience = f"{MEMBERS}:{timezone.localdate().isoformat()}"
    else:
        audience = "public"
    # len() loads the waiting messages without marking them shown.
    return None if len(get_messages(request)) else audience


def for_this_reader(response):
    """Mark an answer that holds something only this reader may see: never kept for the audience."""
    response.for_this_reader = True
    return response


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "for_this_reader", False)
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and b"csrfmiddlewaretoken" not in response.content
    )


def _key(request, generation: str, audience: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    # Anonymous pages keep the key they always had.
    return f"{PAGE_KEY}:{generation}:{path}" if audience == "public" else f"{PAGE_KEY}:{audience}:{generation}:{path}"


def anonymous_page(view=None, *, also=None, members: bool = False):
    """Serve ``view``'s page to anonymous visitors from the shared cache (see the module's rules).
    ``@anonymous_page(also=f)``: a page showing more than practices (meetings' answers) is keyed by
    ``f(shared)`` too, the generation its own app renews. ``members=True``: the view's answer is the same
    for every member, who are served it from the cache too."""
    if view is None:
        return lambda view: anonymous_page(view, also=also, members=members)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        shared = selectors.shared_cache()
        audience = _audience(request, members) if shared is not None else None
        if audience is None:
            return view(request, *args, **kwargs)
        generation = selectors.listed_generation(shared)
        key = _key(request, f"{generation}:{also(shared)}" if also else generation, audience)
        stored = shared.get(key)
        if stored is not None:
            content, content_type = stored
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _cacheable_response(request, response):
            shared.set(key, (response.content, response["Content-Type"]), PAGE_TTL)
        return response

    return wrapped
