"""The types every email of the app passes through, at the bottom of the package.

A composer (``compose.py``) hands back a ``Message`` or raises ``Skip``; the sending road
(``mail.py``) renders and sends it. Both import this module and it imports neither, so the arrows
inside the app run one way: tasks → services → outbox → mail → compose → digests → message.
"""

from dataclasses import dataclass, field

from django.conf import settings

from coalitions.timezones import effective_time_zone


@dataclass
class Message:
    """What a composer hands back for one delivery: which templates, with what, and extras."""

    template: str  # e.g. "emails/reminder" → .subject.txt, .txt, .html
    context: dict
    unsubscribe_kind: str | None = None  # tokens.DIGEST / tokens.REMINDERS; None for one-off mail
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # Set by a composer whose three templates read nothing of the recipient but their zone and the
    # unsubscribe link: two messages with the same template, zone and ``share_key`` render the same
    # but for that link, so a chunk renders them once (``mail.render_email``'s ``memo``).
    share_key: tuple | None = None


class Skip(Exception):
    """Nothing to send for this delivery (nothing new, meeting moved, turned off…)."""


def recipient_zone(delivery) -> str:
    """The zone a delivery's times are shown in: its member's, or the portal's for an invitee."""
    return effective_time_zone(delivery.user) if delivery.user else settings.TIME_ZONE
