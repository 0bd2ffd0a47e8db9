from django import template

from practices import selectors
from practices.models import highlight_html

register = template.Library()

COALITION_LIST_SIZE = 10


@register.inclusion_tag("practices/_coalition_practices.html", takes_context=True)
def coalition_practices(context, coalition):
    """``{% coalition_practices coalition %}``: what a coalition shared and adopted, as the viewer may see it."""
    return {
        "coalition": coalition,
        **selectors.coalition_practices(coalition, context["request"].user, limit=COALITION_LIST_SIZE),
        "request": context["request"],
    }


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
