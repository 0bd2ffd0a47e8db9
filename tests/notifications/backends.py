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
