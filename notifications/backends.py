"""The default mail backend of a machine without SMTP: one ``.eml`` file per message in ``var/mail/``.

Django's file backend appends every message of a connection to one ``.log`` file (a chunk of 200
digests in one file). One standard ``.eml`` file per message opens in any mail client, and its name
says when, to whom and what: ``20261110-150002-alice-reminder-partnership-monthly-call-3f9c.eml``.
"""

import datetime
import os
import uuid

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend
from django.utils.text import slugify


class EmlFileBackend(FileEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            path = os.path.join(self.file_path, self._name_for(message))
            # "xb": never overwrite; the random suffix makes a collision practically impossible.
            with open(path, "xb") as stream:
                stream.write(message.message().as_bytes(linesep="\n"))
            sent += 1
        return sent

    def _name_for(self, message) -> str:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        recipient = slugify((message.to or ["nobody"])[0].split("@")[0])[:30]
        subject = slugify(message.subject)[:50]
        return f"{stamp}-{recipient}-{subject}-{uuid.uuid4().hex[:4]}.eml"
