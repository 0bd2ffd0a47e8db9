from django import template

from practices.models import Adoption, Practice, highlight_html

register = template.Library()

COALITION_LIST_SIZE = 10


@register.inclusion_tag("practices/_coalition_practices.html", takes_context=True)
def coalition_practices(context, coalition):
    """``{% coalition_practices coalition %}``: what a coalition shared and adopted, as the viewer may see it."""
    user = context["request"].user
    visible = Practice.objects.published().visible_to(user)
    shared = visible.filter(coalition=coalition).for_list().order_by("-published_at", "-pk")
    adopted = (
        Adoption.objects.filter(coalition=coalition, practice__in=visible)
        .select_related("practice__coalition")
        .order_by("-updated")
    )
    shared_rows = list(shared[:COALITION_LIST_SIZE])
    adopted_rows = list(adopted[:COALITION_LIST_SIZE])
    return {
        "coalition": coalition,
        "shared": shared_rows,
        "shared_more": shared.count() - len(shared_rows) if len(shared_rows) == COALITION_LIST_SIZE else 0,
        "adopted": adopted_rows,
        "adopted_more": adopted.count() - len(adopted_rows) if len(adopted_rows) == COALITION_LIST_SIZE else 0,
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
