"""One request of a sweep in its own savepoint, and what came of it: status, error, tables changed."""

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.messages import get_messages
from django.db import connection, transaction
from django.test import Client

from tests.snapshots import changed_tables, snapshot


@dataclass
class Outcome:
    status: int
    response: object = None
    error: str = ""  # the traceback's last lines when the view raised (the test client re-raises)
    changed: list[str] = field(default_factory=list)  # tables whose rows the request changed

    @property
    def is_server_error(self) -> bool:
        return self.status >= 500


class WriteWatch:
    """Notices INSERT, UPDATE and DELETE statements (not the session's), so that the database is
    compared with the baseline only after a request that wrote something."""

    IGNORED_TABLES = ("django_session",)

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE") and not any(t in sql for t in self.IGNORED_TABLES):
            self.wrote = True
        return execute(sql, params, many, context)


def isolated(send: Callable[[], object], *, baseline: dict[str, str] | None = None) -> Outcome:
    """One request in its own savepoint, rolled back afterwards: what it wrote is gone for the next.

    With ``baseline``, ``Outcome.changed`` lists the tables the request left different (read
    inside the savepoint, before the rollback).
    """
    watch = WriteWatch()
    with transaction.atomic(), connection.execute_wrapper(watch):
        try:
            response = send()
        except Exception as exc:  # the test client re-raises what a view raised: a 500 for a person
            outcome = Outcome(500, error=last_lines(exc))
        else:
            outcome = Outcome(response.status_code, response)
        if baseline is not None and watch.wrote:
            outcome.changed = changed_tables(baseline, snapshot())
        transaction.set_rollback(True)
    return outcome


def last_lines(exc: BaseException) -> str:
    """The traceback's last frames in the portal's own code, and the exception: where to fix it."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if "site-packages" not in frame.filename and "/tests/" not in frame.filename
    ]
    shown = traceback.format_list(frames[-3:]) + traceback.format_exception_only(exc)
    return "".join(shown).rstrip()


def error_messages(response) -> list[str]:
    """The error-level messages a response queued (shown on the next page after a redirect)."""
    return [str(m) for m in get_messages(response.wsgi_request) if "error" in m.tags]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def forget_messages(client: Client) -> None:
    """Drop the messages an earlier request left in the client's cookie."""
    client.cookies.pop("messages", None)
