"""The home page, per role: a member's "what needs me this week", the way in for someone in no
coalition yet, the landing page for visitors; each in a fixed number of queries."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from coalitions.models import JoinRequest
from meetings.models import RSVP
from practices.models import Practice
from tests.factories import (
    AdoptionFactory,
    CommentFactory,
    FocusAreaFactory,
    InviteeFactory,
    JoinRequestFactory,
    MeetingFactory,
    PracticeFactory,
    PreferenceFactory,
    RSVPFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_figures():
    """The landing page's figures live in the shared cache; each test counts its own."""
    cache.clear()
    yield
    cache.clear()


def page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _seed(coalition, other_coalition, author, n):
    """``n`` practices of each visibility, adoptions, comments on ``author``'s practices, drafts,
    meetings (answered and not), join requests and meetings waiting for minutes."""
    area = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    for i in range(n):
        practice = PracticeFactory(
            coalition=coalition,
            author=author,
            title=f"Shared practice {i}",
            visibility=Practice.Visibility.PUBLIC if i % 2 else Practice.Visibility.MEMBERS,
            focus_areas=[area],
            tags=["rfp", f"tag {i}"],
        )
        AdoptionFactory(practice=practice, coalition=other_coalition)
        CommentFactory(practice=practice)
        PracticeFactory(coalition=coalition, author=author, status=Practice.Status.DRAFT, title=f"Draft {i}")
        meeting = MeetingFactory(host_coalition=coalition, start=timezone.now() + dt.timedelta(days=i + 1, hours=1))
        RSVPFactory(meeting=meeting, user=author, answer=RSVP.Answer.YES)
        InviteeFactory(meeting=meeting, user=author)
        MeetingFactory(host_coalition=coalition, start=timezone.now() - dt.timedelta(days=i + 2))
        JoinRequestFactory(coalition=coalition)


# --- Visitors ------------------------------------------------------------------------------------


def test_anonymous_visitor_sees_public_practices_only(client, coalition):
    PracticeFactory(coalition=coalition, title="Open broadband map", visibility=Practice.Visibility.PUBLIC)
    PracticeFactory(coalition=coalition, title="Internal ransomware drill", visibility=Practice.Visibility.MEMBERS)
    body = page(client)
    assert "Open broadband map" in body
    assert "Internal ransomware drill" not in body


def test_anonymous_visitor_is_invited_to_sign_up_and_told_how_it_works(client, db):
    body = page(client)

    assert f'href="{reverse("account_signup")}">Join the exchange</a>' in body
    assert "How it works" in body


def test_landing_page_gives_the_partnership_figures(client, coalition, other_coalition):
    shared = PracticeFactory(coalition=coalition, visibility=Practice.Visibility.PUBLIC)
    PracticeFactory(coalition=coalition)  # members-only: counted, never listed
    PracticeFactory(coalition=coalition, status=Practice.Status.DRAFT)  # not counted
    AdoptionFactory(practice=shared, coalition=other_coalition)
    MeetingFactory(title="Quarterly cybersecurity roundtable")

    body = page(client)

    figures = body[body.index("The partnership in figures") :]
    assert '<span class="stat-number">2</span> <span class="stat-label">coalitions</span>' in figures
    assert '<span class="stat-number">2</span> <span class="stat-label">practices shared</span>' in figures
    assert '<span class="stat-number">1</span> <span class="stat-label">adoption</span>' in figures
    assert "Quarterly cybersecurity roundtable" in figures


def test_landing_figures_are_cached_not_counted_on_every_visit(client, coalition, django_assert_max_num_queries):
    PracticeFactory(coalition=coalition, visibility=Practice.Visibility.PUBLIC)
    page(client)
    PracticeFactory(coalition=coalition, visibility=Practice.Visibility.PUBLIC)

    with django_assert_max_num_queries(BUDGETS["client"] - 4):
        body = page(client)

    assert '<span class="stat-number">1</span> <span class="stat-label">practice shared</span>' in body


def test_landing_figures_say_when_no_meeting_is_planned(client, db):
    MeetingFactory(title="Called-off session", status="cancelled")

    assert "To be announced" in page(client)


def test_next_meetings_leave_out_cancelled_ones(client, db):
    MeetingFactory(title="Quarterly cybersecurity roundtable")
    MeetingFactory(title="Called-off session", status="cancelled")
    body = page(client)
    assert "Quarterly cybersecurity roundtable" in body
    assert "Called-off session" not in body


def test_visitors_get_no_personal_header_links(client, db):
    body = page(client)

    assert reverse("practices:mine") not in body
    assert reverse("notifications:preferences") not in body


# --- Signed in, in no coalition yet ----------------------------------------------------------------


def test_signed_in_outsider_is_offered_each_coalition_to_ask_to_join(outsider_client, coalition):
    body = page(outsider_client)

    assert reverse("coalitions:join", args=[coalition.slug]) in body
    assert reverse("practices:create") not in body


def test_outsider_with_a_pending_request_sees_it_instead_of_ask_to_join(outsider, outsider_client, coalition):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)

    body = page(outsider_client)

    assert "Your request is pending" in body
    assert coalition.name in body
    assert reverse("coalitions:withdraw_request", args=[join_request.pk]) in body
    assert reverse("coalitions:join", args=[coalition.slug]) not in body


def test_withdrawing_from_home_asks_first_then_returns_home(outsider, outsider_client, coalition):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)
    url = reverse("coalitions:withdraw_request", args=[join_request.pk]) + "?next=home"

    asked = outsider_client.get(url).content.decode()
    assert f"Withdraw your request to join {coalition.name}?" in asked
    assert f'href="{reverse("home")}"' in asked  # "Keep my request" goes back home
    assert JoinRequest.objects.filter(pk=join_request.pk).exists()

    response = outsider_client.post(url, {"confirmed": "yes", "next": "home"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not JoinRequest.objects.filter(pk=join_request.pk).exists()


def test_withdraw_ignores_a_return_address_it_does_not_know(outsider, outsider_client, coalition):
    join_request = JoinRequestFactory(user=outsider, coalition=coalition)
    url = reverse("coalitions:withdraw_request", args=[join_request.pk])

    response = outsider_client.post(url, {"confirmed": "yes", "next": "https://evil.example/"})

    assert response["Location"] == coalition.get_absolute_url()


def test_unverified_newcomer_is_told_to_confirm_the_email_first(client, coalition):
    client.force_login(UserFactory(verified=False))

    body = page(client)

    assert "confirm your email address" in body
    assert reverse("coalitions:join", args=[coalition.slug]) not in body


def test_signed_in_outsider_does_not_see_member_names(outsider_client, member):
    assert "Alice Archer" not in page(outsider_client)


def test_outsider_header_links_email_preferences_but_not_the_member_calendar(outsider_client):
    body = page(outsider_client)

    assert reverse("notifications:preferences") in body
    assert reverse("meetings:calendar") not in body


# --- Members ---------------------------------------------------------------------------------------


def test_member_header_links_home_practices_calendar_and_email_preferences(member_client, db):
    response = member_client.get(reverse("practices:list"))
    header = response.content.decode().split("</header>")[0]

    for name in ("home", "practices:mine", "meetings:calendar", "notifications:preferences"):
        assert f'href="{reverse(name)}"' in header, name


@pytest.mark.parametrize("persona", ["member_client", "partnership_admin_client"])
def test_members_and_partnership_admins_are_offered_to_share(request, persona):
    body = page(request.getfixturevalue(persona))

    assert f'href="{reverse("practices:create")}">Share a practice</a>' in body


def test_member_sees_next_meetings_with_their_answer_and_a_one_click_form(member, member_client):
    answered = MeetingFactory(title="Partnership monthly call")
    RSVPFactory(meeting=answered, user=member, answer=RSVP.Answer.MAYBE)
    MeetingFactory(title="Curb data working session", start=timezone.now() + dt.timedelta(days=9))
    MeetingFactory(title="Called-off session", status="cancelled")

    body = page(member_client)

    assert "Curb data working session" in body
    assert "Called-off session" not in body
    row = body[body.index(f'id="meeting-{answered.pk}"') :]
    row = row[: row.index("</li>")]
    assert f'action="{reverse("home_rsvp", args=[answered.pk])}"' in row
    assert 'value="maybe" class="rsvp-maybe" aria-pressed="true"' in row
    assert 'value="yes" class="rsvp-yes secondary" aria-pressed="false"' in row


def test_one_click_answer_records_it_and_returns_home(member, member_client):
    meeting = MeetingFactory()

    response = member_client.post(reverse("home_rsvp", args=[meeting.pk]), {"answer": "yes"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('home')}#meeting-{meeting.pk}"
    assert RSVP.objects.get(meeting=meeting, user=member).answer == RSVP.Answer.YES
    assert "your answer for Partnership monthly call is “yes”" in page(member_client)


def test_one_click_answer_changes_an_earlier_one(member, member_client):
    meeting = MeetingFactory()
    RSVPFactory(meeting=meeting, user=member, answer=RSVP.Answer.YES)

    member_client.post(reverse("home_rsvp", args=[meeting.pk]), {"answer": "no"})

    assert RSVP.objects.get(meeting=meeting, user=member).answer == RSVP.Answer.NO


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ("sure", "scheduled", "Answer yes, maybe or no."),
        ("yes", "cancelled", "was cancelled"),
    ],
)
def test_one_click_answer_refuses_bad_input_with_a_message(member_client, answer, status, message):
    meeting = MeetingFactory(status=status)

    response = member_client.post(reverse("home_rsvp", args=[meeting.pk]), {"answer": answer}, follow=True)

    assert message in response.content.decode()
    assert not RSVP.objects.filter(meeting=meeting).exists()


def test_one_click_answer_after_the_start_is_refused(member_client):
    meeting = MeetingFactory(start=timezone.now() - dt.timedelta(minutes=5))

    response = member_client.post(reverse("home_rsvp", args=[meeting.pk]), {"answer": "yes"}, follow=True)

    assert "already started" in response.content.decode()
    assert not RSVP.objects.exists()


def test_outsider_cannot_answer_from_home(outsider_client):
    meeting = MeetingFactory()

    response = outsider_client.post(reverse("home_rsvp", args=[meeting.pk]), {"answer": "yes"}, follow=True)

    assert "Only members of a coalition can RSVP." in response.content.decode()
    assert not RSVP.objects.exists()


def test_anonymous_answer_goes_to_login_and_a_get_changes_nothing(client, member_client):
    meeting = MeetingFactory()
    url = reverse("home_rsvp", args=[meeting.pk])

    assert reverse("account_login") in client.post(url, {"answer": "yes"})["Location"]
    assert member_client.get(url, {"answer": "yes"}).status_code == 405
    assert not RSVP.objects.exists()


def test_started_meeting_offers_the_call_instead_of_an_answer(member_client):
    meeting = MeetingFactory(start=timezone.now() - dt.timedelta(minutes=5), video_link="https://meet.example.org/x")

    body = page(member_client)

    assert reverse("home_rsvp", args=[meeting.pk]) not in body
    assert 'href="https://meet.example.org/x"' in body


def test_new_practices_are_those_since_the_previous_visit(member, member_client, coalition, other_member):
    now = timezone.now()
    member.profile.previous_visit_at = now - dt.timedelta(days=2)
    member.profile.save()
    PracticeFactory(title="Seen before", author=other_member, published_at=now - dt.timedelta(days=3))
    PracticeFactory(title="Fresh since then", author=other_member, published_at=now - dt.timedelta(days=1))
    PracticeFactory(title="My own new one", author=member, coalition=coalition, published_at=now)

    body = page(member_client)

    new = body[body.index('id="new-practices"') : body.index('id="discussions"')]
    assert "New since your last visit" in new
    assert "Fresh since then" in new
    assert "Seen before" not in new
    assert "My own new one" not in new


def test_first_visit_shows_the_last_weeks(member, member_client, other_member):
    PracticeFactory(
        title="Published last week", author=other_member, published_at=timezone.now() - dt.timedelta(days=7)
    )
    PracticeFactory(
        title="Published last year", author=other_member, published_at=timezone.now() - dt.timedelta(days=365)
    )

    body = page(member_client)

    assert "New in the last weeks" in body
    assert "Published last week" in body
    assert "Published last year" not in body


def test_new_practices_keep_to_the_focus_areas_followed(member, member_client, other_member):
    security = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    transport = FocusAreaFactory(slug="transportation", name="Transportation")
    PreferenceFactory(user=member, focus_areas=[security])
    PracticeFactory(title="Ransomware drill", author=other_member, focus_areas=[security])
    PracticeFactory(title="Signal priority", author=other_member, focus_areas=[transport])

    body = page(member_client)

    assert "In the focus areas you follow:" in body
    assert "Ransomware drill" in body
    assert "Signal priority" not in body


def test_new_practices_show_who_adopted_them(member_client, other_member, coalition, other_coalition):
    practice = PracticeFactory(title="Ransomware drill", author=other_member, coalition=other_coalition)
    AdoptionFactory(practice=practice, coalition=coalition, stage="piloting")

    body = page(member_client)

    assert '<span class="chip-name">CSCA</span> <span class="chip-stage">Piloting</span>' in body


def test_discussions_are_others_comments_on_my_practices(member, member_client, coalition, other_member):
    mine = PracticeFactory(title="Curb data standard", author=member, coalition=coalition)
    theirs = PracticeFactory(title="Another practice", coalition=coalition)
    CommentFactory(practice=mine, author=other_member, body="How long did **procurement** take?")
    CommentFactory(practice=mine, author=member, body="My own reply")
    CommentFactory(practice=mine, author=other_member, body="Spam here", is_hidden=True)
    CommentFactory(practice=theirs, author=other_member, body="Not about mine")

    body = page(member_client)

    discussions = body[body.index('id="discussions"') : body.index('id="drafts"')]
    assert "Charlie Chen" in discussions
    assert "How long did procurement take?" in discussions  # Markdown as plain text
    assert "Curb data standard" in discussions
    for absent in ("My own reply", "Spam here", "Not about mine"):
        assert absent not in discussions


def test_drafts_are_the_members_own(member, member_client, coalition, coalition_admin):
    PracticeFactory(title="My half-written RFP", author=member, coalition=coalition, status=Practice.Status.DRAFT)
    PracticeFactory(title="Draft by Bob", author=coalition_admin, coalition=coalition, status=Practice.Status.DRAFT)

    body = page(member_client)

    drafts = body[body.index('id="drafts"') :]
    assert "My half-written RFP" in drafts
    assert "Draft by Bob" not in drafts


def test_member_asking_to_join_another_coalition_sees_the_request_waiting(member, member_client, other_coalition):
    join_request = JoinRequestFactory(user=member, coalition=other_coalition)

    body = page(member_client)

    assert "Your request to join" in body and other_coalition.name in body
    assert f"{reverse('coalitions:withdraw_request', args=[join_request.pk])}?next=home" in body
    assert reverse("coalitions:join", args=[other_coalition.slug]) not in body


def test_member_without_a_request_sees_no_waiting_card(member, member_client, other_coalition, other_member):
    JoinRequestFactory(user=other_member, coalition=other_coalition)  # someone else's

    assert "your-requests" not in page(member_client)


def test_plain_member_sees_no_admin_tasks_and_no_header_count(member_client, coalition):
    JoinRequestFactory(coalition=coalition)
    MeetingFactory(host_coalition=coalition, start=timezone.now() - dt.timedelta(days=3))

    body = page(member_client)

    assert 'id="join-requests"' not in body
    assert 'id="missing-minutes"' not in body
    assert "nav-count" not in body


# --- Coalition and partnership admins ------------------------------------------------------------------


def test_coalition_admin_sees_their_pending_join_requests_with_a_header_count(
    coalition_admin_client, coalition, other_coalition
):
    JoinRequestFactory(coalition=coalition, user=UserFactory(profile__full_name="Jamie Cole"))
    JoinRequestFactory(coalition=coalition, status=JoinRequest.Status.APPROVED)
    JoinRequestFactory(coalition=other_coalition, user=UserFactory(profile__full_name="Other Applicant"))

    body = page(coalition_admin_client)

    requests = body[body.index('id="join-requests"') :]
    assert "Jamie Cole" in requests
    assert "Other Applicant" not in requests
    assert reverse("coalitions:manage", args=[coalition.slug]) in requests
    header = coalition_admin_client.get(reverse("practices:list")).content.decode().split("</header>")[0]
    assert '<span class="nav-count" aria-hidden="true">1</span>' in header
    assert "1 join request waiting" in header


def test_coalition_admin_sees_their_meetings_without_minutes(coalition_admin_client, coalition, other_coalition):
    ago = timezone.now() - dt.timedelta(days=3)
    MeetingFactory(title="Curb data working group", host_coalition=coalition, start=ago)
    MeetingFactory(title="Minuted", host_coalition=coalition, start=ago, minutes="We met.")
    MeetingFactory(title="Texas meeting", host_coalition=other_coalition, start=ago)

    body = page(coalition_admin_client)

    tasks = body[body.index('id="missing-minutes"') :]
    assert "Curb data working group" in tasks
    assert "Minuted" not in tasks
    assert "Texas meeting" not in tasks


def test_partnership_admin_sees_every_pending_request(partnership_admin_client, coalition, other_coalition):
    JoinRequestFactory(coalition=coalition, user=UserFactory(profile__full_name="Jamie Cole"))
    JoinRequestFactory(coalition=other_coalition, user=UserFactory(profile__full_name="Sam Texan"))

    body = page(partnership_admin_client)

    assert "Jamie Cole" in body
    assert "Sam Texan" in body
    assert "nav-count" not in body  # the header's count is for the coalition admins who decide


# --- Query budgets ---------------------------------------------------------------------------------

# Session, user, memberships and profile come first on every signed-in page; the rest is the home's own.
# A visitor's budget includes the four queries of the figures, when the cache has none; a member's, the
# three that render the new practices' rows (focus areas, tags, adopters) when none is kept yet.
BUDGETS = {
    "client": 11,
    "outsider_client": 12,
    "member_client": 14,
    "coalition_admin_client": 16,
    "partnership_admin_client": 16,
}


@pytest.mark.parametrize("persona", list(BUDGETS))
@pytest.mark.parametrize("count", [2, 12])
def test_home_page_runs_a_fixed_number_of_queries(
    request, persona, count, coalition, other_coalition, member, django_assert_max_num_queries
):
    client = request.getfixturevalue(persona)
    _seed(coalition, other_coalition, member, count)
    _seed(coalition, other_coalition, request.getfixturevalue("coalition_admin"), count)
    with django_assert_max_num_queries(BUDGETS[persona]):
        assert client.get(reverse("home")).status_code == 200


def test_a_members_next_visit_takes_the_new_practices_rows_from_the_shared_cache(
    coalition, other_coalition, other_member, member_client, django_assert_max_num_queries
):
    _seed(coalition, other_coalition, other_member, 12)
    first = member_client.get(reverse("home")).content.decode()
    assert "Shared practice 11" in first[first.index('id="new-practices"') : first.index('id="discussions"')]

    with django_assert_max_num_queries(BUDGETS["member_client"] - 3):
        again = member_client.get(reverse("home")).content.decode()

    new = again[again.index('id="new-practices"') : again.index('id="discussions"')]
    assert new == first[first.index('id="new-practices"') : first.index('id="discussions"')]
