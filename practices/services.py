"""Writes for practices: every change that touches more than one row goes through here.

The one acting is ``by`` (a new practice's or comment's ``author``: it is the field the row gets).
Each function checks that actor's permission itself, asking ``coalitions.permissions`` or the
model's ``can_…`` method, and raises ``PermissionDenied`` (views check too, to choose a page; the
service is the last word). ``update_search_vectors`` alone acts for the system (the admin, tag
renames, demo seeding) and takes no actor. Each runs in one transaction, and leaves nothing half-saved: an attachment
that fails its check aborts the whole create or update, and files already stored are removed.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from coalitions import permissions
from coalitions.models import Coalition

from .discovery import words
from .models import (
    Adoption,
    Attachment,
    Comment,
    FocusArea,
    Practice,
    Report,
)
from .signals import practice_published
from .uploads import validate_upload

# Fields a practice form may set; anything else in ``data`` is ignored.
PRACTICE_FIELDS = (
    "title",
    "summary",
    "body",
    "kind",
    "maturity",
    "jurisdiction",
    "funding_source",
    "contact",
    "visibility",
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


def index_practices(*, practice_ids: Iterable[int]) -> None:
    """Everything discovery keeps about these practices: their words now, in this transaction (found by
    words at once), and their meaning vectors by a task after commit (embedding costs tens of
    milliseconds, more than a save should wait; found by meaning within seconds)."""
    practice_ids = list(practice_ids)
    update_search_vectors(practice_ids=practice_ids)
    if practice_ids:
        from .tasks import embed_practices

        transaction.on_commit(lambda: embed_practices.delay(practice_ids))


def _check_uploads(files: Sequence[UploadedFile]) -> list[str]:
    errors, content_types = [], []
    for upload in files:
        try:
            content_types.append(validate_upload(upload))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"attachments": errors})
    return content_types


@contextmanager
def _stored_files_removed_on_failure():
    """Collects names of files written to storage; deletes them if the transaction fails."""
    stored: list = []
    try:
        yield stored
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise


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


def _mark_published(practice: Practice) -> None:
    first_time = practice.published_at is None
    practice.status = Practice.Status.PUBLISHED
    if first_time:
        practice.published_at = timezone.now()
        transaction.on_commit(lambda: practice_published.send(sender=Practice, practice=practice))


def _save_practice(practice: Practice, *, data: dict, files, by, publish: bool = False) -> Practice:
    """Fields, tags, files and search vector in one transaction; stored files go if it fails."""
    content_types = _check_uploads(files)
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
        _apply_practice_data(practice, data)
        if not practice.slug:
            practice.slug = unique_practice_slug(practice.title)
        if publish:
            _mark_published(practice)
        practice.full_clean(exclude=["search_vector"])
        practice.save()
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
    content_types = _check_uploads([upload])
    with _stored_files_removed_on_failure() as stored, transaction.atomic():
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


def record_adoption(
    *,
    practice: Practice,
    coalition: Coalition,
    by,
    stage: str,
    notes: str = "",
    outcome: str = "",
) -> tuple[Adoption, bool]:
    """Record (or update) that ``coalition`` is exploring, piloting or has adopted ``practice``.

    Returns ``(adoption, created)``. Only members of that coalition, not the one that shared it.
    """
    if coalition.pk not in practice.adopting_coalition_ids(by) and not (
        practice.is_live and permissions.is_partnership_admin(by) and coalition.pk != practice.coalition_id
    ):
        raise PermissionDenied("You can record adoptions only for your own coalition, on a published practice.")
    if stage not in Adoption.Stage.values:
        raise ValidationError({"stage": ["Choose exploring, piloting or adopted."]})
    with transaction.atomic():
        return Adoption.objects.update_or_create(
            practice=practice,
            coalition=coalition,
            defaults={"stage": stage, "notes": notes, "outcome": outcome},
            create_defaults={"stage": stage, "notes": notes, "outcome": outcome, "created_by": by},
        )


def withdraw_adoption(*, adoption: Adoption, by) -> None:
    """Remove a coalition's adoption record (its members or partnership admins)."""
    if not (permissions.is_partnership_admin(by) or permissions.is_member_of(by, adoption.coalition_id)):
        raise PermissionDenied("Only members of that coalition can withdraw its adoption.")
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
