"""A call's deadlines in templates: ``{% load call_time %}``.

``{% call_time call.closes_at call %}`` → "Fri 15 Jan 2027, 16:00 MST (your time) · 17:00 CST (Chicago)"
for a signed-in viewer in another zone; for visitors, whose zone we do not know, the call's zone and UTC.
"""

import zoneinfo

from django import template

from coalitions.timefmt import format_clock, format_day
from meetings.templatetags.meeting_time import viewer_zone
from meetings.timefmt import format_instant, zone_city

register = template.Library()


def format_deadline(moment, call_tz: str, viewer_tz: str | None) -> str:
    if viewer_tz:
        return format_instant(moment, call_tz, viewer_tz)
    local = moment.astimezone(zoneinfo.ZoneInfo(call_tz))
    utc = moment.astimezone(zoneinfo.ZoneInfo("UTC"))
    text = f"{format_day(local)}, {format_clock(local)} ({zone_city(call_tz)})"
    if call_tz != "UTC":
        text += f" · {format_day(utc) + ', ' if format_day(utc) != format_day(local) else ''}{format_clock(utc)}"
    return text


@register.simple_tag(takes_context=True)
def call_time(context, moment, call) -> str:
    return format_deadline(moment, call.time_zone, viewer_zone(context))
