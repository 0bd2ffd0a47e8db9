from django import template

from coalitions import permissions
from practices import selectors
from practices.models import highlight_html, plain_snippet

register = template.Library()

COALITION_LIST_SIZE = 10


@register.inclusion_tag("practices/_coalition_practices.html", takes_context=True)
def coalition_practices(context, coalition):
    """``{% coalition_practices coalition %}``: what a coalition shared and adopted, as the viewer may see it."""
    lists = selectors.coalition_practices(coalition, context["request"].user, limit=COALITION_LIST_SIZE)
    selectors.attach_adopters(lists["shared"])  # who reuses each, as chips
    return {"coalition": coalition, **lists, "request": context["request"]}


@register.inclusion_tag("practices/_coalition_figures.html", takes_context=True)
def coalition_figures(context, coalition):
    """``{% coalition_figures coalition %}``: the coalition's stat tiles, as the viewer may see them
    (one query; ``member_count`` comes annotated on the coalition)."""
    return {"coalition": coalition, **selectors.coalition_figures(coalition, context["request"].user)}


@register.filter
def plain_text(markdown_text):
    """``{{ comment.body|plain_text|truncatechars:160 }}``: Markdown as one line of plain text."""
    return plain_snippet(markdown_text or "")


@register.filter
def may_share(user) -> bool:
    """``{% if user|may_share %}``: offer "Share a practice" only to those the form accepts."""
    return permissions.can_share_practices(user)


@register.filter
def search_snippet(headline):
    """``{{ practice.headline|search_snippet }}``: escaped, matched words in ``<mark>``."""
    return highlight_html(headline)


@register.simple_tag
def stage_badge_class(stage):
    return {"adopted": "badge-green", "piloting": "badge-amber"}.get(stage, "badge-grey")


@register.simple_tag
def status_badge_class(practice):
    if practice.is_hidden:
        return "badge-red"
    return {"published": "badge-green", "draft": "badge-amber"}.get(practice.status, "badge-grey")
