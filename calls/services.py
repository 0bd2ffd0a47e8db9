"""Writes for shared needs (post, edit, co-sign, withdraw a co-signature, close) and for calls for
solutions (publish, edit, submit, verify, evaluate, decide, close with results).

Each function checks its actor, ``by``, itself (through ``coalitions.permissions`` and the models'
``can_…`` methods) and raises ``PermissionDenied``; bad input raises ``ValidationError`` naming the
field. A need's stored vector (its meaning, for "similar needs") is made after the commit by a task.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from coalitions import permissions
from coalitions.models import Coalition
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import Meeting
from practices.government_levels import UNKNOWN_LEVEL_MESSAGE, GovernmentLevel
from practices.models import Practice
from practices.uploads import stored_files_removed_on_failure, validate_uploads

from .models import MAX_SCORE, SUMMARY_MAX, Call, Evaluator, Need, NeedSignature, Score, Submission
from .signals import decisions_sent, evaluation_due, submission_received, submission_verified

FIELDS = ("title", "problem", "affected", "tried", "government_level", "budget", "timeframe")
# A need is read in a minute; longer text belongs in a linked document. A form says so and keeps the text.
MAX_TEXT = 5000


def _validate(data: dict) -> None:
    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = ["Say the need in one line."]
    if not (data.get("problem") or "").strip():
        errors["problem"] = ["Describe the problem: what hurts today, and for whom."]
    for name in ("problem", "affected", "tried"):
        if len(data.get(name) or "") > MAX_TEXT:
            errors[name] = [
                f"Keep this under {MAX_TEXT:,} characters (it has {len(data[name]):,}); link a document for the rest."
            ]
    level = data.get("government_level") or ""
    if level and level not in GovernmentLevel.values:
        errors["government_level"] = [UNKNOWN_LEVEL_MESSAGE % {"value": level}]
    if "focus_areas" in data and not data["focus_areas"]:
        errors["focus_areas"] = ["Choose at least one focus area."]
    if errors:
        raise ValidationError(errors)


def _embed_after_commit(need: Need) -> None:
    from .tasks import embed_needs

    need_id = need.pk
    transaction.on_commit(lambda: embed_needs.delay([need_id]))


def post_need(*, by, coalition: Coalition, data: dict) -> Need:
    """``by`` posts a need for ``coalition`` (theirs; partnership admins for any). ``data``: the form's
    cleaned fields, ``focus_areas`` as FocusArea objects (at least one)."""
    if not (permissions.is_member_of(by, coalition.pk) or permissions.is_partnership_admin(by)):
        raise PermissionDenied("You can post needs only for a coalition you belong to.")
    data = {**data, "focus_areas": data.get("focus_areas") or []}
    _validate(data)
    with transaction.atomic():
        need = Need(coalition=coalition, author=by, **{name: data.get(name) or "" for name in FIELDS})
        need.save()
        need.focus_areas.set(data["focus_areas"])
        _embed_after_commit(need)
    return need


def update_need(*, need: Need, by, data: dict) -> Need:
    """The poster, the posting coalition's admins or partnership admins change an open need."""
    if not need.can_manage(by):
        raise PermissionDenied("Only the member who posted this need and their coalition's admins can edit it.")
    if not need.is_open:
        raise ValidationError("This need is closed; it can no longer be edited.")
    _validate({**{name: getattr(need, name) for name in FIELDS}, **data})
    with transaction.atomic():
        for name in FIELDS:
            if name in data:
                setattr(need, name, data[name] or "")
        need.save()
        if "focus_areas" in data:
            need.focus_areas.set(data["focus_areas"])
        _embed_after_commit(need)
    return need


def signing_coalitions(user, need: Need) -> list[Coalition]:
    """The coalitions ``user`` may co-sign ``need`` for: theirs, but not the poster's nor one that signed."""
    ids = permissions.coalition_ids(user) - {need.coalition_id}
    if not ids:
        return []
    signed = set(need.signatures.values_list("coalition_id", flat=True))
    return list(Coalition.objects.filter(pk__in=ids - signed).order_by("name"))


def cosign_need(*, need: Need, by, coalition: Coalition, context: str) -> NeedSignature:
    """``by`` says "we need this too" for ``coalition`` (one of theirs, not the posting one)."""
    if not permissions.is_member_of(by, coalition.pk):
        raise PermissionDenied("You can co-sign only for a coalition you belong to.")
    if coalition.pk == need.coalition_id:
        raise ValidationError("Your coalition posted this need; co-signatures come from other coalitions.")
    if not need.is_open:
        raise ValidationError("This need is closed; it takes no more co-signatures.")
    context = " ".join((context or "").split())
    if not context:
        raise ValidationError({"context": ["Add a line on your context: where it hurts for you."]})
    if len(context) > 300:
        raise ValidationError({"context": [f"Keep it to one line of 300 characters (it has {len(context):,})."]})
    try:
        with transaction.atomic():
            signature = NeedSignature.objects.create(need=need, coalition=coalition, user=by, context=context)
            Need.objects.filter(pk=need.pk).update(cosigning_coalitions=F("cosigning_coalitions") + 1)
    except IntegrityError:
        raise ValidationError(f"{coalition.name} has already co-signed this need.") from None
    need.refresh_from_db(fields=["cosigning_coalitions"])
    return signature


def withdraw_signature(*, signature: NeedSignature, by) -> None:
    """The signer, their coalition's admins or partnership admins take a co-signature back."""
    if not signature.can_withdraw(by):
        raise PermissionDenied("Only the member who co-signed and their coalition's admins can withdraw it.")
    with transaction.atomic():
        deleted, _ = NeedSignature.objects.filter(pk=signature.pk).delete()
        if deleted:  # a second click (or a concurrent one) finds nothing to take back
            Need.objects.filter(pk=signature.need_id, cosigning_coalitions__gt=0).update(
                cosigning_coalitions=F("cosigning_coalitions") - 1
            )


def close_need(
    *, need: Need, by, outcome: str, met_by: Practice | None = None, met_by_call: Call | None = None
) -> Need:
    """Close an open need as met (by a practice ``by`` may see, or a call for solutions) or withdrawn."""
    if not need.can_manage(by):
        raise PermissionDenied("Only the member who posted this need and their coalition's admins can close it.")
    if not need.is_open:
        raise ValidationError("This need is already closed.")
    if outcome == Need.Status.MET:
        if met_by is None and met_by_call is None:
            raise ValidationError({"practice": ["Name the practice that met this need."]})
        if met_by is not None and not Practice.objects.published().visible_to(by).filter(pk=met_by.pk).exists():
            raise ValidationError({"practice": ["That practice is not published, or you cannot see it."]})
        if met_by_call is not None and not Call.objects.visible_to(by).filter(pk=met_by_call.pk).exists():
            raise ValidationError({"call": ["You cannot see that call."]})
    elif outcome == Need.Status.WITHDRAWN:
        met_by = met_by_call = None
    else:
        raise ValidationError("A need is closed as met or withdrawn.")
    updated = Need.objects.filter(pk=need.pk, status=Need.Status.OPEN).update(
        status=outcome, met_by=met_by, met_by_call=met_by_call, closed_at=timezone.now(), closed_by=by
    )
    if not updated:
        raise ValidationError("This need is already closed.")
    need.refresh_from_db()
    return need


def working_group_description(need: Need) -> str:
    """The meeting's description (Markdown): the need, and who co-signed it with their context."""
    url = settings.SITE_URL + reverse("calls:need_detail", args=[need.pk])
    lines = [
        f"Working group on the shared need [{need.title}]({url}),",
        f"posted by {need.coalition.name}. Co-signed by:",
        "",
    ]
    for signature in need.signatures.select_related("coalition", "user__profile"):
        who = signature.user.profile.display_name if signature.user else "a former member"
        lines.append(f"- **{signature.coalition.name}** ({who}): {signature.context}")
    return "\n".join(lines)


def working_group_invitees(need: Need) -> list:
    """Who a shared need's working group invites: the need's author and the member who co-signed for
    each coalition, those of them who can still be invited (active members). One query."""
    ids = {need.author_id, *need.signatures.exclude(user=None).values_list("user_id", flat=True)} - {None}
    return list(meeting_selectors.invitable_members().filter(pk__in=ids).order_by("pk"))


def plan_working_group(*, need: Need, by, data: dict) -> Meeting:
    """A partnership admin turns an open shared need into a one-off meeting (``data`` as
    ``meetings.services.schedule_meeting`` takes it), linked from the need's page. The co-signers and
    the need's author are invited, besides anyone ``data["invitees"]`` names."""
    if not permissions.is_partnership_admin(by):
        raise PermissionDenied("Partnership admins turn shared needs into working-group meetings.")
    if not need.is_open or not need.is_shared:
        raise ValidationError(
            "Only an open shared need (co-signed by two or more other coalitions) becomes a working group."
        )
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if (
            locked.meeting_id
            and Meeting.objects.filter(pk=locked.meeting_id).exclude(status=Meeting.Status.CANCELLED).exists()
        ):
            raise ValidationError("This need already has a working-group meeting.")
        invitees = {user.pk: user for user in [*working_group_invitees(locked), *(data.get("invitees") or [])]}
        meeting = meeting_services.schedule_meeting(by=by, data={**data, "invitees": list(invitees.values())})
        Need.objects.filter(pk=need.pk).update(meeting=meeting)
    need.meeting = meeting
    return meeting


# --- Calls for solutions ----------------------------------------------------------------------------

CALL_FIELDS = ("title", "problem", "asks", "terms", "government_level", "is_public", "time_zone")
PHASE_FIELDS = ("opens_at", "closes_at", "evaluation_ends_at", "results_at")
# A call's text is read in a few minutes; the full brief belongs in an attached file.
CALL_MAX_TEXT = 20000
MAX_CRITERIA = 12
EDIT_SALT = "calls.submission.edit"
VERIFY_SALT = "calls.submission.verify"
# A verification link works for a week: long enough for a spam folder, short enough not to linger.
VERIFY_MAX_AGE = 7 * 24 * 3600


def _validate_criteria(criteria) -> list[tuple[str, int]]:
    """``criteria``: (name, weight) pairs. Weights are whole numbers from 1 to 100, read as shares of
    their total (3/2/1 means half, a third, a sixth), so they never have to add up to anything."""
    from .models import MAX_WEIGHT

    cleaned, errors = [], []
    for name, weight in criteria:
        name = " ".join(str(name or "").split())
        if not name:
            errors.append("Each criterion needs a name.")
            continue
        if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= MAX_WEIGHT:
            errors.append(f"“{name}”: a weight is a whole number from 1 to {MAX_WEIGHT} (weights are shares).")
            continue
        cleaned.append((name[:160], weight))
    if not criteria:
        errors.append("Add at least one criterion, with its weight.")
    if len(criteria) > MAX_CRITERIA:
        errors.append(f"At most {MAX_CRITERIA} criteria; merge the smaller ones.")
    if len({name.casefold() for name, _ in cleaned}) != len(cleaned):
        errors.append("Two criteria have the same name.")
    if errors:
        raise ValidationError({"criteria": errors})
    return cleaned


def _validate_call(data: dict) -> None:
    from coalitions.timezones import is_valid_time_zone

    errors = {}
    if not (data.get("title") or "").strip():
        errors["title"] = ["Say the call in one line."]
    if not (data.get("problem") or "").strip():
        errors["problem"] = ["State the problem: what goes wrong today, and for whom (not a specification)."]
    if not (data.get("asks") or "").strip():
        errors["asks"] = ["Say what you ask of respondents."]
    if not (data.get("terms") or "").strip():
        errors["terms"] = ["State the terms a respondent accepts by submitting."]
    for name in ("problem", "asks", "terms"):
        if len(data.get(name) or "") > CALL_MAX_TEXT:
            errors[name] = [f"Keep this under {CALL_MAX_TEXT:,} characters; attach the full brief as a file."]
    level = data.get("government_level") or ""
    if level and level not in GovernmentLevel.values:
        errors["government_level"] = [UNKNOWN_LEVEL_MESSAGE % {"value": level}]
    if not is_valid_time_zone(data.get("time_zone") or ""):
        errors["time_zone"] = ["Choose the time zone the call's dates are in."]
    if "focus_areas" in data and not data["focus_areas"]:
        errors["focus_areas"] = ["Choose at least one focus area."]
    phases = [data.get(name) for name in PHASE_FIELDS]
    if any(moment is None for moment in phases):
        for name in PHASE_FIELDS:
            if data.get(name) is None:
                errors[name] = ["Give the date and time."]
    else:
        opens, closes, evaluation_ends, results = phases
        if closes <= opens:
            errors["closes_at"] = ["Submissions must close after they open."]
        elif evaluation_ends < closes:
            errors["evaluation_ends_at"] = ["Scoring ends after submissions close."]
        elif results < evaluation_ends:
            errors["results_at"] = ["Results come after scoring ends."]
    if errors:
        raise ValidationError(errors)


def _store_files(model, owner_field: str, owner, files, content_types, *, stored: list, extra=None) -> None:
    for upload, content_type in zip(files, content_types, strict=True):
        row = model(
            **{owner_field: owner},
            name=upload.name.rsplit("/", 1)[-1][:255],
            content_type=content_type,
            size=upload.size,
            **(extra or {}),
        )
        row.file.save(upload.name, upload, save=False)
        stored.append(row.file)
        row.save()


def _save_criteria(call: Call, criteria: list[tuple[str, int]]) -> None:
    """Keep the criteria whose names stay (and their scores), update weights, add and remove the rest."""
    from .models import Criterion

    existing = {c.name.casefold(): c for c in call.criteria.all()}
    keep = set()
    for order, (name, weight) in enumerate(criteria):
        criterion = existing.get(name.casefold())
        if criterion is None:
            Criterion.objects.create(call=call, name=name, weight=weight, order=order)
        else:
            keep.add(criterion.pk)
            Criterion.objects.filter(pk=criterion.pk).update(name=name, weight=weight, order=order)
    call.criteria.exclude(pk__in=keep).exclude(name__in=[n for n, _ in criteria]).delete()


def can_publish_call_for(user, coalition: Coalition) -> bool:
    """Members publish calls for their own coalition (a member city through its coalition);
    partnership admins for any."""
    return permissions.is_partnership_admin(user) or permissions.is_member_of(user, coalition.pk)


def publish_call(*, by, coalition: Coalition, data: dict, criteria, files=(), need: Need | None = None) -> Call:
    """``by`` publishes a call for ``coalition``. ``data``: the form's cleaned fields with aware datetimes
    (``opens_at``…) and ``focus_areas`` (at least one); ``criteria``: (name, weight) pairs; ``need``: the
    shared need a partnership admin turns into this joint call."""
    from .models import CallFile

    if not can_publish_call_for(by, coalition):
        raise PermissionDenied("You can publish calls only for a coalition you belong to.")
    if need is not None and not permissions.is_partnership_admin(by):
        raise PermissionDenied("Partnership admins turn shared needs into joint calls.")
    data = {**data, "focus_areas": data.get("focus_areas") or []}
    _validate_call(data)
    criteria = _validate_criteria(list(criteria))
    content_types = validate_uploads(files, field="files")
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        call = Call(
            coalition=coalition,
            author=by,
            need=need,
            **{name: data[name] for name in PHASE_FIELDS},
            **{name: data.get(name) if name == "is_public" else (data.get(name) or "") for name in CALL_FIELDS},
        )
        call.save()
        call.focus_areas.set(data["focus_areas"])
        _save_criteria(call, criteria)
        _store_files(CallFile, "call", call, files, content_types, stored=stored, extra={"uploaded_by": by})
    return call


def update_call(*, call: Call, by, data: dict, criteria=None, files=()) -> Call:
    """The owners change a call that is not closed. Criteria keep their scores when their names stay."""
    from .models import CallFile

    if not call.can_manage(by):
        raise PermissionDenied("Only the call's owners can edit it.")
    if call.closed_at:
        raise ValidationError("This call is closed; its results are published.")
    merged = {**{name: getattr(call, name) for name in (*CALL_FIELDS, *PHASE_FIELDS)}, **data}
    _validate_call(merged)
    criteria = _validate_criteria(list(criteria)) if criteria is not None else None
    content_types = validate_uploads(files, field="files")
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        for name in (*CALL_FIELDS, *PHASE_FIELDS):
            if name in data:
                setattr(call, name, data[name])
        call.save()
        if "focus_areas" in data:
            call.focus_areas.set(data["focus_areas"])
        if criteria is not None:
            _save_criteria(call, criteria)
        _store_files(CallFile, "call", call, files, content_types, stored=stored, extra={"uploaded_by": by})
    return call


def remove_call_file(*, call_file, by) -> None:
    """The owners take one document off a call that is not closed; the stored file goes once the row's
    deletion is committed (a rolled-back removal keeps it)."""
    call = call_file.call
    if not call.can_manage(by):
        raise PermissionDenied("Only the call's owners can remove its documents.")
    if call.closed_at:
        raise ValidationError("This call is closed; its results are published.")
    stored = call_file.file
    with transaction.atomic():
        call_file.delete()
        transaction.on_commit(lambda: stored.storage.delete(stored.name))


# --- Submissions ------------------------------------------------------------------------------------

SUBMISSION_FIELDS = ("name", "organization", "email", "summary", "description", "consents_to_be_named")
MAX_SUBMISSION_FILES = 5


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def edit_token(submission: Submission) -> str:
    """The submitter's signed edit link's token: names the submission and the address it was made with."""
    return signing.dumps({"s": submission.pk, "e": submission.email.lower()}, salt=EDIT_SALT, compress=True)


def verify_token(submission: Submission) -> str:
    return signing.dumps({"s": submission.pk, "e": submission.email.lower()}, salt=VERIFY_SALT, compress=True)


def _from_token(token: str, *, salt: str, max_age: int | None = None) -> Submission:
    """The submission a signed token names; ``ValidationError`` for a tampered, expired or stale one (a
    token made before the address changed no longer works)."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
        submission = Submission.objects.select_related("call__coalition").get(pk=int(payload["s"]))
    except signing.SignatureExpired:
        raise ValidationError("This link has expired. Submit again, or write to the call's coalition.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError, Submission.DoesNotExist):
        raise ValidationError("This link is not valid: it may have been cut short or changed.") from None
    if submission.email.lower() != str(payload.get("e", "")).lower():
        raise ValidationError("This link is not valid: it may have been cut short or changed.")
    return submission


def submission_for_edit_token(token: str) -> Submission:
    return _from_token(token, salt=EDIT_SALT)


def submission_for_verify_token(token: str) -> Submission:
    return _from_token(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)


def edit_url(submission: Submission) -> str:
    return _absolute(reverse("calls:submission_edit", args=[edit_token(submission)]))


def verify_url(submission: Submission) -> str:
    return _absolute(reverse("calls:submission_verify", args=[verify_token(submission)]))


def closed_message(call: Call) -> str:
    from coalitions.timefmt import format_when

    return (
        f"Submissions to this call closed at {format_when(call.closes_at, call.time_zone)} "
        f"({format_when(call.closes_at, 'UTC')}); nothing more can be submitted or changed."
    )


def _check_open(call: Call, now) -> None:
    if call.closed_at or now > call.closes_at:
        raise ValidationError(closed_message(call), code="closed")
    if now < call.opens_at:
        from coalitions.timefmt import format_when

        raise ValidationError(f"Submissions open at {format_when(call.opens_at, call.time_zone)}.", code="not_open")


def _validate_submission(data: dict) -> None:
    errors = {}
    for name, message in (
        ("name", "Give your name."),
        ("organization", "Give your organization's name."),
        ("email", "Give an email address: a link there confirms the submission."),
        ("summary", "Sum up your solution in a few lines."),
        ("description", "Describe your solution."),
    ):
        if not (data.get(name) or "").strip():
            errors[name] = [message]
    if len(data.get("summary") or "") > SUMMARY_MAX:
        errors["summary"] = [f"Keep the summary to {SUMMARY_MAX} characters (it has {len(data['summary']):,})."]
    if len(data.get("description") or "") > CALL_MAX_TEXT:
        errors["description"] = [f"Keep this under {CALL_MAX_TEXT:,} characters; attach the rest as a file."]
    if errors:
        raise ValidationError(errors)


def submit_solution(*, call: Call, data: dict, files=(), by=None, now=None) -> Submission:
    """An answer to ``call`` from ``by`` (a signed-in member) or an outside organization (``by`` None or
    anonymous). It must accept the call's terms and arrive while submissions are open (the closing second
    included). An outside submission counts once its address is verified by the emailed link; a member's
    verified account address counts at once."""
    from .models import SubmissionFile

    now = now or timezone.now()
    member = by if by is not None and permissions.is_member(by) else None
    if not call.is_public and member is None:
        raise PermissionDenied("This call is for members of the partnership's coalitions only.")
    _check_open(call, now)
    if member is not None:
        data = {**data, "email": member.email}
    _validate_submission(data)
    if not data.get("accepted_terms"):
        raise ValidationError({"accepted_terms": ["Accept the call's terms to submit."]})
    if len(files) > MAX_SUBMISSION_FILES:
        raise ValidationError({"files": [f"At most {MAX_SUBMISSION_FILES} files."]})
    content_types = validate_uploads(files, field="files")
    verified = member is not None and permissions.has_verified_email(member)
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        submission = Submission(
            call=call,
            user=member,
            accepted_terms=True,
            verified_at=now if verified else None,
            **{name: data.get(name) if name == "consents_to_be_named" else data[name].strip()
               for name in SUBMISSION_FIELDS},
        )  # fmt: skip
        submission.save()
        _store_files(SubmissionFile, "submission", submission, files, content_types, stored=stored)
        links = {"verify_url": None if verified else verify_url(submission), "edit_url": edit_url(submission)}
        transaction.on_commit(lambda: submission_received.send(sender=Submission, submission=submission, **links))
    return submission


def verify_submission(*, token: str, now=None) -> Submission:
    """The emailed link proves the address: the submission counts from now on (a second click changes
    nothing). Works for a week, even after the call closes: the submission arrived in time."""
    submission = _from_token(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    updated = Submission.objects.filter(pk=submission.pk, verified_at=None).update(verified_at=now or timezone.now())
    submission.refresh_from_db()
    if updated:
        url = edit_url(submission)
        transaction.on_commit(lambda: submission_verified.send(sender=Submission, submission=submission, edit_url=url))
    return submission


def update_submission(*, token: str, data: dict, files=(), now=None) -> Submission:
    """The submitter changes their submission through its signed edit link, until the submissions close
    (never after: the evaluators score what arrived in time). The address is not changed here."""
    from .models import SubmissionFile

    submission = submission_for_edit_token(token)
    _check_open(submission.call, now or timezone.now())
    data = {**data, "email": submission.email}
    _validate_submission(data)
    if submission.files.count() + len(files) > MAX_SUBMISSION_FILES:
        raise ValidationError({"files": [f"At most {MAX_SUBMISSION_FILES} files."]})
    content_types = validate_uploads(files, field="files")
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        for name in SUBMISSION_FIELDS:
            if name != "email" and name in data:
                value = data[name]
                setattr(submission, name, value.strip() if isinstance(value, str) else value)
        submission.save()
        _store_files(SubmissionFile, "submission", submission, files, content_types, stored=stored)
    return submission


# --- Evaluation -------------------------------------------------------------------------------------


def can_see_submissions(user, call: Call) -> bool:
    """The call's owners and its invited evaluators; nobody else, submitters included."""
    if call.can_manage(user):
        return True
    return bool(user.is_authenticated) and Evaluator.objects.filter(call=call, user_id=user.pk).exists()


def invite_evaluator(*, call: Call, by, user) -> Evaluator:
    """The owners invite a member (of any coalition) to score the call's submissions."""
    if not call.can_manage(by):
        raise PermissionDenied("Only the call's owners invite evaluators.")
    if call.closed_at:
        raise ValidationError("This call is closed.")
    if not user.is_active or not permissions.is_member(user):
        raise ValidationError({"email": ["Evaluators are members of the partnership's coalitions."]})
    evaluator, created = Evaluator.objects.get_or_create(call=call, user=user, defaults={"invited_by": by})
    if not created:
        raise ValidationError({"email": [f"{user.email} is already an evaluator of this call."]})
    return evaluator


def remove_evaluator(*, evaluator: Evaluator, by) -> None:
    if not evaluator.call.can_manage(by):
        raise PermissionDenied("Only the call's owners remove evaluators.")
    with transaction.atomic():
        submission_ids = list(evaluator.scores.values_list("submission_id", flat=True).distinct())
        evaluator.delete()
        refresh_submission_scores(submission_ids=submission_ids)


def refresh_submission_scores(*, submission_ids) -> None:
    """Remake each submission's weighted mean and spread from its scores (bounded: one call's criteria
    times its evaluators). Only an evaluator who scored every criterion counts."""
    from .models import Criterion

    submissions = list(Submission.objects.filter(pk__in=list(submission_ids)).only("pk", "call_id"))
    if not submissions:
        return
    call_ids = {s.call_id for s in submissions}
    weights: dict[int, dict[int, int]] = {}
    for criterion in Criterion.objects.filter(call_id__in=call_ids).only("pk", "call_id", "weight"):
        weights.setdefault(criterion.call_id, {})[criterion.pk] = criterion.weight
    per_evaluator: dict[tuple[int, int], dict[int, int]] = {}
    for score in Score.objects.filter(submission__in=submissions).only(
        "submission_id", "evaluator_id", "criterion_id", "value"
    ):
        per_evaluator.setdefault((score.submission_id, score.evaluator_id), {})[score.criterion_id] = score.value
    for submission in submissions:
        call_weights = weights.get(submission.call_id, {})
        total_weight = sum(call_weights.values())
        totals = []
        for (submission_id, _), values in per_evaluator.items():
            if submission_id != submission.pk or not total_weight or set(values) != set(call_weights):
                continue
            totals.append(
                Decimal(sum(values[c] * w for c, w in call_weights.items()) * 100) / (total_weight * MAX_SCORE)
            )
        tenth = Decimal("0.1")
        Submission.objects.filter(pk=submission.pk).update(
            score_mean=(sum(totals) / len(totals)).quantize(tenth, ROUND_HALF_UP) if totals else None,
            score_spread=(max(totals) - min(totals)).quantize(tenth, ROUND_HALF_UP) if totals else None,
            evaluators_scored=len(totals),
        )


def score_submission(*, submission: Submission, by, values: dict[int, int], now=None) -> None:
    """An invited evaluator scores a verified submission on each criterion (``values``: criterion id ->
    0..5), after the submissions close and before the call is closed."""
    call = submission.call
    evaluator = Evaluator.objects.filter(call=call, user_id=getattr(by, "pk", None)).first()
    if evaluator is None:
        raise PermissionDenied("Only the call's invited evaluators score its submissions.")
    if call.closed_at:
        raise ValidationError("This call is closed; its scores are final.")
    if not submission.is_verified:
        raise ValidationError("This submission's address was never verified; it is not scored.")
    criteria = {c.pk: c for c in call.criteria.all()}
    errors = []
    for criterion_id, value in values.items():
        if criterion_id not in criteria:
            errors.append("A score names a criterion this call does not have.")
        elif not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
            errors.append(f"“{criteria[criterion_id].name}”: a score is a whole number from 0 to {MAX_SCORE}.")
    if errors:
        raise ValidationError({"scores": errors})
    with transaction.atomic():
        for criterion_id, value in values.items():
            Score.objects.update_or_create(
                submission=submission, criterion_id=criterion_id, evaluator=evaluator, defaults={"value": value}
            )
        refresh_submission_scores(submission_ids=[submission.pk])


def set_submission_status(*, submission: Submission, by, status: str) -> Submission:
    if not submission.call.can_manage(by):
        raise PermissionDenied("Only the call's owners decide on submissions.")
    if status not in Submission.Status.values:
        raise ValidationError({"status": [f"“{status}” is not a status."]})
    if not submission.is_verified:
        raise ValidationError("This submission's address was never verified.")
    # Checked in the UPDATE itself: decisions sent a moment ago (another owner's click) fix the statuses.
    if not Submission.objects.filter(pk=submission.pk, call__decisions_sent_at=None).update(status=status):
        raise ValidationError("The decisions are sent; statuses can no longer change.")
    submission.status = status
    return submission


def send_decisions(*, call: Call, by, now=None) -> Call:
    """The owners send each verified submitter their status, once (a second click sends nothing).
    Submissions must have closed; statuses are fixed from then on."""
    if not call.can_manage(by):
        raise PermissionDenied("Only the call's owners send decisions.")
    now = now or timezone.now()
    if now <= call.closes_at:
        raise ValidationError("Decisions are sent after submissions close.")
    updated = Call.objects.filter(pk=call.pk, decisions_sent_at=None).update(decisions_sent_at=now)
    if not updated:
        raise ValidationError("The decisions were already sent.")
    call.decisions_sent_at = now
    transaction.on_commit(lambda: decisions_sent.send(sender=Call, call=call))
    return call


# Evaluators are reminded this long before scoring ends.
EVALUATION_REMINDER_LEAD = dt.timedelta(days=3)


def run_evaluation_reminder_tick(*, now=None) -> int:
    """Remind evaluators of calls whose scoring ends within the lead time (and has not ended); the email's
    key names the evaluator, so each is reminded once however often this runs. Returns how many were due."""
    now = now or timezone.now()
    evaluators = list(
        Evaluator.objects.filter(
            call__closed_at=None,
            call__closes_at__lt=now,
            call__evaluation_ends_at__gt=now,
            call__evaluation_ends_at__lte=now + EVALUATION_REMINDER_LEAD,
        ).select_related("call", "user")
    )
    for evaluator in evaluators:
        evaluation_due.send(sender=Evaluator, evaluator=evaluator)
    return len(evaluators)


# --- Closing with results ---------------------------------------------------------------------------

RESULTS_KIND_SLUG = "call-for-solutions"


def results_body(call: Call) -> tuple[str, str]:
    """The results practice's summary and Markdown body: what was asked, how many answered, and the
    selected solutions, named only with their submitters' consent (the others are counted, not named)."""
    from .models import Submission as S

    counted = list(
        call.submissions.exclude(verified_at=None).only("status", "organization", "summary", "consents_to_be_named")
    )
    selected = [s for s in counted if s.status == S.Status.SELECTED]
    named = [s for s in selected if s.consents_to_be_named]
    unnamed = len(selected) - len(named)
    url = _absolute(call.get_absolute_url())
    summary = (
        f"{call.coalition.name} asked for solutions to “{call.title}”: {len(counted)} submission"
        f"{'s' if len(counted) != 1 else ''}, {len(selected)} selected."
    )[:1000]
    lines = [
        f"Results of the call for solutions [{call.title}]({url}).",
        "",
        "## What we asked",
        "",
        call.asks.strip(),
        "",
    ]
    lines += ["## How it was judged", ""]
    total = sum(c.weight for c in call.criteria.all()) or 1
    lines += [f"- {c.name}: {round(c.weight * 100 / total)}%" for c in call.criteria.all()]
    lines += ["", f"## Selected solutions ({len(selected)} of {len(counted)} submissions)", ""]
    for submission in named:
        lines.append(f"- **{submission.organization}**: {submission.summary}")
    if unnamed:
        lines.append(f"- {unnamed} selected submitter{'s' if unnamed != 1 else ''} chose not to be named.")
    if not selected:
        lines.append("No submission was selected.")
    return summary, "\n".join(lines)


def close_call(*, call: Call, by, now=None) -> Call:
    """The owners close a call after submissions close: its results summary is published as a practice of
    kind "Call-for-solutions results" (linked both ways) so the other coalitions learn from it."""
    from practices import services as practice_services
    from practices.models import PracticeKind

    if not call.can_manage(by):
        raise PermissionDenied("Only the call's owners close it.")
    now = now or timezone.now()
    if now <= call.closes_at:
        raise ValidationError("A call closes once its submissions have closed.")
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.closed_at:
            raise ValidationError("This call is already closed.")
        kind = PracticeKind.objects.filter(slug=RESULTS_KIND_SLUG).first()
        if kind is None:
            raise ValidationError("The practice kind “Call-for-solutions results” is missing; ask a partnership admin.")
        summary, body = results_body(locked)
        practice = practice_services.create_practice(
            author=by,
            coalition=locked.coalition,
            data={
                "title": f"Results: {locked.title}"[:200],
                "summary": summary,
                "body": body,
                "kind": kind,
                "government_level": locked.government_level,
                "visibility": "public" if locked.is_public else "members",
                "focus_areas": list(locked.focus_areas.all()),
            },
            publish=True,
        )
        Call.objects.filter(pk=call.pk).update(closed_at=now, results_practice=practice)
    call.refresh_from_db()
    return call
