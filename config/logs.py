"""How the portal logs: one JSON object a line in production, one readable line a record in development.

A log system (journald, Loki, CloudWatch, Elastic…) ingests the JSON lines as they are: every line
has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``, plus the fields a record was
given with ``extra=`` (the request log's ``method``, ``path``, ``status``, ``duration_ms``,
``queries``), and ``exc`` with the traceback when there is one.
"""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request", "server_time"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name, value in record.__dict__.items():
            if name not in _STANDARD and not name.startswith("_"):
                line[name] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class ExpectedRefusalsWithoutTraceback(logging.Filter):
    """An expected refusal (403, 404, 400…) is one line, not a traceback.

    Django logs every 4xx that a view raised (``PermissionDenied``, ``Http404``) with the exception
    attached, so a member's refused click printed a whole traceback. The line keeps the status and
    the path; tracebacks stay for 5xx, where someone has to look.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
