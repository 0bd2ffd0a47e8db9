"""A coalition's page shows members its insights block (the funding programs behind its practices, its
members at the partnership's last meeting; the page's tiles count what it shared and reused) and links to
the insights page filtered to it; visitors who may not open the insights page see none of it."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from practices.models import FundingProgram, Practice
from tests.factories import (
    MeetingFactory,
    MembershipFactory,
    PracticeFactory,
    RSVPFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(coalition, other_coalition):
    arpa = FundingProgram.objects.get(slug="arpa-slfrf")
    bead = FundingProgram.objects.get(slug="bead")
    fta = FundingProgram.objects.get(slug="fta")
    PracticeFactory(coalition=coalition, funding_programs=[arpa, bead], visibility=Practice.Visibility.PUBLIC)
    PracticeFactory(coalition=coalition, funding_programs=[fta], status=Practice.Status.DRAFT, published_at=None)
    PracticeFactory(coalition=other_coalition, funding_programs=[fta])


def page(client, coalition):
    return client.get(reverse("coalitions:detail", args=[coalition.slug])).content.decode()


def test_members_see_the_programs_it_used_and_a_link_to_its_insights(other_member_client, coalition, funded):
    text = page(other_member_client, coalition)
    assert f'href="{reverse("insights:index")}?coalition={coalition.slug}"' in text
    assert "ARPA State and Local Fiscal Recovery Funds</a>" in text and "BEAD broadband program</a>" in text
    assert "FTA grants" not in text  # only a draft of this coalition, and another coalition's practice, name it


def test_a_coalition_without_programs_says_so(member_client, other_coalition):
    assert "Its practices name no funding program yet." in page(member_client, other_coalition)


def test_visitors_and_non_members_see_no_insights_block(client, outsider_client, coalition, funded):
    for viewer in (client, outsider_client):
        assert reverse("insights:index") not in page(viewer, coalition)


def figures_of(text: str) -> dict[str, str]:
    """{term: its value as words}, from the summary's <dl>."""
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", text)
    return {term: " ".join(re.sub(r"<[^>]+>", " ", value).split()) for term, value in pairs}


def test_the_summary_counts_its_members_at_the_last_meeting_held(other_member_client, member, coalition):
    now = timezone.now()
    earlier = MeetingFactory(title="Earlier call", start=now - dt.timedelta(days=40))
    last = MeetingFactory(title="Last call", start=now - dt.timedelta(days=10))
    MeetingFactory(title="Cancelled", start=now - dt.timedelta(days=2), status="cancelled")
    MeetingFactory(title="Next call", start=now + dt.timedelta(days=5))
    colleague, outsider = UserFactory(), UserFactory()
    MembershipFactory(user=colleague, coalition=coalition)
    for meeting, user, answer in ((last, member, "yes"), (last, colleague, "no"), (last, outsider, "yes"),
                                  (earlier, colleague, "yes")):  # fmt: skip
        RSVPFactory(meeting=meeting, user=user, answer=answer)
    shown = figures_of(page(other_member_client, coalition))
    assert shown["At the last partnership meeting"].startswith("1 member (Last call,")


def test_the_summary_says_when_no_meeting_was_held_yet(member_client, coalition):
    MeetingFactory(title="Next call", start=timezone.now() + dt.timedelta(days=5))
    assert figures_of(page(member_client, coalition))["At the last partnership meeting"] == "no meeting held yet"
