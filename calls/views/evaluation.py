"""The owners' and evaluators' side of a call: evaluators, scoring, the ranking with its spread,
statuses, the CSV export, sending decisions and closing with results.

Submissions are seen only by the call's owners (its creator, its coalition's admins, partnership
admins) and its invited evaluators; scores and ranks only by the owners (an evaluator sees their own
scores). Everyone else gets a 403; the services check each write again.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coalitions.confirm import confirmation_page, is_confirmed
from coalitions.csvsafe import to_csv
from practices.uploads import serve_upload

from .. import services
from ..forms import EvaluatorForm, ScoreForm, StatusForm
from ..models import Call, Evaluator, Score, Submission, SubmissionFile
from .calls import owned_call

OWNERS_ONLY = "Only the call's owners (its creator and its coalition's admins) manage its evaluation."


def _owned_call(request, pk) -> Call:
    return owned_call(request, pk, OWNERS_ONLY)


def _ranked(call: Call):
    """Verified submissions, best weighted mean first (unscored last)."""
    return call.submissions.exclude(verified_at=None).order_by(F("score_mean").desc(nulls_last=True), "created")


@login_required
def evaluation(request, pk):
    """The owners' page: submissions ranked by weighted mean, with the spread between evaluators."""
    call = _owned_call(request, pk)
    submissions = list(_ranked(call))
    evaluators = list(call.evaluators.select_related("user__profile"))
    context = {
        "call": call,
        "submissions": submissions,
        "unverified": call.submissions.filter(verified_at=None).count(),
        "evaluators": evaluators,
        "criteria": list(call.criteria.all()),
        "evaluator_form": EvaluatorForm(),
        "statuses": Submission.Status.choices,
        "can_decide": not call.decisions_sent_at,
        "submissions_closed": timezone.now() > call.closes_at,
    }
    return render(request, "calls/evaluation.html", context)


@login_required
@require_POST
def evaluator_add(request, pk):
    call = _owned_call(request, pk)
    form = EvaluatorForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if user is None:
            messages.error(request, "No member has that address. Evaluators are members of a coalition.")
        else:
            try:
                services.invite_evaluator(call=call, by=request.user, user=user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{user.email} can now score this call's submissions.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("calls:evaluation", pk=call.pk)


@login_required
def evaluator_remove(request, pk, evaluator_pk):
    call = _owned_call(request, pk)
    evaluator = get_object_or_404(Evaluator.objects.select_related("user"), pk=evaluator_pk, call=call)
    if is_confirmed(request):
        services.remove_evaluator(evaluator=evaluator, by=request.user)
        messages.success(request, f"{evaluator.user.email} no longer evaluates this call; their scores are removed.")
        return redirect("calls:evaluation", pk=call.pk)
    return confirmation_page(
        request,
        question=f"Remove {evaluator.user.email} as an evaluator?",
        explanation="Their scores are deleted and the ranking is remade without them.",
        button="Remove evaluator",
        back_url=call.get_absolute_url(),
    )


@login_required
def evaluator_calls(request):
    """The calls this member was invited to evaluate."""
    seats = list(
        Evaluator.objects.filter(user=request.user)
        .select_related("call__coalition")
        .order_by("call__evaluation_ends_at")
    )
    return render(request, "calls/evaluator_calls.html", {"seats": seats})


@login_required
def submission_list(request, pk):
    """An evaluator's (or owner's) list of a call's verified submissions, with their own progress."""
    call = get_object_or_404(Call.objects.select_related("coalition"), pk=pk)
    if not services.can_see_submissions(request.user, call):
        raise PermissionDenied("Only the call's owners and invited evaluators see its submissions.")
    evaluator = Evaluator.objects.filter(call=call, user=request.user).first()
    submissions = list(
        call.submissions.exclude(verified_at=None).only("pk", "organization", "summary", "created", "call_id")
    )
    scored = set()
    if evaluator:
        criteria = call.criteria.count()
        counts: dict[int, int] = {}
        for submission_id in Score.objects.filter(evaluator=evaluator).values_list("submission_id", flat=True):
            counts[submission_id] = counts.get(submission_id, 0) + 1
        scored = {sid for sid, n in counts.items() if n >= criteria}
    context = {"call": call, "submissions": submissions, "scored": scored, "evaluator": evaluator}
    return render(request, "calls/submission_list.html", context)


@login_required
def submission_detail(request, pk, submission_pk):
    """One submission: an evaluator scores it here; owners also set its status."""
    call = get_object_or_404(Call.objects.select_related("coalition"), pk=pk)
    if not services.can_see_submissions(request.user, call):
        raise PermissionDenied("Only the call's owners and invited evaluators see its submissions.")
    submission = get_object_or_404(Submission, pk=submission_pk, call=call)
    if not submission.is_verified and not call.can_manage(request.user):
        raise PermissionDenied("This submission's address is not verified yet.")
    evaluator = Evaluator.objects.filter(call=call, user=request.user).first()
    criteria = list(call.criteria.all())
    score_form = None
    if evaluator:
        mine = dict(
            Score.objects.filter(evaluator=evaluator, submission=submission).values_list("criterion_id", "value")
        )
        score_form = ScoreForm(request.POST or None, criteria=criteria, initial_scores=mine)
        if request.method == "POST":
            if score_form.is_valid():
                try:
                    services.score_submission(submission=submission, by=request.user, values=score_form.values())
                except ValidationError as exc:
                    messages.error(request, " ".join(exc.messages))
                else:
                    messages.success(request, "Scores saved.")
                    return redirect(request.path)
            else:
                messages.error(request, "A score is a whole number from 0 to 5.")
    elif request.method == "POST":
        raise PermissionDenied("Only the call's invited evaluators score its submissions.")
    context = {
        "call": call,
        "submission": submission,
        "files": list(submission.files.all()),
        "score_form": score_form,
        "can_manage": call.can_manage(request.user),
        "status_form": StatusForm(initial={"status": submission.status}),
        "can_decide": not call.decisions_sent_at,
    }
    return render(request, "calls/submission_detail.html", context)


@login_required
def submission_file(request, pk, submission_pk, file_pk):
    call = get_object_or_404(Call, pk=pk)
    if not services.can_see_submissions(request.user, call):
        raise PermissionDenied("Only the call's owners and invited evaluators see its submissions.")
    submission = get_object_or_404(Submission, pk=submission_pk, call=call)
    stored = get_object_or_404(SubmissionFile, pk=file_pk, submission=submission)
    return serve_upload(stored.file, filename=stored.name, content_type=stored.content_type, is_public=False)


@login_required
@require_POST
def submission_status(request, pk, submission_pk):
    call = _owned_call(request, pk)
    submission = get_object_or_404(Submission, pk=submission_pk, call=call)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        try:
            services.set_submission_status(submission=submission, by=request.user, status=form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{submission.organization}: {submission.get_status_display().lower()}.")
    return redirect("calls:evaluation", pk=call.pk)


@login_required
def evaluation_csv(request, pk):
    """Submissions with their weighted mean, spread, status and each evaluator's score per criterion."""
    call = _owned_call(request, pk)
    criteria = list(call.criteria.all())
    evaluators = list(call.evaluators.select_related("user"))
    submissions = list(_ranked(call))
    scores = {
        (s.submission_id, s.evaluator_id, s.criterion_id): s.value
        for s in Score.objects.filter(submission__call=call).only(
            "submission_id", "evaluator_id", "criterion_id", "value"
        )
    }
    header = ["rank", "organization", "name", "email", "status", "weighted mean (0-100)", "spread", "evaluators",
              "named if selected", "summary"]  # fmt: skip
    header += [f"{e.user.email}: {c.name}" for e in evaluators for c in criteria]
    rows = []
    for rank, s in enumerate(submissions, start=1):
        row = [rank, s.organization, s.name, s.email, s.get_status_display(),
               float(s.score_mean) if s.score_mean is not None else "",
               float(s.score_spread) if s.score_spread is not None else "", s.evaluators_scored,
               s.consents_to_be_named, s.summary]  # fmt: skip
        row += [scores.get((s.pk, e.pk, c.pk), "") for e in evaluators for c in criteria]
        rows.append(row)
    response = HttpResponse(to_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="call-{call.pk}-submissions.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def decisions_send(request, pk):
    call = _owned_call(request, pk)
    if call.decisions_sent_at:
        messages.error(request, "The decisions were already sent.")
        return redirect("calls:evaluation", pk=call.pk)
    if timezone.now() <= call.closes_at:
        messages.error(request, "Decisions are sent after submissions close.")
        return redirect("calls:evaluation", pk=call.pk)
    if is_confirmed(request):
        try:
            services.send_decisions(call=call, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The decisions are on their way to each submitter.")
        return redirect("calls:evaluation", pk=call.pk)
    return confirmation_page(
        request,
        question="Send the decisions to the submitters?",
        explanation="Each verified submitter is told their status (selected, shortlisted, not selected or "
        "received). Statuses can no longer change afterwards.",
        button="Send decisions",
        back_url=call.get_absolute_url(),
    )


@login_required
def call_close(request, pk):
    call = _owned_call(request, pk)
    if call.closed_at:
        messages.error(request, "This call is already closed.")
        return redirect(call)
    if timezone.now() <= call.closes_at:
        messages.error(request, "A call closes once its submissions have closed.")
        return redirect(call)
    if is_confirmed(request):
        try:
            call = services.close_call(call=call, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(call)
        messages.success(request, "The call is closed and its results are published as a practice.")
        return redirect(call.results_practice)
    return confirmation_page(
        request,
        question=f"Close “{call.title}” and publish its results?",
        explanation="A results practice is published listing the selected solutions (named only where their "
        "submitters agreed), so other coalitions learn from it. Scores stay private.",
        button="Close and publish results",
        back_url=call.get_absolute_url(),
    )
