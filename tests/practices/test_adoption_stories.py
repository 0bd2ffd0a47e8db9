"""Adoption stories (issue 13): what a coalition changed and why, figures on curated measures, a dated
timeline that moves forward (or stops, with a reason), a contact for members only, and confirmation by the
adopting coalition's admins, asked again once a year by email.

North Texas (``other_coalition``) shares the practice; Colorado (``coalition``) adopts it: Alice
(``member``) records, Bob (``coalition_admin``) confirms.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from coalitions.timefmt import format_when_day
from notifications.models import Delivery
from practices import services
from practices.confirmation import confirm_path
from practices.models import Adoption, AdoptionStep, OutcomeMeasure, Practice
from practices.outcome_measures import DEFAULT_MEASURES
from practices.tasks import tick_adoption_confirmations
from tests.factories import CoalitionFactory, MembershipFactory, PracticeFactory, UserFactory
from tests.practices.conftest import pdf_upload
from tests.practices.test_query_budgets import DETAIL_BUDGET

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 10, 15, 0, tzinfo=dt.UTC)
CONFIRMED = {"confirmed": "yes"}  # what a confirmation page sends


@pytest.fixture(autouse=True)
def measures(db):
    """The curated measures (the migration makes them; a flushed database may not have them)."""
    return {f["slug"]: OutcomeMeasure.objects.get_or_create(slug=f["slug"], defaults=f)[0] for f in DEFAULT_MEASURES}


@pytest.fixture
def practice(other_coalition, other_member, other_admin, cybersecurity):
    return PracticeFactory(
        title="Incident-response RFP template",
        coalition=other_coalition,
        author=other_member,
        focus_areas=[cybersecurity],
        visibility=Practice.Visibility.PUBLIC,
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call something, then what it left for after commit (signals, emails), as a worker would."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def story(coalition, **overrides) -> dict:
    return {
        "coalition": coalition.pk,
        "stage": "piloting",
        "started_on": "2026-03-01",
        "jurisdiction": "City of Boulder",
        "government_level": "city",
        "notes": "Shorter scope.",
        "reason": "We have no night shift.",
        "outcome": "Running.",
        "outcome_rfp-weeks-saved": "6",
        "outcome_cost-vs-own-procurement": "-12",
        "evidence_links": "https://boulder.example.gov/council/item-14",
        **overrides,
    }


def adopt(client, practice, data):
    return client.post(reverse("practices:adopt", args=[practice.slug]), data)


def record(practice, coalition, by, stage="piloting", **kwargs):
    return services.record_adoption(practice=practice, coalition=coalition, by=by, stage=stage, **kwargs)[0]


# --- Recording a story --------------------------------------------------------------------------


def test_member_records_a_story_that_stays_claimed_until_an_admin_confirms(member_client, member, coalition, practice):
    response = adopt(member_client, practice, story(coalition))

    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.jurisdiction, adoption.government_level, adoption.reason) == (
        "City of Boulder",
        "city",
        "We have no night shift.",
    )
    assert {o.measure.slug: o.value for o in adoption.outcomes.all()} == {
        "rfp-weeks-saved": Decimal("6"),
        "cost-vs-own-procurement": Decimal("-12"),
    }
    assert adoption.confirmation == Adoption.Confirmation.CLAIMED
    assert list(adoption.steps.values_list("stage", "on")) == [("piloting", dt.date(2026, 3, 1))]
    practice.refresh_from_db()
    assert (practice.adoption_count, practice.confirmed_adoption_count) == (1, 0)


def test_an_admin_recording_it_confirms_it(coalition_admin_client, coalition, practice):
    adopt(coalition_admin_client, practice, story(coalition, stage="adopted"))

    assert Adoption.objects.get().confirmation == Adoption.Confirmation.CONFIRMED
    practice.refresh_from_db()
    assert (practice.adoption_count, practice.confirmed_adoption_count) == (1, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "RFP preparation time saved cannot be negative."),
        ("six", "RFP preparation time saved: enter a number in weeks, e.g. 6 or 2.5."),
        ("1e40", "RFP preparation time saved: that number is too large."),
    ],
)
def test_a_bad_figure_is_refused_with_a_clear_message_and_nothing_saved(
    member_client, coalition, practice, value, message
):
    response = adopt(member_client, practice, story(coalition, **{"outcome_rfp-weeks-saved": value}))

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "City of Boulder" in html  # what was typed is kept
    assert not Adoption.objects.exists()


def test_a_negative_cost_difference_is_a_saving_not_an_error(member_client, coalition, practice, measures):
    adopt(member_client, practice, story(coalition, **{"outcome_cost-vs-own-procurement": "-15.5"}))

    assert Adoption.objects.get().outcomes.get(measure=measures["cost-vs-own-procurement"]).value == Decimal("-15.5")


def test_the_service_refuses_a_negative_figure_where_it_makes_no_sense(member, coalition, practice, measures):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="cannot be negative"):
        record(practice, coalition, member, outcomes={measures["rfp-weeks-saved"]: Decimal("-1")})
    assert not Adoption.objects.exists()


def test_evidence_must_be_web_addresses(member_client, coalition, practice):
    response = adopt(member_client, practice, story(coalition, evidence_links="council minutes, page 4"))

    assert "Each line must be one web address" in response.content.decode()
    assert not Adoption.objects.exists()


def test_a_contact_must_belong_to_the_adopting_coalition(member_client, coalition, practice, other_member):
    response = adopt(member_client, practice, story(coalition, contact=other_member.pk))

    assert "Select a valid choice" in response.content.decode()
    assert not Adoption.objects.exists()


# --- The timeline -------------------------------------------------------------------------------


def test_stages_move_forward_with_a_dated_step_each(member, coalition, practice):
    with time_machine.travel(NOW - dt.timedelta(days=100), tick=False):
        record(practice, coalition, member, stage="exploring")
    with time_machine.travel(NOW, tick=False):
        adoption = record(practice, coalition, member, stage="adopted")

    assert list(adoption.steps.values_list("stage", "on")) == [
        ("exploring", (NOW - dt.timedelta(days=100)).date()),
        ("adopted", NOW.date()),
    ]


def test_a_stage_cannot_move_back(member_client, member, coalition, practice):
    record(practice, coalition, member, stage="adopted")

    response = adopt(member_client, practice, story(coalition, stage="exploring"))

    assert "Stages move forward" in response.content.decode()
    assert Adoption.objects.get().stage == "adopted"
    assert AdoptionStep.objects.count() == 1


def test_a_step_is_never_dated_before_the_one_it_follows(member_client, member, coalition, practice):
    """At 06:30 UTC a new day has begun in Chicago (the portal's zone, which dates a step recorded outside a
    request) but not yet in Colorado: the member's "today" must not put their step before that one."""
    with time_machine.travel(dt.datetime(2026, 11, 10, 6, 30, tzinfo=dt.UTC), tick=False):
        record(practice, coalition, member, stage="piloting")
        adopt(member_client, practice, story(coalition, stage="adopted"))

    steps = list(Adoption.objects.get().steps.values_list("stage", "on"))
    assert steps == [("piloting", dt.date(2026, 11, 10)), ("adopted", dt.date(2026, 11, 10))]


def test_stopping_needs_a_reason(member_client, member, coalition, practice):
    record(practice, coalition, member, stage="piloting")

    response = adopt(member_client, practice, story(coalition, stage="stopped", stopped_reason=""))

    assert "Say why you stopped" in response.content.decode()
    assert Adoption.objects.get().stage == "piloting"


def test_a_stopped_adoption_stays_visible_with_its_reason_and_leaves_the_counts(
    member_client, member, coalition, practice
):
    record(practice, coalition, member, stage="piloting")

    adopt(member_client, practice, story(coalition, stage="stopped", stopped_reason="Salt air ate the sensors."))

    adoption = Adoption.objects.get()
    assert adoption.stage == "stopped"
    assert list(adoption.steps.values_list("stage", "reason")) == [
        ("piloting", ""),
        ("stopped", "Salt air ate the sensors."),
    ]
    practice.refresh_from_db()
    assert practice.adoption_count == 0
    html = member_client.get(practice.get_absolute_url()).content.decode()
    assert "Why they stopped" in html and "Salt air ate the sensors." in html


# --- Confirmation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("coalition_admin", True),
        ("partnership_admin", True),
        ("member", False),  # a member of the adopting coalition records, but does not vouch
        ("other_member", False),
        ("other_admin", False),  # an admin, but of the sharing coalition
        ("outsider", False),
    ],
)
def test_only_the_adopting_coalitions_admins_confirm(request, persona, allowed, coalition, member, practice):
    adoption = record(practice, coalition, member)
    client = request.getfixturevalue(f"{persona}_client")

    response = client.post(reverse("practices:adoption_confirm", args=[adoption.pk]), CONFIRMED)

    adoption.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert adoption.confirmation == Adoption.Confirmation.CONFIRMED
    else:
        assert response.status_code == 403
        assert (adoption.confirmation, adoption.confirmed_at) == (Adoption.Confirmation.CLAIMED, None)


def test_anonymous_visitors_are_sent_to_log_in_to_confirm(client, coalition, member, practice):
    adoption = record(practice, coalition, member)

    response = client.post(reverse("practices:adoption_confirm", args=[adoption.pk]), CONFIRMED)

    assert response.status_code == 302 and "login" in response["Location"]
    adoption.refresh_from_db()
    assert adoption.confirmation == Adoption.Confirmation.CLAIMED


def test_the_service_refuses_to_confirm_for_a_member(assert_refused, coalition, member, practice):
    adoption = record(practice, coalition, member)

    assert_refused(services.confirm_adoption, adoption=adoption, by=member)


def test_opening_the_confirm_page_changes_nothing(coalition_admin_client, coalition, member, practice):
    adoption = record(practice, coalition, member)

    response = coalition_admin_client.get(reverse("practices:adoption_confirm", args=[adoption.pk]))

    assert "Yes, it is current" in response.content.decode()
    adoption.refresh_from_db()
    assert adoption.confirmation == Adoption.Confirmation.CLAIMED


def test_a_members_change_makes_a_confirmed_story_claimed_again(coalition_admin, member, coalition, practice, measures):
    record(practice, coalition, coalition_admin, stage="piloting")

    adoption = record(practice, coalition, member, stage="piloting", outcomes={measures["rfp-weeks-saved"]: 40})

    assert adoption.confirmation == Adoption.Confirmation.CLAIMED


def test_a_start_date_in_the_future_is_refused(member_client, coalition, practice):
    response = adopt(member_client, practice, story(coalition, started_on="2999-01-01"))

    assert "When you started cannot be in the future." in response.content.decode()
    assert not Adoption.objects.exists()


# --- Once a year --------------------------------------------------------------------------------


@pytest.fixture
def confirmed_a_year_ago(coalition, coalition_admin, member, practice):
    with time_machine.travel(NOW - dt.timedelta(days=366), tick=False):
        return record(practice, coalition, coalition_admin, stage="adopted")


def test_the_yearly_question_is_sent_exactly_once(run, confirmed_a_year_ago, coalition_admin):
    with time_machine.travel(NOW, tick=False):
        run(tick_adoption_confirmations.delay)
        run(tick_adoption_confirmations.delay)
        run(services.run_adoption_confirmation_tick)

    questions = [m for m in mail.outbox if "still adopted" in m.subject]
    assert [m.to for m in questions] == [[coalition_admin.email]]
    assert Delivery.objects.filter(kind=Delivery.Kind.ADOPTION_CHECK).count() == 1
    body = questions[0].body
    assert "/practices/adoptions/confirm/" in body
    confirmed_a_year_ago.refresh_from_db()
    assert confirmed_a_year_ago.confirmation_asked_at == NOW


def test_nothing_is_asked_before_a_year(run, coalition, coalition_admin, practice):
    with time_machine.travel(NOW - dt.timedelta(days=300), tick=False):
        record(practice, coalition, coalition_admin, stage="adopted")
    with time_machine.travel(NOW, tick=False):
        run(tick_adoption_confirmations.delay)

    assert not Delivery.objects.filter(kind=Delivery.Kind.ADOPTION_CHECK).exists()


def test_the_emailed_link_confirms_only_from_its_pages_button(
    coalition_admin_client, confirmed_a_year_ago, coalition_admin, run
):
    with time_machine.travel(NOW, tick=False):
        run(services.run_adoption_confirmation_tick)
    url = confirm_path(adoption_id=confirmed_a_year_ago.pk, user_id=coalition_admin.pk)

    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        page = coalition_admin_client.get(url)  # or a mail scanner opens it
        confirmed_a_year_ago.refresh_from_db()
        assert confirmed_a_year_ago.confirmed_at == NOW - dt.timedelta(days=366)
        assert "Yes, it is current" in page.content.decode()

        coalition_admin_client.post(url, CONFIRMED)

    confirmed_a_year_ago.refresh_from_db()
    assert confirmed_a_year_ago.confirmed_at == NOW + dt.timedelta(days=2)
    assert confirmed_a_year_ago.confirmed_by == coalition_admin


def test_a_tampered_link_is_refused(coalition_admin_client, confirmed_a_year_ago, coalition_admin):
    url = confirm_path(adoption_id=confirmed_a_year_ago.pk, user_id=coalition_admin.pk)

    response = coalition_admin_client.post(url[:-3] + "xyz/", CONFIRMED)

    assert response.status_code == 400
    confirmed_a_year_ago.refresh_from_db()
    assert confirmed_a_year_ago.confirmed_at == NOW - dt.timedelta(days=366)


def test_the_emailed_link_confirms_nothing_for_anyone_but_an_admin(
    client, member_client, confirmed_a_year_ago, coalition_admin
):
    url = confirm_path(adoption_id=confirmed_a_year_ago.pk, user_id=coalition_admin.pk)

    assert member_client.post(url, CONFIRMED).status_code == 403  # forwarded to a member
    assert "login" in client.post(url, CONFIRMED)["Location"]
    confirmed_a_year_ago.refresh_from_db()
    assert confirmed_a_year_ago.confirmed_at == NOW - dt.timedelta(days=366)


def test_unanswered_after_30_days_it_shows_not_confirmed_since(run, client, confirmed_a_year_ago, practice):
    with time_machine.travel(NOW, tick=False):
        run(services.run_adoption_confirmation_tick)
    with time_machine.travel(NOW + dt.timedelta(days=29), tick=False):
        services.run_adoption_confirmation_tick()
        confirmed_a_year_ago.refresh_from_db()
        assert confirmed_a_year_ago.confirmation == Adoption.Confirmation.CONFIRMED
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        tick = services.run_adoption_confirmation_tick()

    assert tick.lapsed == 1
    practice.refresh_from_db()
    assert (practice.adoption_count, practice.confirmed_adoption_count) == (1, 0)
    html = client.get(practice.get_absolute_url()).content.decode()
    assert f"Not confirmed since {format_when_day(confirmed_a_year_ago.confirmed_at)}" in html


# --- The sharing coalition hears of it ----------------------------------------------------------


def test_the_sharing_coalition_hears_when_someone_adopts_and_when_they_stop(
    run, member, coalition, practice, other_member, other_admin
):
    run(record, practice, coalition, member, stage="piloting")
    run(record, practice, coalition, member, stage="stopped", stopped_reason="Too costly to run.")

    news = [m for m in mail.outbox if Delivery.objects.filter(kind="adoption", to_address=m.to[0]).exists()]
    assert sorted((m.to[0], m.subject) for m in news) == [
        ("charlie@example.org", "CSCA is piloting “Incident-response RFP template”"),
        ("charlie@example.org", "CSCA stopped using “Incident-response RFP template”"),
        ("frank@example.org", "CSCA is piloting “Incident-response RFP template”"),
        ("frank@example.org", "CSCA stopped using “Incident-response RFP template”"),
    ]
    stopped = next(m for m in news if "stopped" in m.subject)
    assert "Too costly to run." in stopped.body
    assert f"{practice.get_absolute_url()}#comments" in stopped.body  # thank them or ask a question


def test_editing_the_text_of_a_story_tells_nobody_again(run, member, coalition, practice):
    run(record, practice, coalition, member, stage="piloting")
    sent = len(mail.outbox)

    run(record, practice, coalition, member, stage="piloting", notes="More detail.")

    assert len(mail.outbox) == sent


# --- The practice page and the API --------------------------------------------------------------


def _three_stories(practice, coalition, coalition_admin, measures):
    """Colorado confirmed (6 weeks), a claimed one (4 weeks), a stopped one (8 weeks)."""
    weeks = measures["rfp-weeks-saved"]
    record(practice, coalition, coalition_admin, stage="piloting", outcomes={weeks: Decimal("6")})
    claimed_coalition = CoalitionFactory(name="Kansas City Digital Drive", short_name="KCDD")
    kc_member = UserFactory()
    MembershipFactory(user=kc_member, coalition=claimed_coalition)
    record(practice, claimed_coalition, kc_member, stage="adopted", outcomes={weeks: Decimal("4")})
    stopped_coalition = CoalitionFactory(name="Florida Smart Region", short_name="FLSR")
    fl_admin = UserFactory()
    MembershipFactory(user=fl_admin, coalition=stopped_coalition, role="admin")
    record(
        practice, stopped_coalition, fl_admin, stage="stopped", stopped_reason="No budget.",
        outcomes={weeks: Decimal("8")},
    )  # fmt: skip


def test_the_page_shows_confirmed_first_marks_claimed_and_summarises_outcomes(
    client, practice, coalition, coalition_admin, measures
):
    _three_stories(practice, coalition, coalition_admin, measures)

    html = client.get(practice.get_absolute_url()).content.decode()

    assert "3 coalitions, median 6 weeks of RFP work saved" in html
    assert "Used by 2 other coalitions: 1 confirmed, 1 claimed" in html
    stories = html[html.index('id="adoptions"') :]
    assert stories.index("Colorado Smart Cities") < stories.index("Kansas City Digital Drive")
    assert "Claimed, awaiting confirmation" in stories


def test_chips_go_by_stage_adopted_piloting_exploring_stopped(client, practice, coalition, coalition_admin, measures):
    _three_stories(practice, coalition, coalition_admin, measures)

    html = client.get(practice.get_absolute_url()).content.decode()
    header = html[: html.index("</header>", html.index("practice-header"))]

    names = [part.split("</span>", 1)[0] for part in header.split('<span class="chip-name">')[1:]]
    assert names == ["KCDD", "CSCA", "FLSR"]
    assert header.count("chip-claimed-mark") == 1


def test_the_contact_is_shown_to_members_only_and_never_in_the_api(
    client, member_client, practice, coalition, coalition_admin, member
):
    record(practice, coalition, coalition_admin, stage="adopted", data={"contact": member})

    assert member.email not in client.get(practice.get_absolute_url()).content.decode()
    assert member.email in member_client.get(practice.get_absolute_url()).content.decode()
    for viewer in (client, member_client):
        api = viewer.get(reverse("practices:api_detail", args=[practice.slug])).content.decode()
        assert member.email not in api and "Alice" not in api


def test_the_api_returns_adoption_stories(client, practice, coalition, coalition_admin, measures):
    _three_stories(practice, coalition, coalition_admin, measures)

    data = json.loads(client.get(reverse("practices:api_detail", args=[practice.slug])).content)

    assert (data["adoption_count"], data["confirmed_adoption_count"]) == (2, 1)
    first = data["adoptions"][0]
    assert (first["coalition"], first["stage"], first["confirmation"]) == (
        "Colorado Smart Cities Alliance",
        "piloting",
        "confirmed",
    )
    assert first["outcomes"] == [
        {"measure": "rfp-weeks-saved", "name": "RFP preparation time saved", "unit": "weeks", "value": 6.0}
    ]
    stopped = data["adoptions"][-1]
    assert (stopped["stage"], stopped["stopped_reason"]) == ("stopped", "No budget.")
    assert [step["stage"] for step in stopped["timeline"]] == ["stopped"]
    assert "contact" not in first


def test_lists_filter_and_sort_by_confirmed_adoptions(client, coalition, coalition_admin, other_coalition, member):
    confirmed = PracticeFactory(title="Confirmed one", coalition=other_coalition, visibility="public")
    claimed = PracticeFactory(title="Claimed one", coalition=other_coalition, visibility="public")
    PracticeFactory(title="Not adopted", coalition=other_coalition, visibility="public")
    record(confirmed, coalition, coalition_admin)
    record(claimed, coalition, member)

    listed = client.get(reverse("practices:list"), {"adoptions": "confirmed"}).content.decode()
    assert "Confirmed one" in listed and "Claimed one" not in listed and "Not adopted" not in listed
    api = json.loads(client.get(reverse("practices:api_list"), {"sort": "confirmed"}).content)
    assert [p["title"] for p in api["results"]][:1] == ["Confirmed one"]
    both = json.loads(client.get(reverse("practices:api_list"), {"adoptions": "any"}).content)
    assert sorted(p["title"] for p in both["results"]) == ["Claimed one", "Confirmed one"]


def test_the_practice_page_stays_within_its_query_budget_with_many_stories(
    member_client, practice, coalition, coalition_admin, measures, django_assert_max_num_queries
):
    _three_stories(practice, coalition, coalition_admin, measures)
    for n in range(5):
        other = CoalitionFactory(short_name=f"C{n}")
        admin = UserFactory()
        MembershipFactory(user=admin, coalition=other, role="admin")
        record(practice, other, admin, stage="exploring", outcomes={measures["staff-hours-saved"]: Decimal(n)})
        record(
            practice, other, admin, stage="piloting", data={"contact": admin, "evidence_links": "https://a.example"},
            files=[pdf_upload(f"evidence-{n}.pdf")],
        )  # fmt: skip

    with django_assert_max_num_queries(DETAIL_BUDGET):
        response = member_client.get(practice.get_absolute_url())

    assert response.content.decode().count('class="card adoption') == 8


# --- Evidence files -----------------------------------------------------------------------------


def test_evidence_files_are_checked_stored_and_served_to_those_who_may_see_the_practice(
    member_client, client, coalition, practice
):
    Practice.objects.filter(pk=practice.pk).update(visibility=Practice.Visibility.MEMBERS)
    adopt(member_client, practice, {**story(coalition), "evidence_files": [pdf_upload("award.pdf")]})

    evidence = Adoption.objects.get().files.get()
    assert (evidence.name, evidence.content_type) == ("award.pdf", "application/pdf")
    url = reverse("practices:adoption_file", args=[practice.slug, evidence.pk])
    assert url in member_client.get(practice.get_absolute_url()).content.decode()
    api = json.loads(member_client.get(reverse("practices:api_detail", args=[practice.slug])).content)
    assert api["adoptions"][0]["evidence_files"] == [
        {"name": "award.pdf", "size": evidence.size, "url": f"http://testserver{url}"}
    ]
    download = member_client.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert client.get(url).status_code == 302  # signed out: log in first


def test_an_evidence_file_that_is_not_what_it_says_is_refused_and_nothing_is_saved(member_client, coalition, practice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("award.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    response = adopt(member_client, practice, {**story(coalition), "evidence_files": [fake]})

    assert "does not match its .pdf extension" in response.content.decode()
    assert not Adoption.objects.exists()


def test_removing_evidence_and_withdrawing_delete_the_stored_files(
    member_client, coalition, practice, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    adopt(member_client, practice, {**story(coalition), "evidence_files": [pdf_upload("a.pdf"), pdf_upload("b.pdf")]})
    first, second = Adoption.objects.get().files.order_by("name")
    names = [first.file.name, second.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        adopt(member_client, practice, {**story(coalition), "remove_files": [first.pk]})
    assert list(Adoption.objects.get().files.values_list("name", flat=True)) == ["b.pdf"]
    assert not default_storage.exists(names[0])

    adoption = Adoption.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("practices:adoption_withdraw", args=[adoption.pk]), CONFIRMED)
    assert not default_storage.exists(names[1])


def test_figures_count_confirmed_adoptions_apart_and_leave_stopped_ones_out(
    practice, coalition, coalition_admin, measures, other_coalition
):
    from django.contrib.auth.models import AnonymousUser

    from config.selectors import _count_figures
    from practices.selectors import coalition_figures

    _three_stories(practice, coalition, coalition_admin, measures)  # confirmed, claimed, stopped

    home = _count_figures()
    assert (home["adoptions"], home["confirmed_adoptions"]) == (2, 1)
    tiles = coalition_figures(other_coalition, AnonymousUser())
    assert (tiles["adopted_by_others"], tiles["adopted_by_others_confirmed"]) == (2, 1)


def test_a_members_claim_asks_the_adopting_coalitions_admins_once_per_stage(
    run, member, coalition, coalition_admin, practice
):
    run(record, practice, coalition, member, stage="exploring")
    run(record, practice, coalition, member, stage="exploring", notes="More detail.")  # the same stage: no new ask

    asks = [m for m in mail.outbox if m.subject.startswith("Confirm CSCA")]
    assert [m.to for m in asks] == [[coalition_admin.email]]
    adoption = Adoption.objects.get()
    assert reverse("practices:adoption_confirm", args=[adoption.pk]) in asks[0].body


def test_an_admins_own_record_asks_nobody_to_confirm(run, coalition, coalition_admin, practice):
    run(record, practice, coalition, coalition_admin, stage="adopted")

    assert not Delivery.objects.filter(kind=Delivery.Kind.ADOPTION_CLAIM).exists()
