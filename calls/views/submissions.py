"""Answering a call: the submission form (no account needed for a public call), the email's
verification link, and the signed edit link that works until the submissions close.

Spam meets a honeypot field, limits per client address and per email address (``throttle``), and
the upload checks practices use. Every refusal changes nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coalitions import permissions

from .. import services, throttle
from ..forms import SubmissionForm
from ..models import Call
from .calls import _add_errors, visible_call

TOO_MANY = (
    "Too many submissions from this address or network in the last hour. "
    "Try again later, or write to the call's coalition."
)


@require_POST
@permissions.signs_in_first
def submission_create(request, pk):
    call = visible_call(request, pk)
    member = request.user if permissions.is_member(request.user) else None
    form = SubmissionForm(request.POST, request.FILES, member=member)
    if form.is_spam:
        # Said like a success, so a bot learns nothing; nothing is stored or sent.
        return render(request, "calls/submission_sent.html", {"call": call, "verified": False})
    email = member.email if member else request.POST.get("email", "")
    if not throttle.submission_allowed(request, email):
        messages.error(request, TOO_MANY)
        return render(request, "calls/submission_form.html", {"call": call, "form": form}, status=429)
    if form.is_valid():
        try:
            submission = services.submit_solution(
                call=call, data=form.service_data(), files=form.cleaned_data.get("files") or [], by=request.user
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return render(request, "calls/submission_sent.html", {"call": call, "verified": submission.is_verified})
    return render(request, "calls/submission_form.html", {"call": call, "form": form}, status=400)


def submission_verify(request, token):
    """The link in the email: GET shows a button (mail scanners follow links), POST confirms."""
    if request.method == "POST":
        try:
            submission = services.verify_submission(token=token)
        except ValidationError as exc:
            return render(request, "calls/submission_link_error.html", {"error": " ".join(exc.messages)}, status=400)
        return render(request, "calls/submission_verified.html", {"submission": submission, "call": submission.call})
    try:
        submission = services.submission_for_verify_token(token)
    except ValidationError as exc:
        return render(request, "calls/submission_link_error.html", {"error": " ".join(exc.messages)}, status=400)
    return render(request, "calls/submission_verify.html", {"submission": submission, "call": submission.call})


def submission_edit(request, token):
    """The submitter's signed link: change the submission until the submissions close, never after."""
    try:
        submission = services.submission_for_edit_token(token)
    except ValidationError as exc:
        return render(request, "calls/submission_link_error.html", {"error": " ".join(exc.messages)}, status=400)
    call: Call = submission.call
    if call.phase != Call.Phase.OPEN:
        return render(
            request,
            "calls/submission_link_error.html",
            {"error": services.closed_message(call), "call": call},
            status=403 if request.method == "POST" else 200,
        )
    form = SubmissionForm(request.POST or None, request.FILES or None, instance=submission, editing=True)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_submission(
                    token=token, data=form.service_data(), files=form.cleaned_data.get("files") or []
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Your submission is updated.")
                return redirect(request.path)
        status = 400
    else:
        status = 200
    context = {"call": call, "form": form, "submission": submission, "files": list(submission.files.all())}
    return render(request, "calls/submission_edit.html", context, status=status)
