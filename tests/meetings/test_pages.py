"""What members, organizers and visitors see on the meeting pages."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Meeting
from practices.models import Practice
from tests.factories import (
    AgendaItemFactory,
    FocusAreaFactory,
    MeetingFactory,
    MeetingSeriesFactory,
    MembershipFactory,
    PracticeFactory,
    RSVPFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PAST_START = dt.datetime(2026, 3, 10, 17, 0, tzinfo=dt.UTC)


def past_meeting(**kwargs):
    kwargs.setdefault("start", PAST_START)
    return MeetingFactory(end=kwargs["start"] + dt.timedelta(hours=1), **kwargs)


def test_video_link_is_shown_to_members_only(client, member_client, outsider_client):
    meeting = MeetingFactory(video_link="https://meet.example.org/secret-room")
    assert "secret-room" in member_client.get(meeting.get_absolute_url()).content.decode()
    assert "secret-room" not in client.get(meeting.get_absolute_url()).content.decode()
    assert "secret-room" not in outsider_client.get(meeting.get_absolute_url()).content.decode()


def test_agenda_links_members_only_practices_for_members_and_public_ones_for_everyone(client, member_client):
    meeting = MeetingFactory()
    public = PracticeFactory(title="Open data portal", visibility=Practice.Visibility.PUBLIC)
    members_only = PracticeFactory(title="Internal RFP scoring", visibility=Practice.Visibility.MEMBERS)
    draft = PracticeFactory(title="Unpublished draft", status=Practice.Status.DRAFT)
    for practice in (public, members_only, draft):
        AgendaItemFactory(meeting=meeting, practice=practice)
    visitor_page = client.get(meeting.get_absolute_url()).content.decode()
    member_page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert public.get_absolute_url() in visitor_page
    assert members_only.get_absolute_url() not in visitor_page
    assert members_only.get_absolute_url() in member_page
    assert draft.get_absolute_url() not in member_page


def test_organizers_are_prompted_for_minutes_after_the_meeting(coalition_admin_client, member_client, coalition):
    meeting = past_meeting(host_coalition=coalition)
    assert "has no minutes yet" in coalition_admin_client.get(meeting.get_absolute_url()).content.decode()
    assert "has no minutes yet" not in member_client.get(meeting.get_absolute_url()).content.decode()
    listing = coalition_admin_client.get(reverse("meetings:list")).content.decode()
    assert "Waiting for minutes" in listing and reverse("meetings:minutes", args=[meeting.pk]) in listing


def test_no_prompt_before_the_meeting_or_once_minutes_are_in(partnership_admin_client):
    upcoming = MeetingFactory()
    done = past_meeting(minutes="Notes")
    assert "has no minutes yet" not in partnership_admin_client.get(upcoming.get_absolute_url()).content.decode()
    assert "has no minutes yet" not in partnership_admin_client.get(done.get_absolute_url()).content.decode()


def test_upcoming_list_shows_future_meetings_with_counts_and_my_answer(member_client, member):
    soon = MeetingFactory(title="Soon call")
    past_meeting(title="Old call")
    RSVPFactory(meeting=soon, user=member, answer="maybe")
    RSVPFactory(meeting=soon, answer="yes")
    page = member_client.get(reverse("meetings:list")).content.decode()
    assert "Soon call" in page and "Old call" not in page
    assert "1 going, 1 maybe" in page
    assert "You: maybe" in page


def test_cancelled_meetings_stay_listed_as_cancelled(client):
    MeetingFactory(title="Called off", status=Meeting.Status.CANCELLED)
    page = client.get(reverse("meetings:list")).content.decode()
    assert "Called off" in page and "Cancelled" in page


def test_archive_searches_titles_minutes_and_agenda(client):
    by_minutes = past_meeting(title="March call", minutes="We agreed on a joint **streetlight** RFP.")
    by_agenda = past_meeting(title="April call", start=PAST_START + dt.timedelta(days=30))
    AgendaItemFactory(meeting=by_agenda, title="Streetlight pilots")
    past_meeting(title="May call", start=PAST_START + dt.timedelta(days=60), minutes="Budget talk")
    response = client.get(reverse("meetings:archive"), {"q": "streetlight"})
    assert {m.pk for m in response.context["page"]} == {by_minutes.pk, by_agenda.pk}


def test_archive_filters_by_focus_area_of_practices_discussed(client):
    security = FocusAreaFactory(name="Cybersecurity", slug="cybersecurity")
    mobility = FocusAreaFactory(name="Mobility", slug="mobility")
    secure = past_meeting(title="Security call")
    AgendaItemFactory(meeting=secure, practice=PracticeFactory(focus_areas=[security]))
    moving = past_meeting(title="Mobility call", start=PAST_START + dt.timedelta(days=1))
    AgendaItemFactory(meeting=moving, practice=PracticeFactory(focus_areas=[mobility]))
    response = client.get(reverse("meetings:archive"), {"area": "cybersecurity"})
    assert [m.pk for m in response.context["page"]] == [secure.pk]


def test_archive_with_an_unknown_focus_area_says_so_and_shows_all(client):
    meeting = past_meeting()
    response = client.get(reverse("meetings:archive"), {"area": "no-such-area"})
    assert response.status_code == 200
    assert "no such focus area" in response.content.decode()
    assert [m.pk for m in response.context["page"]] == [meeting.pk]


def test_archive_leaves_out_upcoming_and_cancelled_meetings(client):
    held = past_meeting(title="Held one")
    past_meeting(title="Called off", status=Meeting.Status.CANCELLED, start=PAST_START + dt.timedelta(days=2))
    MeetingFactory(title="Future one")
    assert [m.pk for m in client.get(reverse("meetings:archive")).context["page"]] == [held.pk]


def test_archive_pages_twenty_at_a_time(client):
    for day in range(25):
        past_meeting(start=PAST_START - dt.timedelta(days=day))
    first = client.get(reverse("meetings:archive"), {"q": "call"})
    assert len(first.context["page"]) == 20
    second = client.get(reverse("meetings:archive"), {"q": "call", "page": 2})
    assert len(second.context["page"]) == 5
    assert "q=call&amp;page=1" in second.content.decode()


def test_agenda_editor_saves_items_in_the_chosen_order(partnership_admin_client, coalition):
    meeting = MeetingFactory()
    practice = PracticeFactory(title="Curb sensors")
    data = {
        "agenda-TOTAL_FORMS": "3",
        "agenda-INITIAL_FORMS": "0",
        "agenda-0-title": "Case study",
        "agenda-0-ORDER": "2",
        "agenda-0-practice": str(practice.pk),
        "agenda-0-presenting_coalition": str(coalition.pk),
        "agenda-1-title": "Welcome",
        "agenda-1-ORDER": "1",
        "agenda-1-duration_minutes": "5",
        "agenda-2-title": "",
    }
    response = partnership_admin_client.post(reverse("meetings:agenda", args=[meeting.pk]), data)
    assert response.status_code == 302
    items = list(meeting.agenda_items.all())
    assert [i.title for i in items] == ["Welcome", "Case study"]
    assert items[1].practice == practice and items[1].presenting_coalition == coalition
    page = partnership_admin_client.get(meeting.get_absolute_url()).content.decode()
    assert "Curb sensors" in page


def test_agenda_editor_refuses_an_unknown_practice(partnership_admin_client):
    meeting = MeetingFactory()
    data = {"agenda-TOTAL_FORMS": "1", "agenda-INITIAL_FORMS": "0", "agenda-0-title": "X", "agenda-0-practice": "999"}
    response = partnership_admin_client.post(reverse("meetings:agenda", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert not meeting.agenda_items.exists()


def test_agenda_editor_shows_existing_items(partnership_admin_client):
    meeting = MeetingFactory()
    AgendaItemFactory(meeting=meeting, title="Existing item")
    page = partnership_admin_client.get(reverse("meetings:agenda", args=[meeting.pk])).content.decode()
    assert 'value="Existing item"' in page


def test_minutes_form_posts_minutes_and_a_file_that_members_can_download(
    coalition_admin_client, member_client, client, other_member_client, coalition
):
    meeting = past_meeting(host_coalition=coalition)
    upload = SimpleUploadedFile(
        "slides.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "application/pdf"
    )
    response = coalition_admin_client.post(
        reverse("meetings:minutes", args=[meeting.pk]),
        {"minutes": "## Decisions\n\n<script>alert(1)</script>Adopt it.", "recording_link": "https://v.example.org/1",
         "files": [upload]},
    )  # fmt: skip
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    page = member_client.get(meeting.get_absolute_url()).content.decode()
    assert "<h2>Decisions</h2>" in page and "<script>alert(1)" not in page
    stored = meeting.files.get()
    download = other_member_client.get(stored.get_absolute_url())
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="slides.pdf"' in download["Content-Disposition"]
    assert client.get(stored.get_absolute_url()).status_code == 302


def test_minutes_form_refuses_a_file_that_lies_about_its_type(partnership_admin_client):
    meeting = past_meeting()
    fake = SimpleUploadedFile("slides.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = partnership_admin_client.post(
        reverse("meetings:minutes", args=[meeting.pk]), {"minutes": "Notes", "files": [fake]}
    )
    assert response.status_code == 200
    assert "does not match" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.minutes == "" and not meeting.files.exists()


def test_minutes_before_the_meeting_are_refused_on_the_form(partnership_admin_client):
    meeting = MeetingFactory()
    response = partnership_admin_client.post(reverse("meetings:minutes", args=[meeting.pk]), {"minutes": "Early"})
    assert response.status_code == 200
    assert "once the meeting has started" in response.content.decode()


def test_a_file_of_another_meeting_is_404(member_client):
    meeting, other = past_meeting(), MeetingFactory()
    from meetings.models import MeetingFile

    stored = MeetingFile.objects.create(
        meeting=other, file="x.txt", original_name="x.txt", content_type="text/plain", size=1
    )
    assert member_client.get(reverse("meetings:file", args=[meeting.pk, stored.pk])).status_code == 404


def test_outsider_cannot_download_files(outsider_client):
    from meetings.models import MeetingFile

    meeting = past_meeting()
    stored = MeetingFile.objects.create(
        meeting=meeting, file="x.txt", original_name="x.txt", content_type="text/plain", size=1
    )
    assert outsider_client.get(stored.get_absolute_url()).status_code == 403


def test_move_page_shows_the_current_local_time_and_moves(partnership_admin_client):
    start = dt.datetime(2030, 7, 9, 17, 0, tzinfo=dt.UTC)
    meeting = MeetingFactory(start=start, end=start + dt.timedelta(hours=1))
    page = partnership_admin_client.get(reverse("meetings:move", args=[meeting.pk])).content.decode()
    assert 'value="11:00"' in page and 'value="2030-07-09"' in page
    partnership_admin_client.post(
        reverse("meetings:move", args=[meeting.pk]),
        {"date": "2030-07-10", "start_time": "12:00", "end_time": "13:30", "time_zone": "America/New_York"},
    )
    meeting.refresh_from_db()
    assert meeting.start == dt.datetime(2030, 7, 10, 16, 0, tzinfo=dt.UTC)
    assert meeting.time_zone == "America/New_York" and meeting.sequence == 1


def _populate(meeting, size, coalition):
    for index in range(size):
        AgendaItemFactory(meeting=meeting, practice=PracticeFactory(), presenting_coalition=coalition)
        user = UserFactory()
        MembershipFactory(user=user, coalition=coalition)
        RSVPFactory(meeting=meeting, user=user, answer=["yes", "maybe", "no"][index % 3])


@pytest.mark.parametrize("size", [2, 12])
def test_meeting_page_runs_a_fixed_number_of_queries(member_client, coalition, size, django_assert_max_num_queries):
    meeting = MeetingFactory()
    _populate(meeting, size, coalition)
    with django_assert_max_num_queries(14):
        response = member_client.get(meeting.get_absolute_url())
    assert len(response.context["agenda"]) == size


@pytest.mark.parametrize("size", [2, 12])
def test_meeting_list_runs_a_fixed_number_of_queries(member_client, coalition, size, django_assert_max_num_queries):
    for _ in range(size):
        _populate(MeetingFactory(), 2, coalition)
    with django_assert_max_num_queries(10):
        response = member_client.get(reverse("meetings:list"))
    assert len(response.context["page"]) == size


@pytest.mark.parametrize("size", [2, 12])
def test_archive_runs_a_fixed_number_of_queries(client, coalition, size, django_assert_max_num_queries):
    for day in range(size):
        meeting = past_meeting(start=PAST_START - dt.timedelta(days=day))
        _populate(meeting, 2, coalition)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("meetings:archive"), {"q": "call"})
    assert len(response.context["page"]) == size


def test_the_calendar_link_is_offered_to_members_only(member_client, outsider_client, client):
    calendar_url = reverse("meetings:calendar")
    assert calendar_url in member_client.get(reverse("meetings:list")).content.decode()
    assert calendar_url not in outsider_client.get(reverse("meetings:list")).content.decode()
    assert calendar_url not in client.get(reverse("meetings:list")).content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_meeting_page_for_an_organizer_runs_a_fixed_number_of_queries(
    coalition_admin_client, coalition, size, django_assert_max_num_queries
):
    meeting = past_meeting(host_coalition=coalition)
    _populate(meeting, size, coalition)
    with django_assert_max_num_queries(14):
        response = coalition_admin_client.get(meeting.get_absolute_url())
    assert response.context["can_manage"] and "has no minutes yet" in response.content.decode()


def test_meeting_files_download_unsniffed_and_out_of_shared_caches(member_client, partnership_admin_client):
    meeting = past_meeting()
    slides = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides", "application/pdf")
    partnership_admin_client.post(
        reverse("meetings:minutes", args=[meeting.pk]), {"minutes": "Notes", "files": [slides]}
    )
    stored = meeting.files.get()

    response = member_client.get(reverse("meetings:file", args=[meeting.pk, stored.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 slides"


def test_agenda_picker_offers_the_newest_practices_not_the_whole_catalogue(partnership_admin_client):
    meeting = MeetingFactory()
    PracticeFactory.create_batch(25)
    response = partnership_admin_client.get(reverse("meetings:agenda", args=[meeting.pk]))
    choices = response.context["formset"].forms[0].fields["practice"].choices
    assert len(choices) == 1 + 20  # "—" and the twenty newest


def test_agenda_find_offers_what_discovery_finds_and_keeps_what_was_typed(partnership_admin_client):
    meeting = MeetingFactory()
    PracticeFactory.create_batch(25)
    sensors = PracticeFactory(title="Curb occupancy sensors", published_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    data = {
        "agenda-TOTAL_FORMS": "1",
        "agenda-INITIAL_FORMS": "0",
        "agenda-0-title": "Typed before searching",
        "find": "curb sensors",
        "action": "find",
    }
    response = partnership_admin_client.post(reverse("meetings:agenda", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert (sensors.pk, sensors.title) in response.context["formset"].forms[0].fields["practice"].choices
    assert 'value="Typed before searching"' in response.content.decode()
    assert not meeting.agenda_items.exists()
    # Then the chosen practice saves, although it is not among the newest.
    data.update({"agenda-0-practice": str(sensors.pk), "action": "save", "find": ""})
    assert partnership_admin_client.post(reverse("meetings:agenda", args=[meeting.pk]), data).status_code == 302
    assert meeting.agenda_items.get().practice == sensors


def test_agenda_picker_search_as_you_type_is_for_agenda_editors(partnership_admin_client, member_client):
    meeting = MeetingFactory()
    sensors = PracticeFactory(title="Curb occupancy sensors")
    url = reverse("meetings:agenda_practices", args=[meeting.pk])
    results = partnership_admin_client.get(url, {"q": "curb sensor"}).json()["results"]
    assert [r["id"] for r in results] == [sensors.pk]
    assert member_client.get(url, {"q": "curb"}).status_code == 403


def test_agenda_editor_and_picker_budgets(partnership_admin_client, django_assert_max_num_queries):
    meeting = MeetingFactory()
    PracticeFactory.create_batch(30)
    sensors = PracticeFactory(title="Curb occupancy sensors")
    AgendaItemFactory(meeting=meeting, practice=sensors)
    # Fixed, however many practices: the picker offers twenty, never the catalogue.
    with django_assert_max_num_queries(10):
        partnership_admin_client.get(reverse("meetings:agenda", args=[meeting.pk]))
    with django_assert_max_num_queries(7):
        partnership_admin_client.get(reverse("meetings:agenda_practices", args=[meeting.pk]), {"q": "curb sensors"})


@pytest.mark.parametrize("persona", ["coalition_admin_client", "partnership_admin_client"])
@pytest.mark.parametrize("size", [2, 12])
def test_meeting_list_for_an_organizer_runs_a_fixed_number_of_queries(
    request, persona, coalition, size, django_assert_max_num_queries
):
    series = MeetingSeriesFactory(host_coalition=coalition)
    for day in range(size):
        _populate(MeetingFactory(host_coalition=coalition, series=series), 2, coalition)
        past_meeting(host_coalition=coalition, series=series, start=PAST_START - dt.timedelta(days=day))
    organizer = request.getfixturevalue(persona)
    with django_assert_max_num_queries(8):
        response = organizer.get(reverse("meetings:list"))
    assert len(response.context["page"]) == size
    assert list(response.context["series_list"]) == [series]
    assert len(response.context["waiting_for_minutes"]) == min(size, 5)


@pytest.mark.parametrize("size", [2, 12])
def test_agenda_editor_runs_a_fixed_number_of_queries(
    coalition_admin_client, coalition, size, django_assert_max_num_queries
):
    meeting = MeetingFactory(host_coalition=coalition)
    _populate(meeting, size, coalition)
    PracticeFactory.create_batch(size)
    with django_assert_max_num_queries(8):
        response = coalition_admin_client.get(reverse("meetings:agenda", args=[meeting.pk]))
    assert response.context["formset"].initial_form_count() == size
