"""Confirmation pages for what cannot be undone with one click: removing, revoking, withdrawing,
deleting, cancelling. No JavaScript: the button that looks destructive is a link to a page that
says what will happen, and only that page's form carries ``confirmed=yes``. A POST without it (a
stale form, a replayed request) shows the page again and changes nothing.

Every app uses these, so they live in the lowest one; the views check who may act before they
show the page, and the services check again when the form is sent.
"""

from collections.abc import Sequence

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"


def is_confirmed(request: HttpRequest) -> bool:
    """A POST from a confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == "yes"


def confirmation_page(
    request: HttpRequest,
    *,
    question: str,
    explanation: str,
    button: str,
    back_url: str,
    back_label: str = "Go back",
    details: Sequence[str] = (),
    hidden: dict[str, str] | None = None,
) -> HttpResponse:
    """The page that asks ``question``; its form posts back to this URL with ``confirmed=yes``
    (and ``hidden`` fields, e.g. the role a step-down sets)."""
    context = {
        "question": question,
        "explanation": explanation,
        "button": button,
        "back_url": back_url,
        "back_label": back_label,
        "details": details,
        "hidden": (hidden or {}).items(),
        "confirm_field": CONFIRM_FIELD,
    }
    return render(request, "confirm.html", context)
