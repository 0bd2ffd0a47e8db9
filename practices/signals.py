"""Signals for the apps above (notifications listens; practices knows nothing of email)."""

from django.dispatch import Signal

# Sent after commit the first time a practice is published. kwargs: practice.
practice_published = Signal()

# Sent after commit when a coalition starts using a practice, or stops. kwargs: adoption, event
# ("adopted" or "stopped"), by (who recorded it). The sharing coalition is told.
adoption_changed = Signal()

# Sent after commit when an adoption's yearly "is this still current?" is due. kwargs: adoption.
# The adopting coalition's admins are asked, once each per confirmation (the email's key says so).
adoption_confirmation_due = Signal()

# Sent after commit when a member (not an admin) of the adopting coalition records an adoption or moves it to
# a new stage: it is "claimed" until an admin confirms it. kwargs: adoption, by. That coalition's admins are asked.
adoption_claimed = Signal()
