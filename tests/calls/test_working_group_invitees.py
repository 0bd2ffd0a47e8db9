"""A shared need's working group invites the co-signers and the need's author; the need links to it."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from calls import services
from meetings.models import Meeting
from notifications.models import Delivery
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_working_group_invites_each_cosigner_and_the_author(
    shared_need,
    partnership_admin_client,
    member,
    other_member,
    django_capture_on_commit_callbacks,
):
    kc_signer = shared_need.signatures.get(context="KC streetcar too.").user

    with django_capture_on_commit_callbacks(execute=True):
        response = partnership_admin_client.post(reverse("calls:need_meeting", args=[shared_need.pk]), meeting_body())

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert set(meeting.invitees.values_list("user_id", flat=True)) == {member.pk, other_member.pk, kc_signer.pk}
    # Each gets one invitation through the email road.
    assert sorted(Delivery.objects.filter(kind=Delivery.Kind.INVITED).values_list("user_id", flat=True)) == sorted(
        [member.pk, other_member.pk, kc_signer.pk]
    )
    assert {m.to[0] for m in mail.outbox} == {member.email, other_member.email, kc_signer.email}


def test_the_form_may_invite_more_members_besides_the_cosigners(
    shared_need,
    partnership_admin_client,
    coalition,
):
    extra = UserFactory(email="grace@example.org")
    MembershipFactory(user=extra, coalition=coalition)

    partnership_admin_client.post(
        reverse("calls:need_meeting", args=[shared_need.pk]), meeting_body(invitees="GRACE@example.org")
    )

    meeting = Meeting.objects.get()
    assert extra.pk in set(meeting.invitees.values_list("user_id", flat=True))
    assert meeting.invitees.count() == 4


def test_a_cosigner_who_left_every_coalition_is_not_invited(shared_need, partnership_admin, other_member):
    other_member.memberships.all().delete()

    meeting = services.plan_working_group(need=shared_need, by=partnership_admin, data=_data())

    assert other_member.pk not in set(meeting.invitees.values_list("user_id", flat=True))


def test_the_need_page_links_to_its_working_group(shared_need, partnership_admin, member_client):
    meeting = services.plan_working_group(need=shared_need, by=partnership_admin, data=_data())

    body = member_client.get(shared_need.get_absolute_url()).content.decode()

    assert f'href="{meeting.get_absolute_url()}"' in body


def _data():
    start = timezone.now() + dt.timedelta(days=20)
    return {"title": "Working group", "start": start, "end": start + dt.timedelta(hours=1), "time_zone": "UTC",
            "host_coalition": None}  # fmt: skip


def meeting_body(**overrides):
    day = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    body = {"title": "Working group: bus stop counts", "description": "Co-signers meet.", "date": day,
            "start_time": "11:00", "end_time": "12:00", "time_zone": "America/Denver", "video_link": "",
            "host_coalition": "", "invitees": ""}  # fmt: skip
    return {**body, **overrides}
