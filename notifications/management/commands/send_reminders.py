from django.core.management.base import BaseCommand

from notifications.outbox import collect_keys
from notifications.services import run_reminder_tick

from ._sending import send_inline, summary


class Command(BaseCommand):
    help = (
        "Run the reminder tick once (due reminders, change notices, minutes nudges, follow-ups, stuck rows) "
        "and send the emails in this process. Safe to run from cron next to the Celery beat: every email is "
        "claimed by its unique key, so nothing goes out twice."
    )

    def handle(self, *args, **options):
        with collect_keys() as keys:
            report = run_reminder_tick()
        self.stdout.write(
            f"Due: {report.reminders} reminders, {report.changes} change notices, {report.nudges} minutes nudges, "
            f"{report.followups} follow-ups; {report.requeued} stuck deliveries picked up again."
        )
        sent = send_inline(keys, stdout=self.stdout, desc="Sending")
        self.stdout.write(self.style.SUCCESS(f"Done: {summary(sent)}."))
