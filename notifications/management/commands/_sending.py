"""Shared by send_reminders and send_digests: send collected keys inline, with a progress bar."""

from django.conf import settings
from tqdm import tqdm

from notifications.mail import SendReport, send_deliveries


def send_inline(keys: list[str], *, stdout, desc: str) -> SendReport:
    """Send in chunks, as the workers would; transient failures stay pending for the next tick."""
    report = SendReport()
    size = settings.NOTIFICATIONS_CHUNK_SIZE
    with tqdm(total=len(keys), desc=desc, unit="email", file=stdout, disable=not keys) as bar:
        for start in range(0, len(keys), size):
            chunk = keys[start : start + size]
            report.merge(send_deliveries(keys=chunk))
            bar.update(len(chunk))
    return report


def summary(report: SendReport) -> str:
    return (
        f"{len(report.sent)} sent, {len(report.skipped)} skipped, {len(report.failed)} failed, "
        f"{len(report.bounced)} bounced, {len(report.retry_keys)} to retry"
    )
