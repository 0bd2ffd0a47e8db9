"""A mail backend for tests that fails on cue: ``ScriptedBackend.script = [SMTPServerDisconnected(), None]``."""

from django.core.mail.backends import locmem


class ScriptedBackend(locmem.EmailBackend):
    """Each send consumes one entry of ``script``: an exception to raise, None to deliver, or a function
    to call mid-send before delivering."""

    script: list = []
    calls = 0

    def send_messages(self, messages):
        ScriptedBackend.calls += 1
        if ScriptedBackend.script:
            outcome = ScriptedBackend.script.pop(0)
            if isinstance(outcome, BaseException):
                raise outcome
            if outcome is not None:
                outcome()  # something that happens while this message is in flight; then it is delivered
        return super().send_messages(messages)


class GateBackend(locmem.EmailBackend):
    """Holds the first send until ``release`` is set, so a test can act while a worker is mid-send."""

    entered = None  # threading.Event set when the first send starts
    release = None  # threading.Event the first send waits for

    def send_messages(self, messages):
        if GateBackend.entered is not None and not GateBackend.entered.is_set():
            GateBackend.entered.set()
            GateBackend.release.wait(timeout=10)
        return super().send_messages(messages)


class ConnectionBackend(locmem.EmailBackend):
    """Behaves like one SMTP connection: after a failed send it is broken until closed (as Django's
    SMTP backend is after a dropped connection), and it records whether it was left open.

    ``ConnectionBackend.script`` as for ``ScriptedBackend``; ``ConnectionBackend.left_open`` counts
    connections used and not closed.
    """

    script: list = []
    left_open = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_open = self.is_broken = False

    def send_messages(self, messages):
        if self.is_broken:
            import smtplib

            raise smtplib.SMTPServerDisconnected("please run connect() first")
        if not self.is_open:
            self.is_open = True
            ConnectionBackend.left_open += 1
        if ConnectionBackend.script:
            outcome = ConnectionBackend.script.pop(0)
            if outcome is not None:
                self.is_broken = True
                raise outcome
        return super().send_messages(messages)

    def close(self):
        if self.is_open:
            ConnectionBackend.left_open -= 1
        self.is_open = self.is_broken = False


class HoldBackend(locmem.EmailBackend):
    """Holds the first send to an address in ``holds`` until its release event is set.

    ``HoldBackend.holds = {"alice@example.org": (entered, release)}`` (threading.Events): the send
    to Alice sets ``entered`` and waits for ``release``; later sends to her go straight through.
    """

    holds: dict = {}

    def send_messages(self, messages):
        for message in messages:
            for address in message.to:
                hold = HoldBackend.holds.pop(address, None)
                if hold is not None:
                    entered, release = hold
                    entered.set()
                    release.wait(timeout=10)
        return super().send_messages(messages)
