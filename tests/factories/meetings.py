import datetime as dt

import factory
from django.utils import timezone

from meetings.models import RSVP, AgendaItem, Invitee, Meeting, MeetingSeries

from .coalitions import UserFactory

__all__ = ["AgendaItemFactory", "InviteeFactory", "MeetingFactory", "MeetingSeriesFactory", "RSVPFactory"]


class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    """Second Tuesday, 11:00 Denver time, one hour."""

    class Meta:
        model = MeetingSeries

    title = "Partnership monthly call"
    rule_kind = MeetingSeries.RuleKind.NTH_WEEKDAY
    week_of_month = 2
    weekday = 1
    local_start_time = dt.time(11, 0)
    duration_minutes = 60
    time_zone = "America/Denver"
    video_link = "https://meet.example.org/partnership"


class MeetingFactory(factory.django.DjangoModelFactory):
    """A one-off meeting a week from now, one hour long."""

    class Meta:
        model = Meeting

    title = "Partnership monthly call"
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + dt.timedelta(days=7))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=1))
    time_zone = "America/Denver"
    video_link = "https://meet.example.org/partnership"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Agenda item {n}")


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    answer = RSVP.Answer.YES


class InviteeFactory(factory.django.DjangoModelFactory):
    """A member named on a meeting (written directly: no invitation email is queued)."""

    class Meta:
        model = Invitee

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
