"""The portal's date format in templates: ``{% load when %}``.

- ``{{ comment.created|when }}`` → "Tue 8 Dec 2026, 11:00 MST", in the viewer's zone (the active
  one: a member's own on pages, the recipient's in emails).
- ``{{ practice.published_at|when:"day" }}`` → "Tue 8 Dec 2026", when the time is noise.
- ``{{ person.user.date_joined|when:"month" }}`` → "December 2026".

Machine-readable attributes keep ``|date:"c"`` (``<time datetime="…">``); nothing a person reads
goes through ``|date``.
"""

from datetime import date, datetime

from django import template

from ..timefmt import format_month, format_when, format_when_day

register = template.Library()

PARTS = {"": format_when, "day": format_when_day, "month": format_month}


@register.filter
def when(value, part: str = ""):
    """``value`` (a datetime or date) in the one format; empty for no value."""
    if not isinstance(value, date):
        return ""
    if part not in PARTS:
        raise template.TemplateSyntaxError(f"when: unknown part {part!r}; use '', 'day' or 'month'.")
    if not isinstance(value, datetime) and part == "":
        part = "day"  # a date has no time to show
    return PARTS[part](value)
