from django import template
from django.db.models import Count, Q, Subquery
from django.utils import timezone

from coalitions import permissions
from meetings.models import RSVP, Meeting
from practices.models import FundingProgram, Practice

from ..figures import listed

register = template.Library()


@register.inclusion_tag("insights/_coalition_insights.html", takes_context=True)
def coalition_insights(context, coalition):
    """``{% coalition_insights coalition %}``: for members, the funding programs behind what the coalition
    shared (as they may see it), how many of its members came to the partnership's last meeting, and a link
    to the insights page filtered to it (the page's tiles above already count what it shared and reused).
    Two queries, each bounded by the one coalition; nothing for the others, who may not open insights."""
    user = context["request"].user
    if not permissions.is_member(user):
        return {"show": False}
    shared = Practice.objects.filter(listed(user), coalition=coalition)
    programs = list(
        FundingProgram.objects.filter(practices__in=shared.values("pk")).distinct().values_list("name", "slug")
    )
    last = Meeting.objects.filter(start__lt=timezone.now()).not_cancelled().order_by("-start").values("pk")[:1]
    attending = RSVP.Answer.YES
    meeting = (
        Meeting.objects.filter(pk=Subquery(last))
        .annotate(
            attending=Count(
                "rsvps__user",
                filter=Q(rsvps__answer=attending, rsvps__user__memberships__coalition=coalition),
                distinct=True,
            )
        )
        .values("title", "start", "time_zone", "attending")
        .first()
    )
    return {
        "show": True,
        "coalition": coalition,
        "programs": programs,
        "last_meeting": meeting,
    }
