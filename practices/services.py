"""Writes for practices: every change that touches more than one row goes through here.

The one acting is ``by`` (a new practice's or comment's ``author``: it is the field the row gets).
Each function checks that actor's permission itself, asking ``coalitions.permissions`` or the
model's ``can_…`` method, and raises ``PermissionDenied`` (views check too, to choose a page; the
service is the last word). ``update_search_vectors`` alone acts for the system (the admin, tag
renames, demo seeding) and takes no actor. Each runs in one transaction, and leaves nothing half-saved: an attachment
that fails its check aborts the whole create or update, and files already stored are removed.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, DateField, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.text import slugify

from coalitions import permissions
from coalitions.models import Coalition

from .discovery import words
from .government_levels import UNKNOWN_LEVEL_MESSAGE, GovernmentLevel
from .models import (
    Adoption,
    AdoptionFile,
    AdoptionOutcome,
    AdoptionStep,
    Attachment,
    Comment,
    FocusArea,
    Practice,
    Report,
)
from .selectors import forget_listed_counts
from .signals import adoption_changed, adoption_claimed, adoption_confirmation_due, practice_published
from .uploads import stored_files_removed_on_failure, validate_uploads

# Fields a practice form may set; anything else in ``data`` is ignored.
PRACTICE_FIELDS = (
    "title",
    "summary",
    "body",
    "kind",
    "maturity",
    "jurisdiction",
    "government_level",
    "funding_source",
    "contact",
    "visibility",
    # What it takes to run (standards, a many-to-many, are set with the tags).
    "maintained_by",
    "maintained_until",
    "dependencies",
    "software_license",
    "based_on",
)
# Slugs the URL patterns already use; a practice titled "New" gets "new-2".
RESERVED_SLUGS = frozenset(
    {"new", "mine", "api", "feed", "focus", "tags", "preview", "similar", "moderation", "comments", "adoptions"}
)


def unique_practice_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200].strip("-") or "practice"
    taken = set(Practice.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def update_search_vectors(*, practice_ids: Iterable[int] | QuerySet) -> None:
    """Rewrite the full-text index of these practices: the stored weighted vector on PostgreSQL, the
    FTS5 rows on SQLite (``practices.discovery.words``). ``practice_ids`` may be a ``values()``
    queryset. Weights: title A; summary, kind, tags, focus areas and jurisdiction B; body C."""
    words.index_practice_words(practice_ids)


def refresh_practice_counters(*, practice_ids: Iterable[int] | QuerySet) -> None:
    """Recount the adoptions (not stopped; and of them the confirmed ones), the day the first of them started,
    and the visible comments stored on these practices, in one UPDATE.

    Counted, not incremented: running it twice, or beside another writer, still leaves the true counts.
    """
    adoptions = (
        Adoption.objects.counted()
        .filter(practice=OuterRef("pk"))
        .order_by()
        .values("practice")
        .annotate(
            n=Count("pk"),
            confirmed=Count("pk", filter=Q(confirmation=Adoption.Confirmation.CONFIRMED)),
            first=Min(Coalesce("started_on", TruncDate("created", tzinfo=dt.UTC), output_field=DateField())),
        )
    )
    comments = (
        Comment.objects.filter(practice=OuterRef("pk"), is_hidden=False)
        .order_by()
        .values("practice")
        .annotate(n=Count("pk"))
    )
    Practice.objects.filter(pk__in=practice_ids).update(
        adoption_count=Coalesce(Subquery(adoptions.values("n")), 0),
        confirmed_adoption_count=Coalesce(Subquery(adoptions.values("confirmed")), 0),
        first_adopted_on=Subquery(adoptions.values("first")),
        comment_count=Coalesce(Subquery(comments.values("n")), 0),
    )


def index_practices(*, practice_ids: Iterable[int]) -> None:
    """Everything discovery keeps about these practices: their words now, in this transaction (found by
    words at once), and their meaning vectors by a task after commit (embedding costs tens of
    milliseconds, more than a save should wait; found by meaning within seconds)."""
    practice_ids = list(practice_ids)
    update_search_vectors(practice_ids=practice_ids)
    if practice_ids:
        from .tasks import after_commit

        after_commit(embed=practice_ids)


def _store_attachments(*, practice: Practice, files, content_types, by, stored: list) -> list[Attachment]:
    attachments = []
    for upload, content_type in zip(files, content_types, strict=True):
        attachment = Attachment(
            practice=practice,
            name=upload.name.rsplit("/", 1)[-1][:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        attachment.file.save(upload.name, upload, save=False)
        stored.append(attachment.file)
        attachment.save()
        attachments.append(attachment)
    return attachments


def _apply_practice_data(practice: Practice, data: dict) -> None:
    for name in PRACTICE_FIELDS:
        if name in data:
            setattr(practice, name, data[name])


def _save_tags(practice: Practice, data: dict) -> None:
    if "focus_areas" in data:
        practice.focus_areas.set(list(data["focus_areas"]))
    if "tags" in data:
        practice.tags.set(list(data["tags"]))
    if "standards" in data:
        practice.standards.set(list(data["standards"]))
    if "funding_programs" in data:
        practice.funding_programs.set(list(data["funding_programs"]))


def _mark_published(practice: Practice) -> None:
    first_time = practice.published_at is None
    practice.status = Practice.Status.PUBLISHED
    if first_time:
        practice.published_at = timezone.now()
        transaction.on_commit(lambda: practice_published.send(sender=Practice, practice=practice))


def _save_practice(practice: Practice, *, data: dict, files, by, publish: bool = False) -> Practice:
    """Fields, tags, files and search vector in one transaction; stored files go if it fails."""
    content_types = validate_uploads(files)
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        _apply_practice_data(practice, data)
        if practice.pk and practice.based_on_id == practice.pk:
            raise ValidationError({"based_on": ["A practice cannot be based on itself."]})
        if not practice.slug:
            practice.slug = unique_practice_slug(practice.title)
        if publish:
            _mark_published(practice)
        practice.full_clean(exclude=["search_vector"])
        practice.save()
        if not publish:
            # The save wrote the counts this instance was loaded with; an adoption recorded since then
            # (another request, or a caller holding an older copy) must not be undone.
            refresh_practice_counters(practice_ids=[practice.pk])
        _save_tags(practice, data)
        _store_attachments(practice=practice, files=files, content_types=content_types, by=by, stored=stored)
        index_practices(practice_ids=[practice.pk])
    return practice


def create_practice(
    *,
    author,
    coalition: Coalition,
    data: dict,
    files: Sequence[UploadedFile] = (),
    publish: bool = False,
) -> Practice:
    """Create a practice for ``coalition`` with its focus areas, tags and attachments.

    ``data`` holds the form's cleaned fields (``focus_areas``: FocusArea objects, at least one;
    ``tags``: normalized names). Drafts unless ``publish``. Raises ``PermissionDenied`` unless
    the author may post for the coalition, ``ValidationError`` for a bad attachment or no focus area.
    """
    if not Practice.can_post_for(author, coalition.pk):
        raise PermissionDenied("You can only share practices for your own coalition.")
    if not data.get("focus_areas"):
        raise ValidationError({"focus_areas": ["Choose at least one focus area."]})
    practice = Practice(author=author, coalition=coalition)
    return _save_practice(practice, data=data, files=files, by=author, publish=publish)


def update_practice(
    *,
    practice: Practice,
    by,
    data: dict,
    files: Sequence[UploadedFile] = (),
) -> Practice:
    """``by`` changes a practice's fields, focus areas and tags, and adds attachments; keeps its slug."""
    if not practice.can_edit(by):
        raise PermissionDenied("Only the author and the coalition's admins can edit this practice.")
    if "focus_areas" in data and not data["focus_areas"]:
        raise ValidationError({"focus_areas": ["Choose at least one focus area."]})
    return _save_practice(practice, data=data, files=files, by=by)


def _change_status(practice: Practice, by, status: str) -> Practice:
    if not practice.can_edit(by):
        raise PermissionDenied("Only the author and the coalition's admins can change this practice.")
    with transaction.atomic():
        if status == Practice.Status.PUBLISHED:
            _mark_published(practice)
        else:
            practice.status = status
        practice.save(update_fields=["status", "published_at", "updated"])
        # It enters or leaves its neighbours' "similar practices": their stored lists are made again.
        from .tasks import after_commit

        after_commit(refresh=[practice.pk])
    return practice


def publish_practice(*, practice: Practice, by) -> Practice:
    """Publish a draft or archived practice. The first publication sets ``published_at`` (and feeds
    and digests pick it up); publishing again keeps the original date."""
    return _change_status(practice, by, Practice.Status.PUBLISHED)


def unpublish_practice(*, practice: Practice, by) -> Practice:
    """Take a practice back to draft: only its author and coalition admins see it."""
    return _change_status(practice, by, Practice.Status.DRAFT)


def archive_practice(*, practice: Practice, by) -> Practice:
    """Archive a practice: it leaves lists and search; its managers can still open or republish it."""
    return _change_status(practice, by, Practice.Status.ARCHIVED)


def add_attachment(*, practice: Practice, upload: UploadedFile, by) -> Attachment:
    """Check and store one file on a practice."""
    if not practice.can_edit(by):
        raise PermissionDenied("Only the author and the coalition's admins can add files.")
    content_types = validate_uploads([upload])
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        (attachment,) = _store_attachments(
            practice=practice, files=[upload], content_types=content_types, by=by, stored=stored
        )
    return attachment


def delete_attachment(*, attachment: Attachment, by) -> None:
    """Remove a file; the stored file goes once the row's deletion is committed."""
    if not attachment.practice.can_edit(by):
        raise PermissionDenied("Only the author and the coalition's admins can remove files.")
    field_file = attachment.file
    with transaction.atomic():
        attachment.delete()
        transaction.on_commit(lambda: field_file.storage.delete(field_file.name))


# Stages move forward; "stopped" may follow any of them (and a stopped adoption may start again).
FORWARD_STAGES = (Adoption.Stage.EXPLORING, Adoption.Stage.PILOTING, Adoption.Stage.ADOPTED)
# What an adoption record may set besides its stage; anything else in ``data`` is ignored.
ADOPTION_FIELDS = (
    "jurisdiction",
    "government_level",
    "notes",
    "reason",
    "outcome",
    "contact",
    "evidence_links",
    "started_on",
)


def _check_stage_move(adoption: Adoption | None, stage: str, stopped_reason: str) -> None:
    if stage not in Adoption.Stage.values:
        raise ValidationError({"stage": ["Choose exploring, piloting, adopted or stopped."]})
    if stage == Adoption.Stage.STOPPED and not stopped_reason.strip():
        raise ValidationError({"stopped_reason": ["Say why you stopped: it is what the next city most needs to know."]})
    if adoption is None or stage == adoption.stage or adoption.stage == Adoption.Stage.STOPPED:
        return
    if stage != Adoption.Stage.STOPPED and FORWARD_STAGES.index(stage) < FORWARD_STAGES.index(adoption.stage):
        raise ValidationError(
            {
                "stage": [
                    f"Stages move forward: this adoption is already at “{adoption.get_stage_display().lower()}”. "
                    "If you no longer use it, choose “Stopped” and say why."
                ]
            }
        )


def _save_outcomes(adoption: Adoption, outcomes: dict) -> None:
    """Set the figures of ``outcomes`` ({OutcomeMeasure: Decimal or None}); None removes a figure."""
    for measure, value in outcomes.items():
        if value is None:
            AdoptionOutcome.objects.filter(adoption=adoption, measure=measure).delete()
            continue
        if value < 0 and not measure.allows_negative:
            raise ValidationError({f"outcome_{measure.slug}": [f"{measure.name} cannot be negative."]})
        AdoptionOutcome.objects.update_or_create(adoption=adoption, measure=measure, defaults={"value": value})


def _store_evidence(adoption: Adoption, *, files, content_types, by, stored: list) -> None:
    for upload, content_type in zip(files, content_types, strict=True):
        evidence = AdoptionFile(
            adoption=adoption,
            name=upload.name.rsplit("/", 1)[-1][:255],
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
        )
        evidence.file.save(upload.name, upload, save=False)
        stored.append(evidence.file)
        evidence.save()


def _delete_stored_after_commit(field_files) -> None:
    names = [(f.storage, f.name) for f in field_files]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


def _remove_evidence(adoption: Adoption, remove_files) -> None:
    doomed = list(AdoptionFile.objects.filter(adoption=adoption, pk__in=[f.pk for f in remove_files]))
    if doomed:
        AdoptionFile.objects.filter(pk__in=[f.pk for f in doomed]).delete()
        _delete_stored_after_commit([f.file for f in doomed])


def record_adoption(
    *,
    practice: Practice,
    coalition: Coalition,
    by,
    stage: str,
    notes: str = "",
    outcome: str = "",
    government_level: str = "",
    stopped_reason: str = "",
    data: dict | None = None,
    outcomes: dict | None = None,
    files: Sequence[UploadedFile] = (),
    remove_files: Iterable[AdoptionFile] = (),
    on=None,
) -> tuple[Adoption, bool]:
    """Record (or update) ``coalition``'s story with ``practice``: its stage, what it changed and why,
    its figures (``outcomes``: {OutcomeMeasure: Decimal, or None to remove}) and the rest of ``data``
    (``ADOPTION_FIELDS``); ``files`` are evidence to add (checked as attachments are), ``remove_files``
    evidence of this adoption to delete.

    A new stage adds a dated step to the timeline (``on``, today by default); stages move forward, and
    "stopped" needs ``stopped_reason``. Saved by an admin of the adopting coalition, the adoption is
    confirmed; saved by a member, it is "claimed" until an admin confirms it (and a new record or stage
    asks that coalition's admins, through ``practices.signals.adoption_claimed``). The
    sharing coalition hears (after commit, through ``practices.signals.adoption_changed``) when someone
    starts or stops using its practice. Only members of that coalition, not the one that shared it.
    Returns ``(adoption, created)``.
    """
    if coalition.pk not in practice.adopting_coalition_ids(by) and not (
        practice.is_live and permissions.is_partnership_admin(by) and coalition.pk != practice.coalition_id
    ):
        raise PermissionDenied("You can record adoptions only for your own coalition, on a published practice.")
    data = {"notes": notes, "outcome": outcome, "government_level": government_level, **(data or {})}
    if data["government_level"] and data["government_level"] not in GovernmentLevel.values:
        raise ValidationError({"government_level": [UNKNOWN_LEVEL_MESSAGE % {"value": data["government_level"]}]})
    contact = data.get("contact")
    if contact is not None and not permissions.is_member_of(contact, coalition.pk):
        raise ValidationError({"contact": ["The contact must be a member of the adopting coalition."]})
    now = timezone.now()
    content_types = validate_uploads(files, field="evidence_files")
    with stored_files_removed_on_failure() as stored, transaction.atomic():
        adoption = Adoption.objects.select_for_update().filter(practice=practice, coalition=coalition).first()
        _check_stage_move(adoption, stage, stopped_reason)
        created = adoption is None
        if created:
            adoption = Adoption(practice=practice, coalition=coalition, created_by=by)
        moved = created or adoption.stage != stage
        previous_stage = adoption.stage if not created else None
        for name in ADOPTION_FIELDS:
            if name in data:
                setattr(adoption, name, data[name])
        adoption.stage = stage
        if stage == Adoption.Stage.STOPPED:
            adoption.stopped_reason = stopped_reason.strip()
        # "Confirmed" means an admin of the adopting coalition vouches for the record as it stands: an admin's
        # save is their confirmation, and a member's change (stage, figures, story) is claimed until one does.
        if adoption.can_confirm(by):
            adoption.confirmation, adoption.confirmed_at, adoption.confirmed_by = (
                Adoption.Confirmation.CONFIRMED,
                now,
                by,
            )
        else:
            adoption.confirmation = Adoption.Confirmation.CLAIMED
        adoption.full_clean(exclude=["practice", "coalition"], validate_unique=False)
        adoption.save()
        if moved:
            # The first step is dated when they started, if they said; later ones the day they are recorded,
            # never before the step they follow: "today" is the recorder's day, and the last step may have
            # been dated by someone whose day (in their time zone) had already begun.
            first_day = adoption.started_on if created else None
            day = on or first_day or timezone.localdate()
            if not created:
                last_day = adoption.steps.order_by("-on").values_list("on", flat=True).first()
                day = max(day, last_day) if last_day else day
            AdoptionStep.objects.create(
                adoption=adoption,
                stage=stage,
                on=day,
                reason=adoption.stopped_reason if stage == Adoption.Stage.STOPPED else "",
                recorded_by=by,
            )
        _save_outcomes(adoption, outcomes or {})
        _store_evidence(adoption, files=files, content_types=content_types, by=by, stored=stored)
        _remove_evidence(adoption, remove_files)
        refresh_practice_counters(practice_ids=[practice.pk])
        event = None
        if created and stage != Adoption.Stage.STOPPED:
            event = "adopted"
        elif moved and stage == Adoption.Stage.STOPPED:
            event = "stopped"
        elif moved and previous_stage == Adoption.Stage.STOPPED:
            event = "adopted"
        if event:
            transaction.on_commit(lambda: adoption_changed.send(sender=Adoption, adoption=adoption, event=event, by=by))
        if moved and adoption.confirmation == Adoption.Confirmation.CLAIMED:
            transaction.on_commit(lambda: adoption_claimed.send(sender=Adoption, adoption=adoption, by=by))
    return adoption, created


def confirm_adoption(*, adoption: Adoption, by) -> Adoption:
    """An admin of the adopting coalition (or a partnership admin) vouches that the adoption is true and
    current: it counts as confirmed, and the yearly question comes again a year from now."""
    if not adoption.can_confirm(by):
        raise PermissionDenied("Only admins of the adopting coalition can confirm its adoption.")
    with transaction.atomic():
        Adoption.objects.filter(pk=adoption.pk).update(
            confirmation=Adoption.Confirmation.CONFIRMED, confirmed_at=timezone.now(), confirmed_by=by
        )
        refresh_practice_counters(practice_ids=[adoption.practice_id])
    adoption.refresh_from_db()
    return adoption


@dataclass
class ConfirmationTick:
    asked: int = 0
    lapsed: int = 0


def run_adoption_confirmation_tick(*, now=None) -> ConfirmationTick:
    """The daily pass (Celery beat): ask about adoptions confirmed a year ago, and mark "lapsed" those
    whose question went unanswered for 30 days. Safe to run twice or concurrently: each adoption is
    claimed by a conditional UPDATE, and the emails (``adoption_confirmation_due`` → notifications)
    carry a unique key per adoption, admin and confirmation."""
    now = now or timezone.now()
    tick = ConfirmationTick()
    for adoption in Adoption.objects.due_for_reconfirmation(now).select_related("practice", "coalition")[:500]:
        claimed = Adoption.objects.due_for_reconfirmation(now).filter(pk=adoption.pk).update(confirmation_asked_at=now)
        if claimed:
            tick.asked += 1
            adoption.confirmation_asked_at = now
            transaction.on_commit(lambda a=adoption: adoption_confirmation_due.send(sender=Adoption, adoption=a))
    lapsing = list(Adoption.objects.unanswered(now).values_list("practice_id", flat=True))
    if lapsing:
        tick.lapsed = Adoption.objects.unanswered(now).update(confirmation=Adoption.Confirmation.LAPSED)
        refresh_practice_counters(practice_ids=set(lapsing))
    return tick


def withdraw_adoption(*, adoption: Adoption, by) -> None:
    """Remove a coalition's adoption record (its members or partnership admins)."""
    if not adoption.can_withdraw(by):
        raise PermissionDenied("Only members of that coalition can withdraw its adoption.")
    with transaction.atomic():
        # Its evidence files go from storage once the rows' deletion is committed.
        _delete_stored_after_commit([f.file for f in adoption.files.all()])
        adoption.delete()


def _clean_comment_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > 5000:
        raise ValidationError({"body": ["Comments may have at most 5,000 characters."]})
    return body


def add_comment(*, practice: Practice, author, body: str) -> Comment:
    """A member's question or answer on a published practice."""
    if not practice.can_comment(author):
        raise PermissionDenied("Only members can comment, and only on published practices.")
    return Comment.objects.create(practice=practice, author=author, body=_clean_comment_body(body))


def update_comment(*, comment: Comment, by, body: str) -> Comment:
    if not comment.can_edit(by):
        raise PermissionDenied("Only the comment's author and admins can edit it.")
    comment.body = _clean_comment_body(body)
    comment.save(update_fields=["body", "updated"])
    return comment


def delete_comment(*, comment: Comment, by) -> None:
    if not comment.can_edit(by):
        raise PermissionDenied("Only the comment's author and admins can delete it.")
    comment.delete()


def report_content(
    *,
    by,
    practice: Practice,
    comment: Comment | None = None,
    reason: str,
    details: str = "",
) -> Report:
    """``by`` flags a practice, or one of its comments, for the partnership admins.

    A member's second report on the same thing, while the first is open, updates it.
    """
    if not practice.can_report(by):
        raise PermissionDenied("Only members can report content.")
    if comment is not None and (comment.practice_id != practice.pk or comment.is_hidden):
        raise PermissionDenied("That comment is not on this practice.")
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": ["Choose a reason."]})
    with transaction.atomic():
        report, _ = Report.objects.update_or_create(
            reporter=by,
            practice=practice,
            comment=comment,
            status=Report.Status.OPEN,
            defaults={"reason": reason, "details": details.strip()[:2000]},
        )
    return report


def set_content_hidden(*, by, target: Practice | Comment, hidden: bool) -> None:
    """Hide or restore a practice or comment (partnership admins), resolving its open reports."""
    if not permissions.is_partnership_admin(by):
        raise PermissionDenied("Only partnership admins moderate content.")
    with transaction.atomic():
        type(target).objects.filter(pk=target.pk).update(is_hidden=hidden)
        target.is_hidden = hidden
        reports = Report.objects.open()
        reports = (
            reports.filter(comment=target)
            if isinstance(target, Comment)
            else reports.filter(practice=target, comment=None)
        )
        if isinstance(target, Comment):  # a hidden comment leaves its practice's count
            refresh_practice_counters(practice_ids=[target.practice_id])
        # A hidden practice leaves the lists' cached counts, and either leaves the cached anonymous pages
        # (now, and at commit as in receivers).
        forget_listed_counts()
        transaction.on_commit(forget_listed_counts)
        reports.update(
            status=Report.Status.HIDDEN if hidden else Report.Status.RESTORED,
            resolved_at=timezone.now(),
            resolved_by=by,
        )


class ModerationAction:
    HIDE = "hide"
    RESTORE = "restore"
    DISMISS = "dismiss"
    ALL = (HIDE, RESTORE, DISMISS)


def resolve_report(*, report: Report, by, action: str) -> Report:
    """Act on a report: ``hide`` or ``restore`` its target, or ``dismiss`` it (and the other open
    reports on the same thing) leaving the content as it is."""
    if not permissions.is_partnership_admin(by):
        raise PermissionDenied("Only partnership admins moderate content.")
    if action not in ModerationAction.ALL:
        raise ValidationError("Unknown moderation action.")
    if action in (ModerationAction.HIDE, ModerationAction.RESTORE):
        set_content_hidden(by=by, target=report.target, hidden=action == ModerationAction.HIDE)
    else:
        same_target = Report.objects.open().filter(practice_id=report.practice_id, comment_id=report.comment_id)
        same_target.update(status=Report.Status.DISMISSED, resolved_at=timezone.now(), resolved_by=by)
    report.refresh_from_db()
    return report


def create_focus_area(*, by, name: str, slug: str = "", description: str = "") -> FocusArea:
    """Add a focus area to the curated list (partnership admins)."""
    if not permissions.is_partnership_admin(by):
        raise PermissionDenied("Only partnership admins add focus areas.")
    area = FocusArea(name=name.strip(), slug=slug or slugify(name), description=description.strip())
    area.full_clean()
    area.save()
    return area


def update_focus_area(*, by, area: FocusArea, name: str, slug: str = "", description: str = "") -> FocusArea:
    """Rename or redescribe a focus area of the curated list (partnership admins)."""
    if not permissions.is_partnership_admin(by):
        raise PermissionDenied("Only partnership admins edit focus areas.")
    area.name, area.slug, area.description = name.strip(), slug or slugify(name), description.strip()
    area.full_clean()
    area.save()
    return area
