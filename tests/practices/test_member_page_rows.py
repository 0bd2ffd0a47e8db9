"""A live practice's page for members: its rows (the practice, discussion, adoption stories, facets,
meetings, similar practices, contracts, what it takes to run) are the same for every member and kept in the
shared cache; what each reader may do with them is theirs; any change to what the page shows is seen by
the next reader at once."""

import re
from datetime import date

import pytest
from django.urls import reverse

from practices import selectors, services, tasks
from practices.models import AdoptionOutcome, AdoptionStep, OutcomeMeasure, Practice, Standard
from tests.factories import AdoptionFactory, CommentFactory, ContractFactory, PracticeFactory

pytestmark = pytest.mark.django_db

MEMBERS = Practice.Visibility.MEMBERS


@pytest.fixture
def practice(coalition, member, cybersecurity):
    return PracticeFactory(
        title="Curb sensors for loading zones",
        coalition=coalition,
        author=member,
        visibility=MEMBERS,
        focus_areas=[cybersecurity],
    )


@pytest.fixture(autouse=True)
def _a_shared_cache():
    assert selectors.shared_cache() is not None, "the tests' settings keep a shared cache (local memory or Redis)"


def page(client, practice) -> str:
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    # Each answer masks the CSRF token anew: the rest of the page is what is compared.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_a_second_member_reads_the_page_from_the_rows_the_first_one_left(
    practice, member_client, other_member_client, django_assert_max_num_queries, django_assert_num_queries
):
    CommentFactory(practice=practice, body="We tried this in Fort Collins.")
    AdoptionFactory(practice=practice, coalition=practice.coalition)
    with django_assert_max_num_queries(20) as first:
        page(member_client, practice)
    with django_assert_max_num_queries(20) as again:
        second = page(other_member_client, practice)
    # The second reader's queries are their request's own (their user and roles): none of the page's rows.
    page_tables = ("practices_comment", "practices_adoption", "practices_focusareaitem", "meetings_agendaitem")
    assert any(table in q["sql"] for q in first.captured_queries for table in page_tables)
    assert not any(table in q["sql"] for q in again.captured_queries for table in page_tables)
    assert len(again.captured_queries) <= len(first.captured_queries) - 8
    assert "We tried this in Fort Collins." in second and practice.title in second


def test_what_a_reader_may_do_is_their_own_on_rows_another_member_left(
    practice, member, other_member_client, coalition_admin_client
):
    comment = CommentFactory(practice=practice, author=member, body="Sensors arrived late.")
    other = page(other_member_client, practice)  # fills the rows: another coalition's member
    admin = page(coalition_admin_client, practice)  # the practice's coalition admin, from the same rows

    edit = reverse("practices:edit", args=[practice.slug])
    edit_comment = reverse("practices:comment_edit", args=[comment.pk])
    assert edit not in other and edit_comment not in other
    assert edit in admin and edit_comment in admin


def test_an_adopting_coalitions_admin_is_offered_to_confirm_on_kept_rows(
    practice, other_member_client, other_admin_client, other_coalition
):
    adoption = AdoptionFactory(practice=practice, coalition=other_coalition)
    page(other_member_client, practice)
    confirm = reverse("practices:adoption_confirm", args=[adoption.pk])
    assert confirm in page(other_admin_client, practice)
    assert confirm not in page(other_member_client, practice)


def _add_outcome(practice, adoption):
    measure = OutcomeMeasure.objects.create(
        name="Staff hours saved", slug="staff-hours", unit=OutcomeMeasure.Unit.values[0], summary_label="saved"
    )
    AdoptionOutcome.objects.create(adoption=adoption, measure=measure, value=120)
    return "Staff hours saved"


def _add_step(practice, adoption):
    AdoptionStep.objects.create(adoption=adoption, stage="piloting", on=date(2026, 3, 14), reason="")
    return 'datetime="2026-03-14"'


def _add_contract(practice, adoption):
    ContractFactory(practice=practice, supplier="Curbside Analytics LLC")
    return "Curbside Analytics LLC"


def _add_standard(practice, adoption):
    practice.standards.add(Standard.objects.create(name="MDS 2.0", slug="mds-2"))
    return "MDS 2.0"


def _rename_kind(practice, adoption):
    kind = practice.kind
    kind.name = "Procurement playbook"
    kind.save()
    return "Procurement playbook"


def _rename_contact(practice, adoption):
    profile = adoption.contact.profile
    profile.full_name = "Gabriela Guzman"
    profile.save()
    return "Gabriela Guzman"


@pytest.mark.parametrize(
    "change", [_add_outcome, _add_step, _add_contract, _add_standard, _rename_kind, _rename_contact]
)
def test_a_change_to_what_the_page_shows_is_seen_by_the_next_member_at_once(
    practice, member, member_client, other_member_client, other_coalition, change
):
    adoption = AdoptionFactory(practice=practice, coalition=other_coalition, contact=member)
    before = page(member_client, practice)
    shown = change(practice, adoption)
    assert shown not in before
    assert shown in page(other_member_client, practice)


def test_a_similar_list_made_by_its_task_is_seen_at_once(practice, member_client, coalition, member):
    other = PracticeFactory(title="Loading zone sensors downtown", coalition=coalition, visibility=MEMBERS)
    page(member_client, practice)
    generation = selectors.listed_generation(selectors.shared_cache())
    tasks.refresh_similar_practices([practice.pk, other.pk])
    assert selectors.listed_generation(selectors.shared_cache()) != generation


def test_members_rows_never_reach_a_signed_in_outsider_or_a_visitor(practice, member_client, outsider, client):
    CommentFactory(practice=practice, body="Our vendor's sensors failed in snow.")
    page(member_client, practice)  # the members' rows are kept
    client.force_login(outsider)
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 403
    assert b"failed in snow" not in response.content
    client.logout()
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 302 and b"failed in snow" not in response.content


def test_a_hidden_practice_is_not_served_from_rows_kept_before(
    practice, member_client, other_member_client, partnership_admin
):
    page(other_member_client, practice)
    services.set_content_hidden(by=partnership_admin, target=practice, hidden=True)
    assert other_member_client.get(practice.get_absolute_url()).status_code == 404
    # Its author still sees it, from the rows made for them.
    assert "Curb sensors for loading zones" in page(member_client, practice)


def test_a_draft_original_is_named_only_to_those_who_may_open_it(
    practice, coalition, coalition_admin, member_client, coalition_admin_client, other_member_client
):
    draft = PracticeFactory(
        title="Earlier curb study", coalition=coalition, author=coalition_admin, status=Practice.Status.DRAFT
    )
    Practice.objects.filter(pk=practice.pk).update(based_on=draft)
    selectors.forget_listed_counts()
    assert "Earlier curb study" not in page(other_member_client, practice)  # fills the members' rows
    assert "Earlier curb study" in page(coalition_admin_client, practice)  # it manages the draft


def test_a_contract_expired_by_the_readers_calendar_day(practice, member_client, time_machine):
    """The rows are kept per calendar day: a contract open on its last day reads as expired a minute after
    the reader's midnight (well within the rows' time in the cache)."""
    ContractFactory(practice=practice, awarded_on=date(2025, 6, 1), expires_on=date(2026, 6, 1))
    time_machine.move_to("2026-06-01 23:59:40-06:00", tick=False)  # Colorado's summer time
    assert "Expired" not in page(member_client, practice)
    time_machine.move_to("2026-06-02 00:00:10-06:00", tick=False)
    assert "Expired" in page(member_client, practice)


# --- The JSON API: one answer for every member, kept for them ---------------------------------------


def api(client, name, *args, **params):
    response = client.get(reverse(f"practices:{name}", args=args), params)
    assert response.status_code == 200
    return response.json()


def test_a_members_api_answer_is_kept_for_the_next_member(
    practice, member_client, other_member_client, django_assert_max_num_queries
):
    for name, args in (("api_detail", [practice.slug]), ("api_list", [])):
        with django_assert_max_num_queries(20) as first:
            answer = api(member_client, name, *args)
        with django_assert_max_num_queries(20) as again:
            assert api(other_member_client, name, *args) == answer
        assert any("practices_practice" in q["sql"] for q in first.captured_queries)
        assert not any("practices_practice" in q["sql"] for q in again.captured_queries)


def test_the_members_api_answer_never_reaches_an_outsider(practice, member_client, outsider, client):
    assert [p["slug"] for p in api(member_client, "api_list")["results"]] == [practice.slug]
    client.force_login(outsider)
    assert api(client, "api_list")["results"] == []
    assert client.get(reverse("practices:api_detail", args=[practice.slug])).status_code == 404


def test_a_practice_published_is_in_the_next_members_api_answer(practice, member_client, coalition):
    api(member_client, "api_list")
    PracticeFactory(title="Snow plow tracking map", coalition=coalition, visibility=MEMBERS)
    assert "Snow plow tracking map" in [p["title"] for p in api(member_client, "api_list")["results"]]


def test_a_draft_original_in_the_api_is_its_managers_answer_only(
    practice, coalition, coalition_admin, coalition_admin_client, other_member_client
):
    draft = PracticeFactory(
        title="Earlier curb study", coalition=coalition, author=coalition_admin, status=Practice.Status.DRAFT
    )
    Practice.objects.filter(pk=practice.pk).update(based_on=draft)
    selectors.forget_listed_counts()
    assert api(coalition_admin_client, "api_detail", practice.slug)["running"]["based_on"]["title"] == draft.title
    assert api(other_member_client, "api_detail", practice.slug)["running"]["based_on"] is None
