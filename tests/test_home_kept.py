"""A member's home is kept in the shared cache per member: the next visit reads none of its sections, and
any change to what it shows (a practice, a meeting or an answer, a join request, an invitation, the focus
areas followed) is on the very next visit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config import selectors
from practices import selectors as practice_selectors
from tests.factories import (
    FocusAreaFactory,
    InviteeFactory,
    JoinRequestFactory,
    MeetingFactory,
    PracticeFactory,
    PreferenceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# As the ORM names them (quoted): the request's own statement of the reader's roles names join requests too.
SECTION_TABLES = ('FROM "meetings_meeting"', 'FROM "practices_practice"', 'FROM "practices_comment"')


@pytest.fixture(autouse=True)
def _a_shared_cache():
    assert practice_selectors.shared_cache() is not None, "the tests' settings keep a shared cache"


def visit(client) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def test_a_members_next_visit_reads_none_of_their_homes_sections(member, member_client, coalition, other_member):
    PracticeFactory(title="Ransomware drill", author=other_member)
    MeetingFactory(host_coalition=coalition, title="December call", start=timezone.now() + dt.timedelta(days=3))
    first, cold = visit(member_client)
    again, warm = visit(member_client)
    assert "Ransomware drill" in again and "December call" in again
    assert any(table in sql for sql in cold for table in SECTION_TABLES)
    assert not any(table in sql for sql in warm for table in SECTION_TABLES), "\n".join(warm)


def test_a_home_is_its_members_own(member, member_client, other_member_client, coalition):
    PracticeFactory(title="Unfinished curb draft", author=member, coalition=coalition, status="draft")
    assert "Unfinished curb draft" in visit(member_client)[0]
    assert "Unfinished curb draft" not in visit(other_member_client)[0]


def test_a_practice_published_since_is_on_the_next_visit(member_client, other_member):
    visit(member_client)
    PracticeFactory(title="Curb data standard", author=other_member)
    assert "Curb data standard" in visit(member_client)[0]


def test_an_invitation_is_on_the_next_visit(member, member_client, other_coalition):
    meeting = MeetingFactory(
        host_coalition=other_coalition, title="Working group on curbs", start=timezone.now() + dt.timedelta(days=5)
    )
    assert 'id="invitations"' not in visit(member_client)[0]
    InviteeFactory(meeting=meeting, user=member)
    body = visit(member_client)[0]
    assert "Working group on curbs" in body[body.index('id="invitations"') :]


def test_a_join_request_is_on_its_admins_next_visit(coalition_admin_client, coalition):
    applicant = UserFactory(profile__full_name="Jamie Cole")  # before the first visit: only the request is new
    visit(coalition_admin_client)
    JoinRequestFactory(coalition=coalition, user=applicant)
    body = visit(coalition_admin_client)[0]
    assert "Jamie Cole" in body[body.index('id="join-requests"') :]


def test_a_focus_area_followed_is_on_the_next_visit(member, member_client, other_member):
    security = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    preference = PreferenceFactory(user=member)
    PracticeFactory(title="Signal priority", author=other_member)
    assert "Signal priority" in visit(member_client)[0]
    preference.focus_areas.add(security)
    body = visit(member_client)[0]
    assert "In the focus areas you follow:" in body and "Signal priority" not in body


def test_a_generation_renewed_only_by_the_homes_own_changes(member):
    shared = practice_selectors.shared_cache()
    before = practice_selectors.generation(shared, selectors.HOME_GENERATION_KEY)
    PreferenceFactory(user=member)
    assert practice_selectors.generation(shared, selectors.HOME_GENERATION_KEY) != before
