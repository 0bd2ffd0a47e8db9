"""Shared needs: posting with the similar check, co-signing into a shared need, closing, the list and API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from calls import services, similar
from calls.models import Need, NeedSignature
from meetings.models import Meeting
from tests.calls.conftest import need_data
from tests.factories import CoalitionFactory, FocusAreaFactory, MembershipFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def form_body(coalition, **overrides):
    body = {
        "coalition": coalition.pk,
        "title": "Counting riders at bus stops without cameras",
        "problem": "Fare data misses transfers; video at stops is ruled out.",
        "affected": "",
        "tried": "",
        "focus_areas": ["transportation"],
        "government_level": "city",
        "budget": "",
        "timeframe": "",
        "action": "save",
    }
    return {**body, **overrides}


def test_member_posts_a_need_stored_as_sanitized_html(member_client, coalition, transportation):
    body = form_body(coalition, problem="It hurts <script>alert(1)</script> **a lot**")

    response = member_client.post(reverse("calls:need_create"), body)

    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert "<strong>a lot</strong>" in need.problem_html and "<script>" not in need.problem_html
    assert need.coalition == coalition and list(need.focus_areas.all()) == [transportation]


def test_empty_problem_statement_is_refused_with_a_message_and_keeps_the_title(
    member_client, coalition, transportation
):
    response = member_client.post(reverse("calls:need_create"), form_body(coalition, problem="   "))

    assert response.status_code == 200
    assert "Describe the problem" in response.content.decode()
    assert "Counting riders at bus stops" in response.content.decode()
    assert not Need.objects.exists()


def test_ten_kilobytes_pasted_is_refused_with_its_length_and_kept(member_client, coalition, transportation):
    pasted = "Minutes of the transit board. " * 350  # about 10 kB

    response = member_client.post(reverse("calls:need_create"), form_body(coalition, problem=pasted))

    page = response.content.decode()
    assert response.status_code == 200 and "Keep the problem under 5,000 characters" in page
    assert "Minutes of the transit board." in page
    assert not Need.objects.exists()


def test_unknown_focus_area_is_named_in_the_message(member_client, coalition, transportation):
    response = member_client.post(reverse("calls:need_create"), form_body(coalition, focus_areas=["astrology"]))

    assert "“astrology” is not one of the focus areas." in response.content.decode()
    assert not Need.objects.exists()


def test_member_cannot_post_for_a_coalition_they_are_not_in(member, other_coalition, transportation):
    with pytest.raises(PermissionDenied):
        services.post_need(by=member, coalition=other_coalition, data=need_data(transportation))
    assert not Need.objects.exists()


def test_check_for_similar_without_javascript_shows_practices_and_needs(
    member_client, member, coalition, other_member, other_coalition, transportation
):
    practice = PracticeFactory(title="Counting bus riders with anonymous sensors", coalition=coalition, author=member)
    earlier = services.post_need(
        by=other_member, coalition=other_coalition,
        data=need_data(transportation, title="Counting bus stop riders", problem="Counting riders at stops."),
    )  # fmt: skip
    body = form_body(coalition, title="Counting riders at bus stops", problem="Counting bus riders.", action="similar")

    response = member_client.post(reverse("calls:need_create"), body)

    page = response.content.decode()
    assert response.status_code == 200
    assert earlier.title in page, page[page.find("similar-panel") :][:1500]
    assert practice.title in page
    assert Need.objects.count() == 1  # nothing saved by the check


def test_similar_needs_json_for_the_live_panel(member_client, other_member, other_coalition, transportation):
    services.post_need(by=other_member, coalition=other_coalition, data=need_data(transportation))

    response = member_client.get(reverse("calls:need_similar"), {"title": "Counting riders at bus stops"})

    assert response.status_code == 200
    assert [n["title"] for n in response.json()["needs"]] == ["Counting riders at bus stops without cameras"]


def test_similar_needs_leave_out_closed_ones_and_unrelated_ones(member, coalition, transportation):
    closed = services.post_need(by=member, coalition=coalition, data=need_data(transportation))
    services.close_need(need=closed, by=member, outcome=Need.Status.WITHDRAWN)
    services.post_need(by=member, coalition=coalition, data=need_data(transportation, title="Ransomware drills"))

    assert similar.similar_needs(member, title="Counting riders at bus stops") == []


def test_co_signed_by_two_other_coalitions_a_need_is_shared(need, other_member, other_coalition):
    third = CoalitionFactory(slug="kc", name="KC Digital Drive")
    kc_member = UserFactory()
    MembershipFactory(user=kc_member, coalition=third)

    services.cosign_need(need=need, by=other_member, coalition=other_coalition, context="Plano too.")
    need.refresh_from_db()
    assert not need.is_shared
    services.cosign_need(need=need, by=kc_member, coalition=third, context="KC streetcar too.")

    need.refresh_from_db()
    assert need.is_shared and need.cosigning_coalitions == 2
    assert list(Need.objects.shared()) == [need]


def test_shared_needs_are_listed_for_partnership_admins_only(
    need, other_member, other_coalition, partnership_admin_client, member_client
):
    third = CoalitionFactory(slug="kc", name="KC Digital Drive")
    kc_member = UserFactory()
    MembershipFactory(user=kc_member, coalition=third)
    services.cosign_need(need=need, by=other_member, coalition=other_coalition, context="Plano too.")
    services.cosign_need(need=need, by=kc_member, coalition=third, context="KC too.")

    assert (
        "Shared needs, for partnership admins"
        in partnership_admin_client.get(reverse("calls:need_list")).content.decode()
    )
    assert "Shared needs, for partnership admins" not in member_client.get(reverse("calls:need_list")).content.decode()


def meeting_body(**overrides):
    day = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    body = {"title": "Working group: bus stop counts", "description": "Co-signers meet.", "date": day,
            "start_time": "11:00", "end_time": "12:00", "time_zone": "America/Denver", "video_link": "",
            "host_coalition": ""}  # fmt: skip
    return {**body, **overrides}


def test_partnership_admin_turns_a_shared_need_into_a_working_group_meeting(shared_need, partnership_admin_client):
    form = partnership_admin_client.get(reverse("calls:need_meeting", args=[shared_need.pk])).content.decode()
    assert "Plano too." in form and "KC streetcar too." in form  # the description names the co-signers

    response = partnership_admin_client.post(reverse("calls:need_meeting", args=[shared_need.pk]), meeting_body())

    shared_need.refresh_from_db()
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and shared_need.meeting == meeting
    assert meeting.host_coalition is None and meeting.title == "Working group: bus stop counts"


def test_a_second_working_group_for_one_need_is_refused(shared_need, partnership_admin):
    services.plan_working_group(need=shared_need, by=partnership_admin, data=_meeting_data())

    with pytest.raises(ValidationError, match="already has"):
        services.plan_working_group(need=shared_need, by=partnership_admin, data=_meeting_data())
    assert Meeting.objects.count() == 1


def test_coalition_admin_cannot_make_a_working_group(shared_need, coalition_admin):
    with pytest.raises(PermissionDenied):
        services.plan_working_group(need=shared_need, by=coalition_admin, data=_meeting_data())
    assert not Meeting.objects.exists()


def test_a_need_that_is_not_shared_does_not_become_a_working_group(need, partnership_admin):
    with pytest.raises(ValidationError, match="shared need"):
        services.plan_working_group(need=need, by=partnership_admin, data=_meeting_data())


def _meeting_data():
    from django.utils import timezone

    start = timezone.now() + dt.timedelta(days=20)
    return {"title": "Working group", "start": start, "end": start + dt.timedelta(hours=1), "time_zone": "UTC",
            "host_coalition": None}  # fmt: skip


def test_posting_coalition_cannot_co_sign_its_own_need(need, member, coalition):
    with pytest.raises(ValidationError):
        services.cosign_need(need=need, by=member, coalition=coalition, context="Us too.")
    assert not NeedSignature.objects.exists()


def test_a_second_signature_from_one_coalition_is_refused(need, other_member, other_admin, other_coalition):
    services.cosign_need(need=need, by=other_member, coalition=other_coalition, context="Plano too.")

    with pytest.raises(ValidationError, match="already co-signed"):
        services.cosign_need(need=need, by=other_admin, coalition=other_coalition, context="Frisco too.")
    need.refresh_from_db()
    assert need.cosigning_coalitions == 1


def test_withdrawing_a_co_signature_twice_counts_once(need, other_member, other_coalition):
    signature = services.cosign_need(need=need, by=other_member, coalition=other_coalition, context="Plano too.")

    services.withdraw_signature(signature=signature, by=other_member)
    services.withdraw_signature(signature=signature, by=other_member)

    need.refresh_from_db()
    assert need.cosigning_coalitions == 0 and not NeedSignature.objects.exists()


def test_member_of_another_coalition_cannot_withdraw_someone_elses_signature(
    need, other_member, other_coalition, member
):
    signature = services.cosign_need(need=need, by=other_member, coalition=other_coalition, context="Plano too.")

    with pytest.raises(PermissionDenied):
        services.withdraw_signature(signature=signature, by=member)
    assert NeedSignature.objects.count() == 1


def test_close_as_met_links_the_practice(need, member_client, member, coalition):
    practice = PracticeFactory(title="Stop counters", slug="stop-counters", coalition=coalition, author=member)

    response = member_client.post(
        reverse("calls:need_met", args=[need.pk]), {"practice": f"/practices/{practice.slug}/"}
    )

    need.refresh_from_db()
    assert response.status_code == 302
    assert need.status == Need.Status.MET and need.met_by == practice and need.closed_by == member


def test_close_as_met_with_an_unknown_practice_says_so(need, member_client):
    response = member_client.post(reverse("calls:need_met", args=[need.pk]), {"practice": "no-such-practice"})

    assert "No published practice you can see has that address." in response.content.decode()
    need.refresh_from_db()
    assert need.is_open


def test_member_of_another_coalition_cannot_close_a_need(need, other_member):
    with pytest.raises(PermissionDenied):
        services.close_need(need=need, by=other_member, outcome=Need.Status.WITHDRAWN)
    need.refresh_from_db()
    assert need.is_open


def test_list_filters_by_focus_area_level_coalition_and_status(member, coalition, transportation, member_client):
    cyber = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    bus = services.post_need(by=member, coalition=coalition, data=need_data(transportation))
    drills = services.post_need(
        by=member, coalition=coalition, data=need_data(transportation, title="Ransomware drills", focus_areas=[cyber],
                                                       government_level="county"),
    )  # fmt: skip
    services.close_need(need=drills, by=member, outcome=Need.Status.WITHDRAWN)
    url = reverse("calls:need_list")

    assert bus.title in member_client.get(url).content.decode()
    assert drills.title not in member_client.get(url).content.decode()
    page = member_client.get(url, {"status": "withdrawn", "focus_area": "cybersecurity", "government_level": "county",
                                   "coalition": coalition.slug}).content.decode()  # fmt: skip
    assert drills.title in page and bus.title not in page


def test_list_with_an_unknown_filter_value_says_so_and_keeps_the_others(need, member_client):
    response = member_client.get(reverse("calls:need_list"), {"focus_area": "astrology", "status": "withdrawn"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Some filters were not understood" in page and "“astrology” is not one of the focus areas." in page
    assert need.title not in page  # open: the status filter still applies


def test_outsider_sees_the_members_only_page(need, outsider_client):
    response = outsider_client.get(reverse("calls:need_detail", args=[need.pk]))

    assert response.status_code == 403 and need.title not in response.content.decode()


def test_api_lists_needs_for_members_and_refuses_others(need, member_client, outsider_client, client):
    assert member_client.get(reverse("calls:api_need_list")).json()["results"][0]["title"] == need.title
    assert outsider_client.get(reverse("calls:api_need_list")).status_code == 403
    anonymous = client.get(reverse("calls:api_need_detail", args=[need.pk]))
    assert anonymous.status_code == 403 and need.title not in anonymous.content.decode()


def test_list_detail_and_api_cost_a_fixed_number_of_queries(
    member, coalition, transportation, member_client, partnership_admin_client, other_member, other_coalition,
    django_assert_max_num_queries,
):  # fmt: skip
    for i in range(12):
        n = services.post_need(by=member, coalition=coalition, data=need_data(transportation, title=f"Need {i}"))
        services.cosign_need(need=n, by=other_member, coalition=other_coalition, context="Us too.")

    # Measured the same with 1 need and with 12: the list 8 (9 with the admins' shared list), a need 8 (with
    # its joint calls), the API 6.
    with django_assert_max_num_queries(9):
        assert partnership_admin_client.get(reverse("calls:need_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert member_client.get(reverse("calls:need_detail", args=[n.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert member_client.get(reverse("calls:api_need_list")).status_code == 200


def test_a_need_is_embedded_after_commit_and_found_by_meaning_alone(
    member, coalition, transportation, other_member, django_capture_on_commit_callbacks
):
    from practices.discovery import embeddings
    from practices.models import DocumentVector

    if embeddings.get_model() is None:
        pytest.skip("the discovery model is not installed")
    with django_capture_on_commit_callbacks(execute=True):
        need = services.post_need(by=member, coalition=coalition, data=need_data(transportation))

    assert DocumentVector.objects.filter(doc_type="need", doc_id=need.pk).count() == 1
    found = similar.similar_needs(other_member, title="Knowing how busy each transit stop is")
    assert [(n.pk, n.suggestion_reason) for n in found] == [(need.pk, "Similar meaning")]


def test_coalition_admin_edits_a_need_and_its_text_is_rendered_again(need, coalition_admin_client, coalition):
    body = form_body(coalition, title="Counting riders at stops", problem="Now *with* emphasis.")
    del body["coalition"]

    response = coalition_admin_client.post(reverse("calls:need_edit", args=[need.pk]), body)

    need.refresh_from_db()
    assert response.status_code == 302
    assert need.title == "Counting riders at stops" and "<em>with</em>" in need.problem_html


def test_a_closed_need_is_not_edited(need, member, member_client, coalition):
    services.close_need(need=need, by=member, outcome=Need.Status.WITHDRAWN)
    body = form_body(coalition, title="Changed")
    del body["coalition"]

    member_client.post(reverse("calls:need_edit", args=[need.pk]), body)

    need.refresh_from_db()
    assert need.title == "Counting riders at bus stops without cameras"
