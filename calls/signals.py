"""Signals for the apps above (notifications listens; calls knows nothing of email).

Each is sent after commit.
"""

from django.dispatch import Signal

# A submission was made (kwargs: submission, verify_url, edit_url). Its submitter is sent the
# verification link, or, for a member whose address is already verified, the receipt.
submission_received = Signal()

# A submission's address was verified (kwargs: submission, edit_url): the receipt, with the edit link.
submission_verified = Signal()

# An evaluator's scoring deadline is near (kwargs: evaluator). Sent by the reminder tick; the email's
# key names the evaluator, so each is reminded once however often the tick runs.
evaluation_due = Signal()

# The owners sent the decisions (kwargs: call). Each verified submitter is told their status, once.
decisions_sent = Signal()
