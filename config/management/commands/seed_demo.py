"""Demo data for a newcomer: coalitions and people, then practices, meetings and email settings.

Safe to run twice: every app's ``demo.seed`` looks things up by natural key before creating.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from calls import demo as calls_demo
from coalitions import demo as coalitions_demo
from meetings import demo as meetings_demo
from notifications import demo as notifications_demo
from practices import demo as practices_demo


class Command(BaseCommand):
    help = "Create (or complete) the demo coalitions, people, practices and meetings. Safe to run twice."

    def handle(self, *args, **options):
        with transaction.atomic():
            people = coalitions_demo.seed(stdout=self.stdout)
            practices = practices_demo.seed(people=people, stdout=self.stdout)
            meetings_demo.seed(people=people, practices=practices, stdout=self.stdout)
            calls_demo.seed(people=people, stdout=self.stdout)
            notifications_demo.seed(people=people, stdout=self.stdout)
        coalitions_demo.print_accounts(stdout=self.stdout, style=self.style)
