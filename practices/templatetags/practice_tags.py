from django import template
from django.db.models import Count, Window

from practices.models import Adoption, Practice, highlight_html

register = template.Library()

COALITION_LIST_SIZE = 10


@register.inclusion_tag("practices/_coalition_practices.html", takes_context=True)
def coalition_practices(context, coalition):
    """``{% coalition_practices coalition %}``: what a coalition shared and adopted, as the viewer may see it."""
    user = context["request"].user
    visible = Practice.objects.published().visible_to(user)
    # Only what the rows show (kind, adoption count), and each list's full size from a window count in
    # the same query: the coalition page stays within its budget with two queries for this block.
    total = Window(Count("pk"))
    shared = list(
        visible.filter(coalition=coalition)
        .select_related("kind")
        .with_adoption_counts()
        .annotate(total=total)
        .order_by("-published_at", "-pk")[:COALITION_LIST_SIZE]
    )
    adopted = list(
        Adoption.objects.filter(coalition=coalition, practice__in=visible)
        .select_related("practice__coalition")
        .annotate(total=total)
        .order_by("-updated")[:COALITION_LIST_SIZE]
    )
    return {
        "coalition": coalition,
        "shared": shared,
        "shared_more": shared[0].total - len(shared) if shared else 0,
        "adopted": adopted,
        "adopted_more": adopted[0].total - len(adopted) if adopted else 0,
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
