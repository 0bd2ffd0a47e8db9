"""Calls for solutions: publishing and editing (who may, what is refused), the list with its filters, the
public page, partnership-only calls, files, the Atom feed and the read API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from calls import services
from calls.models import Call, Criterion
from tests.factories import CoalitionFactory

from .conftest import CRITERIA, call_data

pytestmark = pytest.mark.django_db


def form_body(coalition, **overrides):
    body = {
        "coalition": coalition.pk,
        "title": "Revenue models for curbside sensors",
        "problem": "Curb sensors cost more than parking fees bring in.",
        "asks": "An approach and a pilot offer.",
        "terms": "Submissions are shared with members.",
        "focus_areas": ["transportation"],
        "government_level": "city",
        "is_public": "on",
        "time_zone": "America/Chicago",
        "opens_at": "2027-01-04T09:00",
        "closes_at": "2027-02-01T17:00",
        "evaluation_ends_at": "2027-02-15T17:00",
        "results_at": "2027-03-01T12:00",
        "criteria_text": "Cost to the city | 50\nTime to pilot | 30\nReferences | 20",
    }
    return {**body, **overrides}


def test_member_publishes_a_call_with_dates_in_its_zone_and_sanitized_text(member_client, coalition, transportation):
    body = form_body(coalition, problem="It costs <script>x()</script> **a lot**")

    response = member_client.post(reverse("calls:call_create"), body)

    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert "<strong>a lot</strong>" in call.problem_html and "<script>" not in call.problem_html
    # 17:00 in Chicago (CST, UTC-6) is 23:00 UTC.
    assert call.closes_at == dt.datetime(2027, 2, 1, 23, 0, tzinfo=dt.UTC)
    assert [(c.name, c.weight) for c in call.criteria.all()] == [
        ("Cost to the city", 50),
        ("Time to pilot", 30),
        ("References", 20),
    ]


def test_empty_problem_statement_is_refused_with_a_message(member_client, coalition, transportation):
    response = member_client.post(reverse("calls:call_create"), form_body(coalition, problem="  "))

    assert response.status_code == 200
    assert "State the problem" in response.content.decode()
    assert not Call.objects.exists()


def test_closing_before_opening_is_refused(member_client, coalition, transportation):
    body = form_body(coalition, opens_at="2027-02-01T17:00", closes_at="2027-01-04T09:00")

    response = member_client.post(reverse("calls:call_create"), body)

    assert "Submissions must close after they open." in response.content.decode()
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ("Cost | 0", "a weight is a whole number from 1 to 100"),
        ("Cost | -5", "a weight is a whole number from 1 to 100"),
        ("Cost | 500", "a weight is a whole number from 1 to 100"),
        ("Cost | half", "is not a whole number"),
        ("Cost", "write “name | weight”"),
        ("Cost | 3\ncost | 2", "Two criteria have the same name."),
    ],
)
def test_weights_must_be_whole_positive_shares(member_client, coalition, transportation, criteria, message):
    response = member_client.post(reverse("calls:call_create"), form_body(coalition, criteria_text=criteria))

    assert message in response.content.decode()
    assert not Call.objects.exists()


def test_weights_need_not_add_up_to_100_they_are_shares(member, coalition, transportation):
    call = services.publish_call(
        by=member, coalition=coalition, data=call_data(transportation), criteria=[("Cost", 3), ("Speed", 1)]
    )

    assert sorted(call.criteria.values_list("weight", flat=True)) == [1, 3]


def test_a_30_mb_file_is_refused_and_nothing_is_stored(member_client, coalition, transportation):
    big = SimpleUploadedFile("brief.pdf", b"%PDF-1.4\n" + b"0" * (30 * 1024 * 1024), content_type="application/pdf")

    response = member_client.post(reverse("calls:call_create"), {**form_body(coalition), "files": big})

    assert "files may be at most" in response.content.decode()
    assert not Call.objects.exists()


def test_member_of_another_coalition_cannot_publish_for_ours(other_member, coalition, transportation):
    with pytest.raises(PermissionDenied):
        services.publish_call(by=other_member, coalition=coalition, data=call_data(transportation), criteria=CRITERIA)
    assert not Call.objects.exists()


@pytest.mark.parametrize("who", ["client", "outsider_client"])
def test_non_members_cannot_reach_the_publishing_form(request, who, coalition):
    response = request.getfixturevalue(who).post(reverse("calls:call_create"), form_body(coalition))

    assert response.status_code in (302, 403)
    assert not Call.objects.exists()


@pytest.mark.parametrize("who", ["member_client", "coalition_admin_client", "partnership_admin_client"])
def test_owners_edit_the_call(request, who, call):
    body = form_body(call.coalition, title="Revenue models, second round")

    response = request.getfixturevalue(who).post(reverse("calls:call_edit", args=[call.pk]), body)

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Revenue models, second round"


@pytest.mark.parametrize("who", ["other_member_client", "other_admin_client", "outsider_client", "client"])
def test_others_cannot_edit_the_call_and_nothing_changes(request, who, call, unchanged_database):
    visitor = request.getfixturevalue(who)
    with unchanged_database():
        response = visitor.post(reverse("calls:call_edit", args=[call.pk]), form_body(call.coalition, title="Hijacked"))
    assert response.status_code in (302, 403)


@pytest.fixture
def other_admin_client(other_admin):
    from django.test import Client

    c = Client()
    c.force_login(other_admin)
    return c


def test_editing_keeps_scores_of_criteria_whose_names_stay(member, call):
    kept = call.criteria.get(name="Cost to the city")

    services.update_call(call=call, by=member, data={}, criteria=[("Cost to the city", 5), ("Speed", 1)])

    assert Criterion.objects.get(pk=kept.pk).weight == 5
    assert list(call.criteria.values_list("name", flat=True)) == ["Cost to the city", "Speed"]


def test_anonymous_visitor_sees_a_public_call_with_its_deadlines_in_its_zone_and_utc(client, call):
    response = client.get(call.get_absolute_url())

    text = response.content.decode()
    assert response.status_code == 200
    assert call.title in text and "(Chicago)" in text and "UTC" in text
    assert "Submit a solution" in text


def test_member_sees_deadlines_in_their_zone_and_the_calls(member_client, member, call):
    member.profile.time_zone = "America/Denver"
    member.profile.save()

    text = member_client.get(call.get_absolute_url()).content.decode()

    assert "(your time)" in text and "(Chicago)" in text


def test_partnership_only_call_asks_visitors_to_sign_in_and_refuses_non_members(
    client, outsider_client, member_client, other_member_client, members_call
):
    url = members_call.get_absolute_url()

    assert client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 403
    assert member_client.get(url).status_code == 200
    assert other_member_client.get(url).status_code == 200


def test_list_shows_public_calls_to_visitors_and_partnership_calls_to_members(
    client, member_client, call, members_call
):
    anonymous = client.get(reverse("calls:call_list")).content.decode()
    members = member_client.get(reverse("calls:call_list")).content.decode()

    assert call.title in anonymous and members_call.title not in anonymous
    assert call.title in members and members_call.title in members


def test_list_filters_by_status_coalition_and_level(client, member, coalition, transportation, call):
    now = timezone.now()
    later = services.publish_call(
        by=member,
        coalition=coalition,
        data=call_data(
            transportation,
            title="Upcoming call",
            opens_at=now + dt.timedelta(days=2),
            closes_at=now + dt.timedelta(days=5),
        ),  # fmt: skip
        criteria=CRITERIA,
    )
    elsewhere = CoalitionFactory(slug="elsewhere")

    upcoming = client.get(reverse("calls:call_list"), {"status": "upcoming"}).content.decode()
    by_other = client.get(reverse("calls:call_list"), {"coalition": elsewhere.slug}).content.decode()
    county = client.get(reverse("calls:call_list"), {"government_level": "county"}).content.decode()

    assert later.title in upcoming and call.title not in upcoming
    assert call.title not in by_other
    assert call.title not in county


def test_unknown_filter_is_ignored_with_a_message(client, call):
    response = client.get(reverse("calls:call_list"), {"status": "bogus", "focus_area": "nope"})

    assert response.status_code == 200
    assert "not understood" in response.content.decode()
    assert call.title in response.content.decode()


def test_feed_lists_open_public_calls_only(client, call, members_call):
    response = client.get(reverse("calls:call_feed"))

    text = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert call.title in text and members_call.title not in text


def test_api_shows_public_calls_to_anyone_and_partnership_calls_to_members(client, member_client, call, members_call):
    anonymous = client.get(reverse("calls:api_call_list")).json()
    members = member_client.get(reverse("calls:api_call_list")).json()

    assert [c["id"] for c in anonymous["results"]] == [call.pk]
    assert {c["id"] for c in members["results"]} == {call.pk, members_call.pk}
    assert client.get(reverse("calls:api_call_detail", args=[members_call.pk])).status_code == 404
    detail = client.get(reverse("calls:api_call_detail", args=[call.pk])).json()
    assert [c["name"] for c in detail["criteria"]] == [name for name, _ in CRITERIA]
    assert detail["criteria"][0]["share"] == 0.5


def test_api_never_carries_submissions_or_scores(client, member_client, submission):
    text = member_client.get(reverse("calls:api_call_detail", args=[submission.call.pk])).content.decode()

    assert submission.organization not in text and submission.email not in text and "score" not in text


def test_call_files_are_served_to_those_who_see_the_call(client, outsider_client, member, coalition, transportation):
    brief = SimpleUploadedFile("brief.txt", b"The full brief.", content_type="text/plain")
    call = services.publish_call(
        by=member, coalition=coalition, data=call_data(transportation, is_public=False), criteria=CRITERIA,
        files=[brief],
    )  # fmt: skip
    url = reverse("calls:call_file", args=[call.pk, call.files.get().pk])

    assert client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 403


def test_list_detail_and_feed_cost_a_fixed_number_of_queries(
    client, member, coalition, transportation, django_assert_max_num_queries
):
    for n in range(12):
        services.publish_call(by=member, coalition=coalition, data=call_data(transportation, title=f"Call {n}"),
                              criteria=CRITERIA)  # fmt: skip
    call = Call.objects.first()

    with django_assert_max_num_queries(8):
        assert client.get(reverse("calls:call_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(call.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("calls:call_feed")).status_code == 200


# Removing one document


@pytest.fixture
def call_with_files(member, coalition, transportation):
    files = [
        SimpleUploadedFile(name, body, content_type="text/plain")
        for name, body in (("brief.txt", b"The full brief."), ("old-map.txt", b"A map that was wrong."))
    ]
    return services.publish_call(
        by=member, coalition=coalition, data=call_data(transportation), criteria=CRITERIA, files=files
    )


def test_an_owner_removes_one_document_after_being_asked(member_client, call_with_files, run):
    brief, old_map = call_with_files.files.order_by("name")
    stored = old_map.file.name
    url = reverse("calls:call_file_remove", args=[call_with_files.pk, old_map.pk])
    edit = member_client.get(reverse("calls:call_edit", args=[call_with_files.pk])).content.decode()
    assert url in edit and "Remove<span" in edit  # each listed document has its own link

    page = member_client.get(url).content.decode()
    assert "Remove “old-map.txt”?" in page and 'name="confirmed" value="yes"' in page
    assert call_with_files.files.count() == 2  # asking removes nothing

    response = run(member_client.post, url, {"confirmed": "yes"})

    assert response.status_code == 302 and response.url == reverse("calls:call_edit", args=[call_with_files.pk])
    assert list(call_with_files.files.all()) == [brief]
    assert not old_map.file.storage.exists(stored)  # the stored file went with the row, after the commit
    assert brief.file.storage.exists(brief.file.name)
    assert member_client.get(reverse("calls:call_file", args=[call_with_files.pk, old_map.pk])).status_code == 404


@pytest.mark.parametrize("who", ["other_member_client", "outsider_client", "other_admin_client"])
def test_only_the_calls_owners_remove_its_documents(request, who, call_with_files):
    document = call_with_files.files.first()
    url = reverse("calls:call_file_remove", args=[call_with_files.pk, document.pk])

    client = request.getfixturevalue(who)
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirmed": "yes"}).status_code == 403
    assert call_with_files.files.count() == 2
    with pytest.raises(PermissionDenied):
        services.remove_call_file(call_file=document, by=request.getfixturevalue(who.removesuffix("_client")))


def test_a_visitor_is_asked_to_sign_in_and_nothing_is_removed(client, call_with_files):
    url = reverse("calls:call_file_remove", args=[call_with_files.pk, call_with_files.files.first().pk])
    response = client.post(url, {"confirmed": "yes"})
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert call_with_files.files.count() == 2


def test_a_coalition_admin_removes_a_document_and_a_closed_calls_documents_stay(
    coalition_admin_client, call_with_files, run
):
    first, second = call_with_files.files.all()
    run(coalition_admin_client.post, reverse("calls:call_file_remove", args=[call_with_files.pk, first.pk]),
        {"confirmed": "yes"})  # fmt: skip
    assert list(call_with_files.files.all()) == [second]

    Call.objects.filter(pk=call_with_files.pk).update(closed_at=timezone.now())
    url = reverse("calls:call_file_remove", args=[call_with_files.pk, second.pk])
    response = coalition_admin_client.post(url, {"confirmed": "yes"}, follow=True)
    assert "This call is closed; its results are published." in response.content.decode()
    assert list(call_with_files.files.all()) == [second]


def test_a_document_of_another_call_is_not_found(member_client, call_with_files, call):
    document = call_with_files.files.first()
    assert member_client.get(reverse("calls:call_file_remove", args=[call.pk, document.pk])).status_code == 404
    assert call_with_files.files.count() == 2
