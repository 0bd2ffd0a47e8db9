"""The agenda editor: rows added, removed and reordered before one save, with hidden positions the
page's script fills in (or the server, for the "Add", "Up" and "Down" buttons without JavaScript);
positions and linked practices are checked on the server, and only those who manage the meeting
may touch it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.forms import BAD_ORDER, rearrange_agenda
from meetings.models import AgendaItem
from practices.models import Practice
from tests.factories import AgendaItemFactory, MeetingFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def rows(*items, initial=0) -> dict:
    """The posted formset: one dict of fields a row (``ORDER``, ``DELETE``… included)."""
    data = {"agenda-TOTAL_FORMS": str(len(items)), "agenda-INITIAL_FORMS": str(initial)}
    for index, item in enumerate(items):
        for name, value in item.items():
            data[f"agenda-{index}-{name}"] = value
    return data


def url(meeting):
    return reverse("meetings:agenda", args=[meeting.pk])


@pytest.fixture
def meeting(coalition):
    """A meeting ``coalition`` hosts, with two items: its admins and partnership admins manage it."""
    meeting = MeetingFactory(host_coalition=coalition)
    AgendaItemFactory(meeting=meeting, order=1, title="Welcome")
    AgendaItemFactory(meeting=meeting, order=2, title="Case study")
    return meeting


def titles(meeting) -> list[str]:
    return list(meeting.agenda_items.order_by("order").values_list("title", flat=True))


# -- rearranging without JavaScript (a pure function of the posted data) --------------------------


def test_moving_a_row_up_swaps_it_with_the_one_above_and_numbers_them_all():
    data, said = rearrange_agenda(
        rows({"title": "A", "ORDER": "1"}, {"title": "B", "ORDER": "2"}, {"title": "C", "ORDER": "3"}),
        prefix="agenda",
        move="agenda-2:up",
    )
    assert [data[f"agenda-{i}-ORDER"] for i in range(3)] == ["1", "3", "2"]
    assert "moved up to place 2" in said


def test_moving_skips_rows_marked_for_removal():
    data, _ = rearrange_agenda(
        rows({"title": "A", "ORDER": "1"}, {"title": "B", "ORDER": "2", "DELETE": "on"}, {"title": "C", "ORDER": "3"}),
        prefix="agenda",
        move="agenda-0:down",
    )
    # A swaps with C, the next row kept; the removed B keeps its place between them.
    assert [data[f"agenda-{i}-ORDER"] for i in range(3)] == ["3", "2", "1"]


@pytest.mark.parametrize("move", ["agenda-0:up", "agenda-1:down", "agenda-7:up", "other-0:up", "agenda-x:up", "junk"])
def test_a_move_that_goes_nowhere_changes_nothing(move):
    posted = rows({"title": "A", "ORDER": "1"}, {"title": "B", "ORDER": "2"})
    data, said = rearrange_agenda(posted, prefix="agenda", move=move)
    assert (data["agenda-0-ORDER"], data["agenda-1-ORDER"], said) == ("1", "2", "")


def test_adding_a_row_stops_at_forty():
    data, said = rearrange_agenda(rows(*[{"title": str(i)} for i in range(39)]), prefix="agenda", add=True)
    assert data["agenda-TOTAL_FORMS"] == "40" and "added" in said
    data, said = rearrange_agenda(data, prefix="agenda", add=True)
    assert data["agenda-TOTAL_FORMS"] == "40" and "at most 40" in said


# -- the page without JavaScript ----------------------------------------------------------------


def test_up_button_reshows_the_rows_in_the_new_order_and_saves_nothing(coalition_admin_client, meeting):
    posted = rows(
        {"title": "Welcome", "ORDER": "1"}, {"title": "Case study", "ORDER": "2"}, {"title": "", "ORDER": ""}, initial=2
    )
    response = coalition_admin_client.post(url(meeting), {**posted, "move": "agenda-1:up"})
    assert response.status_code == 200
    shown = [form["title"].value() for form in response.context["formset"].display_forms]
    assert shown == ["Case study", "Welcome", ""]
    html = response.content.decode()
    assert html.index('value="Case study"') < html.index('value="Welcome"')
    assert "Nothing is saved until you save the agenda" in html
    assert titles(meeting) == ["Welcome", "Case study"]


def test_add_button_reshows_the_rows_with_one_more_and_saves_nothing(coalition_admin_client, meeting):
    posted = rows({"title": "Welcome", "ORDER": "1"}, {"title": "Changed title", "ORDER": "2"}, initial=2)
    response = coalition_admin_client.post(url(meeting), {**posted, "action": "add"})
    assert len(response.context["formset"].forms) == 3
    assert 'value="Changed title"' in response.content.decode()
    assert titles(meeting) == ["Welcome", "Case study"]


def test_the_first_rows_up_and_the_last_rows_down_are_disabled(coalition_admin_client, meeting):
    html = coalition_admin_client.get(url(meeting)).content.decode()
    assert 'value="agenda-0:up" class="secondary small" formnovalidate data-move="up" disabled' in html
    assert 'value="agenda-1:up" class="secondary small" formnovalidate data-move="up">' in html


def test_no_order_numbers_are_shown(coalition_admin_client, meeting):
    html = coalition_admin_client.get(url(meeting)).content.decode()
    assert 'type="hidden" name="agenda-0-ORDER" value="1"' in html
    assert 'type="number" name="agenda-0-ORDER"' not in html


# -- saving ----------------------------------------------------------------------------------------


def test_saving_follows_the_hidden_positions_and_removes_the_ticked_row(coalition_admin_client, meeting):
    posted = rows(
        {"title": "Welcome", "ORDER": "3"},
        {"title": "Case study", "ORDER": "2", "DELETE": "on"},
        {"title": "Added in place", "ORDER": "1"},
        {"title": "", "ORDER": "4"},  # an empty row the script numbered: skipped, not "title required"
        initial=2,
    )
    response = coalition_admin_client.post(url(meeting), posted)
    assert response.status_code == 302
    assert titles(meeting) == ["Added in place", "Welcome"]


@pytest.mark.parametrize(
    "orders",
    [("1", "1"), ("0", "1"), ("1", "41"), ("-3", "1"), ("one", "2"), ("1", "99999999999999999999")],
    ids=["twice in one place", "zero", "beyond forty", "negative", "not a number", "huge"],
)
def test_a_garbled_order_is_refused_with_a_message_and_nothing_saved(coalition_admin_client, meeting, orders):
    posted = rows({"title": "Welcome", "ORDER": orders[0]}, {"title": "Case study", "ORDER": orders[1]}, initial=2)
    response = coalition_admin_client.post(url(meeting), posted)
    assert response.status_code == 200
    assert BAD_ORDER in response.content.decode().replace("&#x27;", "'")
    assert titles(meeting) == ["Welcome", "Case study"]


def test_a_forged_row_count_cannot_build_more_than_forty_rows(coalition_admin_client, meeting):
    posted = {**rows({"title": "Welcome", "ORDER": "1"}), "agenda-TOTAL_FORMS": "100000"}
    response = coalition_admin_client.post(url(meeting), posted)
    assert response.status_code == 200
    assert titles(meeting) == ["Welcome", "Case study"]


# -- which practices may be linked ------------------------------------------------------------------


@pytest.mark.parametrize(
    "practice",
    [
        lambda: PracticeFactory(title="A draft", status=Practice.Status.DRAFT, published_at=None),
        lambda: PracticeFactory(title="Hidden by moderators", is_hidden=True),
        lambda: PracticeFactory(title="Archived", status=Practice.Status.ARCHIVED),
    ],
    ids=["draft", "hidden", "archived"],
)
def test_the_page_refuses_a_practice_that_is_not_published(coalition_admin_client, meeting, practice):
    practice = practice()
    response = coalition_admin_client.post(
        url(meeting), rows({"title": "Pitch", "ORDER": "1", "practice": str(practice.pk)})
    )
    assert response.status_code == 200
    assert "That practice is not published, or not one you can see" in response.content.decode()
    assert titles(meeting) == ["Welcome", "Case study"]


def test_the_service_refuses_a_practice_that_is_not_published(coalition_admin, meeting):
    draft = PracticeFactory(title="A draft", status=Practice.Status.DRAFT, published_at=None)
    with pytest.raises(ValidationError, match="cannot be linked"):
        services.set_agenda(by=coalition_admin, meeting=meeting, items=[{"title": "Pitch", "practice": draft}])
    assert titles(meeting) == ["Welcome", "Case study"]


def test_a_practice_the_agenda_already_links_stays_linkable_after_it_is_unpublished(coalition_admin, meeting):
    practice = PracticeFactory(title="Curb sensors")
    AgendaItem.objects.filter(meeting=meeting, title="Case study").update(practice=practice)
    Practice.objects.filter(pk=practice.pk).update(status=Practice.Status.ARCHIVED)
    practice.refresh_from_db()
    services.set_agenda(by=coalition_admin, meeting=meeting, items=[{"title": "Case study", "practice": practice}])
    assert meeting.agenda_items.get().practice == practice


def test_members_only_and_public_practices_are_both_linkable_by_an_organizer(coalition_admin_client, meeting):
    members_only = PracticeFactory(title="Members-only case")
    public = PracticeFactory(title="Public case", visibility=Practice.Visibility.PUBLIC)
    posted = rows(
        {"title": "One", "ORDER": "1", "practice": str(members_only.pk)},
        {"title": "Two", "ORDER": "2", "practice": str(public.pk)},
    )
    assert coalition_admin_client.post(url(meeting), posted).status_code == 302
    assert [i.practice for i in meeting.agenda_items.order_by("order")] == [members_only, public]


def test_the_picker_search_offers_published_practices_only(coalition_admin_client, meeting):
    found = PracticeFactory(title="Curb occupancy sensors")
    PracticeFactory(title="Curb occupancy sensors draft", status=Practice.Status.DRAFT, published_at=None)
    PracticeFactory(title="Curb occupancy sensors hidden", is_hidden=True)
    picker = reverse("meetings:agenda_practices", args=[meeting.pk])
    results = coalition_admin_client.get(picker, {"q": "curb occupancy sensors"}).json()["results"]
    assert [r["id"] for r in results] == [found.pk]


# -- who may ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["member_client", "other_member_client", "other_admin_client", "outsider_client"])
def test_those_who_do_not_manage_the_meeting_cannot_open_post_or_search(request, persona, meeting):
    acting = request.getfixturevalue(persona)
    picker = reverse("meetings:agenda_practices", args=[meeting.pk])
    assert acting.get(url(meeting)).status_code == 403
    assert acting.post(url(meeting), rows({"title": "Hijack", "ORDER": "1"})).status_code == 403
    assert acting.post(url(meeting), {**rows({"title": "Hijack"}), "action": "add"}).status_code == 403
    assert acting.get(picker, {"q": "curb"}).status_code == 403
    assert titles(meeting) == ["Welcome", "Case study"]


def test_visitors_are_sent_to_log_in_and_nothing_changes(client, meeting):
    response = client.post(url(meeting), rows({"title": "Hijack", "ORDER": "1"}))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert titles(meeting) == ["Welcome", "Case study"]


@pytest.mark.parametrize("persona", ["coalition_admin_client", "partnership_admin_client"])
def test_the_hosts_admins_and_partnership_admins_may(request, persona, meeting):
    acting = request.getfixturevalue(persona)
    assert acting.post(url(meeting), rows({"title": "Only item", "ORDER": "1"}, initial=0)).status_code == 302
    assert titles(meeting) == ["Only item"]


def test_the_editor_loads_its_script_from_a_file_and_ships_a_row_template(coalition_admin_client, meeting):
    html = coalition_admin_client.get(url(meeting)).content.decode()
    assert 'src="/static/js/agenda-picker.js"' in html
    assert "<script>" not in html and " onclick=" not in html  # no inline script under the CSP
    assert 'name="agenda-__prefix__-title"' in html  # inside <template>, for "Add an item"
