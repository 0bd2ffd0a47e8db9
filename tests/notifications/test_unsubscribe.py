"""Signed unsubscribe links: RFC 8058 one-click, a confirm page for people, undo and "monthly instead"."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications import tokens
from notifications.models import Preference
from notifications.services import run_reminder_tick
from notifications.tokens import make_unsubscribe_token
from tests.factories.notifications import PreferenceFactory

pytestmark = pytest.mark.django_db


def url(name, user, kind=tokens.DIGEST):
    return reverse(f"notifications:{name}", args=[make_unsubscribe_token(user_id=user.pk, kind=kind)])


def preference(user):
    return Preference.objects.get(user=user)


def test_every_reminder_carries_one_click_unsubscribe_headers_and_link(run, meeting_tomorrow, member):
    run(run_reminder_tick)

    (message,) = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith("http://testserver/email/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert tokens.read_unsubscribe_token(link.rsplit("/", 2)[1]) == tokens.UnsubscribeToken(member.pk, "reminders")


def test_one_click_post_unsubscribes_at_once_without_csrf_or_login(member):
    PreferenceFactory(user=member)
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        url("unsubscribe", member),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert preference(member).digest_frequency == Preference.Frequency.OFF


def test_one_click_post_for_reminders_turns_only_reminders_off(member):
    PreferenceFactory(user=member)

    Client(enforce_csrf_checks=True).post(
        url("unsubscribe", member, tokens.REMINDERS), {"List-Unsubscribe": "One-Click"}
    )

    assert preference(member).wants_reminders is False
    assert preference(member).digest_frequency == Preference.Frequency.WEEKLY


def test_following_the_link_changes_nothing_until_the_button_is_pressed(client, member):
    PreferenceFactory(user=member)

    response = client.get(url("unsubscribe", member))

    assert response.status_code == 200
    assert "Unsubscribe from the practice digest?" in response.content.decode()
    assert preference(member).digest_frequency == Preference.Frequency.WEEKLY


def test_get_on_a_member_without_preferences_creates_nothing(client, member):
    client.get(url("unsubscribe", member))

    assert not Preference.objects.filter(user=member).exists()


def test_confirm_button_unsubscribes_and_shows_undo_and_monthly_offer(client, member):
    PreferenceFactory(user=member)

    response = client.post(url("unsubscribe", member), follow=True)

    page = response.content.decode()
    assert preference(member).digest_frequency == Preference.Frequency.OFF
    assert "You are unsubscribed" in page
    assert "Undo: send it weekly again" in page
    assert "Send it monthly instead" in page


def test_undo_restores_what_was_there(client, member):
    PreferenceFactory(user=member, digest_frequency=Preference.Frequency.MONTHLY)
    client.post(url("unsubscribe", member))

    response = client.post(url("unsubscribe_change", member), {"action": "undo", "previous": "monthly"}, follow=True)

    assert preference(member).digest_frequency == Preference.Frequency.MONTHLY
    assert preference(member).next_digest_at is not None
    assert "You get the practice digest" in response.content.decode()


def test_monthly_instead_of_nothing(client, member):
    PreferenceFactory(user=member)
    client.post(url("unsubscribe", member))

    client.post(url("unsubscribe_change", member), {"action": "monthly", "previous": "weekly"})

    assert preference(member).digest_frequency == Preference.Frequency.MONTHLY


def test_undo_turns_reminders_back_on(client, member):
    PreferenceFactory(user=member, wants_reminders=False)

    client.post(url("unsubscribe_change", member, tokens.REMINDERS), {"action": "undo"})

    assert preference(member).wants_reminders is True


def test_monthly_offer_is_refused_for_reminders(client, member):
    PreferenceFactory(user=member, wants_reminders=False)

    response = client.post(url("unsubscribe_change", member, tokens.REMINDERS), {"action": "monthly"})

    assert response.status_code == 400
    assert preference(member).wants_reminders is False


def test_forged_token_is_refused_and_changes_nothing(client, member):
    PreferenceFactory(user=member)
    from django.core import signing

    forged = signing.dumps({"u": member.pk, "k": "digest"}, key="not-our-secret-key", salt=tokens.SALT)

    for name in ("unsubscribe", "unsubscribe_done"):
        response = client.get(reverse(f"notifications:{name}", args=[forged]))
        assert response.status_code == 400
    response = client.post(reverse("notifications:unsubscribe", args=[forged]), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    assert "This unsubscribe link is not valid" in response.content.decode()
    assert preference(member).digest_frequency == Preference.Frequency.WEEKLY


def test_altered_token_is_refused_and_changes_nothing(client, member, other_member):
    PreferenceFactory(user=other_member)
    token = make_unsubscribe_token(user_id=member.pk, kind=tokens.DIGEST)
    # Swap in Charlie's id, keeping Alice's signature.
    payload, rest = token.split(":", 1)
    altered_payload = make_unsubscribe_token(user_id=other_member.pk, kind=tokens.DIGEST).split(":", 1)[0]
    altered = f"{altered_payload}:{rest}"

    response = client.post(reverse("notifications:unsubscribe", args=[altered]), {"List-Unsubscribe": "One-Click"})
    truncated = client.post(reverse("notifications:unsubscribe", args=[token[:-3]]), {"List-Unsubscribe": "One-Click"})

    assert (response.status_code, truncated.status_code) == (400, 400)
    assert preference(other_member).digest_frequency == Preference.Frequency.WEEKLY
    assert not Preference.objects.filter(user=member).exists()


def test_token_for_a_deleted_member_is_a_404(client, member):
    link = url("unsubscribe", member)
    member.delete()

    assert client.get(link).status_code == 404
    assert client.post(link, {"List-Unsubscribe": "One-Click"}).status_code == 404


def test_unknown_kind_cannot_be_signed():
    with pytest.raises(ValueError):
        make_unsubscribe_token(user_id=1, kind="everything")


def test_a_year_old_link_still_unsubscribes(client, member):
    PreferenceFactory(user=member)
    with time_machine.travel(dt.datetime(2025, 11, 10, 15, 0, tzinfo=dt.UTC), tick=False):
        link = url("unsubscribe", member)  # in last year's email

    with time_machine.travel(dt.datetime(2026, 11, 12, 15, 0, tzinfo=dt.UTC), tick=False):
        page = client.get(link)
        response = client.post(link, {"List-Unsubscribe": "One-Click"})

    assert page.status_code == 200
    assert response.status_code == 200
    assert preference(member).digest_frequency == Preference.Frequency.OFF


@pytest.fixture
def retired_kind_token(member, monkeypatch):
    """A genuine link from an email about a kind we sent then and no longer send."""
    PreferenceFactory(user=member)
    monkeypatch.setitem(tokens.KIND_LABELS, "newsletter", "the newsletter")
    token = make_unsubscribe_token(user_id=member.pk, kind="newsletter")
    monkeypatch.delitem(tokens.KIND_LABELS, "newsletter")
    return token


def test_a_link_naming_a_kind_we_no_longer_send_is_a_clear_400(client, member, retired_kind_token):
    responses = [
        client.get(reverse("notifications:unsubscribe", args=[retired_kind_token])),
        client.post(reverse("notifications:unsubscribe", args=[retired_kind_token]), {"List-Unsubscribe": "One-Click"}),
        client.post(reverse("notifications:unsubscribe", args=[retired_kind_token])),
        client.get(reverse("notifications:unsubscribe_done", args=[retired_kind_token])),
        client.post(reverse("notifications:unsubscribe_change", args=[retired_kind_token]), {"action": "undo"}),
    ]

    assert [r.status_code for r in responses] == [400] * 5
    for response in responses:
        assert "We no longer send this kind of email" in response.content.decode()
    saved = preference(member)
    assert (saved.digest_frequency, saved.wants_reminders) == (Preference.Frequency.WEEKLY, True)


def test_reading_a_token_for_a_retired_kind_says_so(retired_kind_token):
    with pytest.raises(tokens.RetiredKind):
        tokens.read_unsubscribe_token(retired_kind_token)


@pytest.mark.parametrize(
    "payload",
    [[1, "digest"], {"u": "1", "k": "digest"}, {"u": 1, "k": 7}, {"k": "digest"}, "digest"],
    ids=["a list", "id as text", "kind as number", "no id", "a bare string"],
)
def test_a_signed_payload_of_the_wrong_shape_is_a_400_not_a_500(client, member, payload):
    """Signed with our key, so not forged: an older or buggy link format must still be refused cleanly."""
    from django.core import signing

    token = signing.dumps(payload, salt=tokens.SALT)

    with pytest.raises(tokens.InvalidToken):
        tokens.read_unsubscribe_token(token)
    assert client.get(reverse("notifications:unsubscribe", args=[token])).status_code == 400
    assert client.post(reverse("notifications:unsubscribe", args=[token])).status_code == 400


def test_the_email_names_what_the_link_turns_off(run, meeting_tomorrow, member):
    run(run_reminder_tick)

    (message,) = mail.outbox
    assert "Unsubscribe from meeting reminders and follow-ups" in message.body
    assert "Unsubscribe from meeting reminders and follow-ups" in message.alternatives[0][0]
