"""Whole pages for anonymous visitors, from the shared cache.

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
"""

import hashlib
from functools import wraps

from django.contrib.messages import get_messages
from django.http import HttpResponse

from . import selectors

PAGE_TTL = 60
PAGE_KEY = "practices:page"


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        # len() loads the waiting messages without marking them shown.
        and not len(get_messages(request))
    )


def _cacheable_response(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and b"csrfmiddlewaretoken" not in response.content
    )


def _key(request, generation: str) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"{PAGE_KEY}:{generation}:{path}"


def anonymous_page(view=None, *, also=None):
    """Serve ``view``'s page to anonymous visitors from the shared cache (see the module's rules).
    ``@anonymous_page(also=f)``: a page showing more than practices (meetings' answers) is keyed by
    ``f(shared)`` too, the generation its own app renews."""
    if view is None:
        return lambda view: anonymous_page(view, also=also)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        shared = selectors.shared_cache()
        if shared is None or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        generation = selectors.listed_generation(shared)
        key = _key(request, f"{generation}:{also(shared)}" if also else generation)
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
