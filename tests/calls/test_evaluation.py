"""Evaluating a call: owners invite evaluators, evaluators score each criterion, owners see weighted means,
ranks and the spread, set statuses, export CSV, send decisions once, and close the call with a results
practice. Scores never reach submitters or other members."""

import datetime as dt

import pytest
import time_machine
from celery import canvas
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from calls import services
from calls.models import Call, Evaluator, Score, Submission
from calls.tasks import tick_evaluation_reminders
from notifications.models import Delivery
from practices.models import Practice
from tests.factories import MembershipFactory, PracticeKindFactory, UserFactory

from .conftest import submission_data

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def evaluator(member, call, other_member):
    return services.invite_evaluator(call=call, by=member, user=other_member)


@pytest.fixture
def second_evaluator(member, call, coalition):
    user = UserFactory(email="gina@example.org")
    MembershipFactory(user=user, coalition=coalition)
    return services.invite_evaluator(call=call, by=member, user=user)


def verified(call, by=None, **overrides) -> Submission:
    submission = services.submit_solution(call=call, data=submission_data(**overrides), by=by)
    Submission.objects.filter(pk=submission.pk).update(verified_at=submission.created)
    submission.refresh_from_db()
    return submission


def scores(call, **by_name) -> dict[int, int]:
    return {c.pk: by_name[c.name.split()[0].lower()] for c in call.criteria.all()}


def test_weighted_mean_and_spread_are_made_when_scores_are_saved(call, submission, evaluator, second_evaluator):
    # Weights 3/2/1: (5*3 + 3*2 + 1*1) / (6*5) = 22/30 = 73.3; (3*3 + 3*2 + 3*1) / 30 = 60.0.
    services.score_submission(
        submission=submission, by=evaluator.user, values=scores(call, cost=5, time=3, references=1)
    )
    services.score_submission(
        submission=submission, by=second_evaluator.user, values=scores(call, cost=3, time=3, references=3)
    )

    submission.refresh_from_db()
    assert str(submission.score_mean) == "66.7" and str(submission.score_spread) == "13.3"
    assert submission.evaluators_scored == 2


def test_an_evaluator_who_scored_only_some_criteria_is_not_counted_yet(call, submission, evaluator):
    first = call.criteria.first()
    services.score_submission(submission=submission, by=evaluator.user, values={first.pk: 4})

    submission.refresh_from_db()
    assert submission.score_mean is None and submission.evaluators_scored == 0


def test_scores_out_of_range_or_for_another_calls_criterion_are_refused(call, submission, evaluator, members_call):
    for values in ({call.criteria.first().pk: 6}, {members_call.criteria.first().pk: 3}):
        with pytest.raises(ValidationError):
            services.score_submission(submission=submission, by=evaluator.user, values=values)
    assert not Score.objects.exists()


@pytest.mark.parametrize("who", ["member", "coalition_admin", "partnership_admin", "other_admin", "outsider"])
def test_only_invited_evaluators_score(request, who, call, submission, evaluator):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.score_submission(submission=submission, by=user, values=scores(call, cost=5, time=5, references=5))
    assert not Score.objects.exists()


def test_evaluator_sees_only_the_calls_they_are_invited_to(call, members_call, submission, evaluator, member):
    other = verified(members_call, by=member, organization="Elsewhere Ltd")
    client = logged_in(evaluator.user)

    assert client.get(reverse("calls:submission_list", args=[call.pk])).status_code == 200
    assert client.get(reverse("calls:submission_detail", args=[call.pk, submission.pk])).status_code == 200
    assert client.get(reverse("calls:submission_list", args=[members_call.pk])).status_code == 403
    assert client.get(reverse("calls:submission_detail", args=[members_call.pk, other.pk])).status_code == 403
    # A submission id of another call under this call's address is not found.
    assert client.get(reverse("calls:submission_detail", args=[call.pk, other.pk])).status_code == 404
    # Evaluators score; the ranking and the export are the owners'.
    assert client.get(reverse("calls:evaluation", args=[call.pk])).status_code == 403
    assert client.get(reverse("calls:evaluation_csv", args=[call.pk])).status_code == 403


def test_scores_never_reach_submitters_or_other_members(
    client, outsider_client, other_admin, call, submission, evaluator
):
    services.score_submission(
        submission=submission, by=evaluator.user, values=scores(call, cost=5, time=3, references=1)
    )
    submission.refresh_from_db()
    mean = str(submission.score_mean)
    edit = reverse("calls:submission_edit", args=[services.edit_token(submission)])
    pages = [edit, submission.call.get_absolute_url(), reverse("calls:api_call_detail", args=[call.pk])]

    for visitor in (client, outsider_client, logged_in(other_admin)):
        for url in pages:
            assert mean not in visitor.get(url).content.decode()
        assert visitor.get(reverse("calls:evaluation", args=[call.pk])).status_code in (302, 403)
        assert visitor.get(reverse("calls:submission_detail", args=[call.pk, submission.pk])).status_code in (302, 403)


@pytest.mark.parametrize("who", ["member", "coalition_admin", "partnership_admin"])
def test_owners_see_the_ranking_with_spread_and_set_statuses(request, who, call, submission, evaluator):
    second = verified(call, organization="Parkly", email="p@parkly.example")
    services.score_submission(
        submission=submission, by=evaluator.user, values=scores(call, cost=2, time=2, references=2)
    )
    services.score_submission(submission=second, by=evaluator.user, values=scores(call, cost=5, time=5, references=5))
    client = logged_in(request.getfixturevalue(who))

    page = client.get(reverse("calls:evaluation", args=[call.pk])).content.decode()
    response = client.post(reverse("calls:submission_status", args=[call.pk, second.pk]), {"status": "selected"})

    assert page.index("Parkly") < page.index("CurbWorks")  # the higher mean ranks first
    assert response.status_code == 302
    assert Submission.objects.get(pk=second.pk).status == Submission.Status.SELECTED


@pytest.mark.parametrize("who", ["other_member", "other_admin", "outsider"])
def test_others_cannot_set_statuses_or_invite_evaluators(request, who, call, submission, unchanged_database):
    client = logged_in(request.getfixturevalue(who))
    with unchanged_database():
        a = client.post(reverse("calls:submission_status", args=[call.pk, submission.pk]), {"status": "selected"})
        b = client.post(reverse("calls:evaluator_add", args=[call.pk]), {"email": "charlie@example.org"})
    assert a.status_code == b.status_code == 403


def test_an_unknown_status_is_refused_with_a_message(member_client, call, submission, unchanged_database):
    with unchanged_database():
        response = member_client.post(
            reverse("calls:submission_status", args=[call.pk, submission.pk]), {"status": "winner"}, follow=True
        )
    assert "is not a status" in response.content.decode()


def test_evaluators_are_members(member, call, outsider):
    with pytest.raises(ValidationError):
        services.invite_evaluator(call=call, by=member, user=outsider)
    assert not Evaluator.objects.exists()


def test_csv_export_has_scores_and_neutralises_formulas(member_client, call, evaluator):
    submission = verified(call, organization='=HYPERLINK("http://evil")')
    services.score_submission(
        submission=submission, by=evaluator.user, values=scores(call, cost=4, time=4, references=4)
    )

    response = member_client.get(reverse("calls:evaluation_csv", args=[call.pk]))

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv") and text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and ",80.0," in text
    assert "charlie@example.org: Cost to the city" in text


def test_owner_pages_cost_a_fixed_number_of_queries(member_client, call, evaluator, django_assert_max_num_queries):
    for n in range(15):
        submission = verified(call, organization=f"Vendor {n}", email=f"v{n}@example.org")
        services.score_submission(
            submission=submission, by=evaluator.user, values=scores(call, cost=n % 6, time=3, references=1)
        )

    with django_assert_max_num_queries(12):
        assert member_client.get(reverse("calls:evaluation", args=[call.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert member_client.get(reverse("calls:evaluation_csv", args=[call.pk])).status_code == 200


# --- Decisions, reminders, closing ----------------------------------------------------------------------


def test_decisions_go_to_each_verified_submitter_once(member, call, submission, run):
    verified_member = verified(call, organization="Parkly", email="p@parkly.example")
    services.submit_solution(call=call, data=submission_data(email="never@verified.example"))
    services.set_submission_status(submission=submission, by=member, status="selected")
    mail.outbox.clear()

    with time_machine.travel(call.closes_at + dt.timedelta(hours=1)):
        run(services.send_decisions, call=call, by=member)
        with pytest.raises(ValidationError, match="already sent"):
            run(services.send_decisions, call=call, by=member)

    assert sorted(m.to[0] for m in mail.outbox) == ["p@parkly.example", "vera@curbworks.example"]
    selected = next(m for m in mail.outbox if m.to == ["vera@curbworks.example"])
    assert "selected" in selected.body and "named in the published results" in selected.body
    assert verified_member.pk
    with pytest.raises(ValidationError, match="statuses can no longer change"):
        services.set_submission_status(submission=submission, by=member, status="not_selected")


def test_decisions_to_many_submitters_are_queued_together(
    member, call, monkeypatch, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The owner's click queues every decision in a fixed number of statements: the submissions, the keys
    already used, one insert; and one message to the broker, however many submitters."""
    submissions = [verified(call, organization=f"Vendor {n}", email=f"v{n}@vendors.example") for n in range(12)]
    Delivery.objects.create(  # a decision already queued (a retried signal): not queued a second time
        key=f"call-decision:{submissions[0].pk}", kind=Delivery.Kind.CALL_DECIDE, to_address="v0@vendors.example"
    )
    published = []
    monkeypatch.setattr(canvas.group, "apply_async", lambda group, *a, **k: published.append(list(group.tasks)))

    with time_machine.travel(call.closes_at + dt.timedelta(hours=1)):
        with django_capture_on_commit_callbacks() as decided:
            services.send_decisions(call=call, by=member)
        with django_assert_max_num_queries(4), django_capture_on_commit_callbacks(execute=True):
            for callback in decided:
                callback()

    queued = Delivery.objects.filter(kind=Delivery.Kind.CALL_DECIDE).order_by("pk")
    assert [d.to_address for d in queued] == [f"v{n}@vendors.example" for n in range(12)]
    assert len(published) == 1  # one group for all (chunked by the chunk size)
    assert sorted(key for task in published[0] for key in task.kwargs["keys"]) == sorted(
        f"call-decision:{s.pk}" for s in submissions[1:]
    )


def test_decisions_wait_for_the_close(member, call, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError):
        services.send_decisions(call=call, by=member)


def test_evaluators_are_reminded_once_before_scoring_ends(call, evaluator, second_evaluator, run):
    with time_machine.travel(call.evaluation_ends_at - dt.timedelta(days=5)):
        run(tick_evaluation_reminders)
    assert mail.outbox == []  # not yet within three days

    with time_machine.travel(call.evaluation_ends_at - dt.timedelta(days=2)):
        run(tick_evaluation_reminders)
        run(tick_evaluation_reminders)

    assert sorted(m.to[0] for m in mail.outbox) == ["charlie@example.org", "gina@example.org"]
    assert Delivery.objects.filter(kind=Delivery.Kind.CALL_EVAL).count() == 2


@pytest.fixture
def results_kind(db):
    return PracticeKindFactory(name="Call-for-solutions results", slug="call-for-solutions")


def test_closing_publishes_a_results_practice_naming_only_consenting_selected_submitters(
    member, call, submission, results_kind
):
    shy = verified(call, organization="Quiet Corp", email="q@quiet.example", consents_to_be_named=False)
    loser = verified(call, organization="Also Ran LLC", email="a@ran.example")
    for s in (submission, shy):
        services.set_submission_status(submission=s, by=member, status="selected")

    with time_machine.travel(call.closes_at + dt.timedelta(days=1)):
        services.close_call(call=call, by=member)

    call.refresh_from_db()
    practice = call.results_practice
    assert practice.kind == results_kind and practice.status == Practice.Status.PUBLISHED
    assert practice.results_of_call == call  # linked both ways
    assert "CurbWorks Inc." in practice.body and "Quiet Corp" not in practice.body
    assert "1 selected submitter chose not to be named" in practice.body
    assert "Also Ran" not in practice.body and loser.pk
    assert "2 selected" in practice.summary


@pytest.mark.parametrize("who", ["other_member", "other_admin", "outsider"])
def test_only_owners_close_a_call(request, who, call, results_kind, unchanged_database):
    user = request.getfixturevalue(who)
    later = time_machine.travel(call.closes_at + dt.timedelta(days=1))
    with later, unchanged_database(), pytest.raises(PermissionDenied):
        services.close_call(call=call, by=user)


def test_a_call_closes_only_after_its_submissions_close(member, call, results_kind, unchanged_database):
    with unchanged_database(), pytest.raises(ValidationError):
        services.close_call(call=call, by=member)
    assert Call.objects.get().closed_at is None


def test_an_evaluator_finds_their_calls_from_the_list(call, evaluator):
    client = logged_in(evaluator.user)

    listing = client.get(reverse("calls:call_list")).content.decode()
    mine = client.get(reverse("calls:evaluator_calls")).content.decode()

    assert reverse("calls:evaluator_calls") in listing
    assert reverse("calls:submission_list", args=[call.pk]) in mine
