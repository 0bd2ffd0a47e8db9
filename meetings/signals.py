"""What meetings tell the apps above them (the email app listens; meetings knows nothing of email).

Both are sent after the transaction commits, with ``meeting`` (a Meeting) as the only argument
besides ``change`` for ``meeting_changed``.
"""

from django.dispatch import Signal

# Minutes were posted for the first time: the email app follows up with those who RSVP'd.
minutes_posted = Signal()

# A change attendees should hear about; ``change`` is "moved", "cancelled" or "reinstated".
meeting_changed = Signal()
