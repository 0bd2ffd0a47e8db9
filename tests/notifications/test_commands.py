"""send_reminders and send_digests: the same services, once, from cron or a shell."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from coalitions.models import Membership
from notifications.models import Delivery, Preference
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def command(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def news_for_alice(frozen, member):
    Membership.objects.filter(user=member).update(joined=timezone.now() - dt.timedelta(days=90))
    PracticeFactory(title="Leak sensors", published_at=timezone.now() - dt.timedelta(days=1))
    return member


def test_send_reminders_sends_due_reminders_inline_and_says_so(meeting_tomorrow, member, coalition_admin):
    output = command("send_reminders")

    assert len(mail.outbox) == 2
    assert "Due: 2 reminders" in output
    assert "2 sent, 0 skipped" in output
    assert "2 sent" not in command("send_reminders")  # nothing twice


def test_send_digests_dry_run_shows_what_would_go_and_writes_nothing(news_for_alice):
    output = command("send_digests", "--dry-run", "--user", "ALICE@example.org")

    assert "alice@example.org: 1 practices" in output
    assert "1 digests due, 1 would be sent" in output
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_send_digests_for_one_member_sends_now_once_per_period(news_for_alice):
    output = command("send_digests", "--user", "alice@example.org")
    command("send_digests", "--user", "alice@example.org")

    assert "1 sent" in output
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    # Tuesday, November 10: the current weekly period began Monday the 9th (ISO week 46).
    assert Delivery.objects.get().key == f"digest:{news_for_alice.pk}:2026-W46"


def test_send_digests_without_user_sends_only_the_due(news_for_alice, other_member):
    Preference.objects.create(user=news_for_alice, next_digest_at=timezone.now() - dt.timedelta(minutes=5))

    command("send_digests")

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert Preference.objects.get(user=other_member).next_digest_at > timezone.now()


def test_send_digests_refuses_an_unknown_member(db):
    with pytest.raises(CommandError, match="No member"):
        command("send_digests", "--user", "nobody@example.org")
