"""A mail backend for tests that fails on cue: ``ScriptedBackend.script = [SMTPServerDisconnected(), None]``."""

from django.core.mail.backends import locmem


class ScriptedBackend(locmem.EmailBackend):
    """Each send consumes one entry of ``script``: an exception to raise, or None to deliver."""

    script: list = []
    calls = 0

    def send_messages(self, messages):
        ScriptedBackend.calls += 1
        if ScriptedBackend.script:
            outcome = ScriptedBackend.script.pop(0)
            if outcome is not None:
                raise outcome
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
