"""What meetings tell the apps above them (the email app listens; meetings knows nothing of email).

All are sent after the transaction commits, with ``meeting`` (a Meeting) as the only argument
besides ``change`` for ``meeting_changed`` and ``user_ids`` for ``invitees_added``.
"""

from django.dispatch import Signal

# Minutes were posted for the first time: the email app follows up with those who RSVP'd.
minutes_posted = Signal()

# Partnership admins invited members to a meeting: ``user_ids`` (a list) were newly invited, each
# once; the email app sends each an invitation.
invitees_added = Signal()

# A change attendees should hear about; ``change`` is "moved", "cancelled" or "reinstated".
meeting_changed = Signal()
