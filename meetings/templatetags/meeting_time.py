"""Meeting times in templates: ``{% load meeting_time %}``.

- ``{% meeting_time meeting %}`` → "Tue 13 Jul 2027, 10:00 MST (your time) · 11:00 MDT (Denver)"
  for a signed-in viewer in another zone; the meeting's zone only for visitors.
- ``{% meeting_time_range meeting %}`` → "10:00–11:00 MST" in the viewer's zone (the meeting's
  for visitors).
- ``{% meetings_by_month page as months %}`` → ``[{"label": "December 2026", "meetings": […]}, …]``:
  consecutive meetings grouped by the month they start in, as each row shows its date.
- ``{{ "America/New_York"|zone_city }}`` → "New York".
"""

from itertools import groupby

from django import template

from coalitions.timefmt import format_month, in_zone
from coalitions.timezones import effective_time_zone

from ..timefmt import format_meeting_time, format_time_range, zone_city

register = template.Library()


def viewer_zone(context) -> str | None:
    """The signed-in viewer's zone, worked out once per request; None for visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(request, "_meetings_viewer_zone"):
        request._meetings_viewer_zone = effective_time_zone(user)
    return request._meetings_viewer_zone


@register.simple_tag(takes_context=True)
def meeting_time(context, meeting) -> str:
    return format_meeting_time(meeting, viewer_zone(context))


@register.simple_tag(takes_context=True)
def meeting_time_range(context, meeting) -> str:
    return format_time_range(meeting, viewer_zone(context) or meeting.time_zone)


@register.simple_tag(takes_context=True)
def meetings_by_month(context, meetings) -> list[dict]:
    """Group meetings (in the order given) by the month of their start: in the viewer's zone, as their
    rows read, or each meeting's own zone for visitors."""
    zone = viewer_zone(context)

    def month(meeting):
        local = in_zone(meeting.start, zone or meeting.time_zone)
        return local.year, local.month, format_month(local)

    return [{"label": key[2], "meetings": list(group)} for key, group in groupby(meetings, key=month)]


register.filter("zone_city", zone_city)
