"""What the login page says about where the visitor was going, read from its ``next`` parameter.

A members-only practice, the member directory (the "Members" menu) and an RSVP link from an email
all send a signed-out visitor to log in; the page then says why, and the form returns them there.
Only paths of the portal are read (``resolve``), and nothing is looked up: a hand-made ``next`` can
at most make the page say why that page would ask for a sign-in.
"""

from urllib.parse import parse_qs, urlsplit

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve

register = template.Library()

MEMBERS_PRACTICE = "This practice is shared with partnership members."
REASONS = {
    "practices:detail": (MEMBERS_PRACTICE, "Sign in to read it; you will come straight back to it."),
    "practices:attachment": (MEMBERS_PRACTICE, "Sign in to download its file."),
    "coalitions:directory": (
        "The member directory is open to members of the partnership's coalitions.",
        "Sign in to see who works on what; you will come straight back to it.",
    ),
    "coalitions:member": (
        "Member pages are open to members of the partnership's coalitions.",
        "Sign in to see this member; you will come straight back to their page.",
    ),
    "meetings:calendar": ("Your calendar is personal.", "Sign in to see your calendar subscription."),
}
RSVP = ("You are answering a meeting invitation.", "Sign in, and then confirm your answer with one click.")


def _reason_for(next_url: str) -> tuple[str, str] | None:
    parts = urlsplit(next_url)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name == "meetings:detail" and parse_qs(parts.query).get("rsvp"):
        return RSVP
    return REASONS.get(match.view_name)


@register.inclusion_tag("account/_sign_in_reason.html", takes_context=True)
def sign_in_reason(context):
    """``{% sign_in_reason %}``: why this sign-in, when the visitor was sent here from a page."""
    request = context.get("request")
    next_url = request.GET.get("next", "") if request else ""
    reason = _reason_for(next_url) if next_url else None
    return {"reason": reason[0] if reason else "", "then": reason[1] if reason else ""}


@register.inclusion_tag("account/_demo_accounts.html")
def demo_accounts_note():
    """``{% demo_accounts_note %}``: in the demo (``settings.DEMO``), where its accounts are listed."""
    return {"demo": settings.DEMO}
