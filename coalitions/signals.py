"""Signals for the apps above: coalitions knows nothing of email, notifications listens here."""

from django.dispatch import Signal

# Sent after commit when an admin approves or rejects a join request. kwargs: join_request.
join_request_decided = Signal()

# Sent after commit when an admin invites someone by email. kwargs: invitation, accept_url (absolute).
invitation_created = Signal()
