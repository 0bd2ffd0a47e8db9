"""Signals for the apps above (notifications listens; practices knows nothing of email)."""

from django.dispatch import Signal

# Sent after commit the first time a practice is published. kwargs: practice.
practice_published = Signal()
