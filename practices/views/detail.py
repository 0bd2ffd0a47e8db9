"""One practice: its page and its files."""

from django.db.models import BigIntegerField, DateTimeField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from taggit.models import Tag

from coalitions import permissions
from coalitions.models import Membership

from ..forms import CommentForm
from ..models import Attachment, FocusArea, FocusAreaItem, Practice, TaggedPractice
from ..uploads import serve_upload
from .access import _login_redirect_on_members_only, _practice_or_404
from .similar import practices_like


def practice_facets(practice: Practice) -> tuple[list[FocusArea], list[Tag], list[Attachment]]:
    """A practice's focus areas, tags and files in one query (a UNION of three small lists).

    Three prefetches would cost two more queries, and the detail page must stay within its
    budget of twelve for a signed-in member. Rows come back as unsaved-looking instances with
    their ids: enough for names, links and downloads.
    """
    no_size = Value(0, output_field=BigIntegerField())
    no_date = Cast(Value(None), output_field=DateTimeField())  # a typed NULL, or PostgreSQL reads text
    columns = ("group", "item_id", "item_name", "item_slug", "item_size", "item_created")

    def rows(queryset, group, item_id, name, slug, size, created):
        return (
            queryset.order_by()
            .annotate(
                group=Value(group),
                item_id=F(item_id),
                item_name=F(name),
                item_slug=F(slug) if isinstance(slug, str) else slug,
                item_size=F(size) if isinstance(size, str) else size,
                item_created=F(created) if isinstance(created, str) else created,
            )
            .values_list(*columns)
        )

    union = rows(
        FocusAreaItem.objects.filter(content_object=practice), "focus", "tag_id", "tag__name", "tag__slug",
        no_size, no_date,
    ).union(
        rows(
            TaggedPractice.objects.filter(content_object=practice), "tag", "tag_id", "tag__name", "tag__slug",
            no_size, no_date,
        ),
        rows(practice.attachments.all(), "file", "pk", "name", Value(""), "size", "created"),
        all=True,
    )  # fmt: skip
    focus_areas, tags, files = [], [], []
    for group, pk, name, slug, size, created in union:
        if group == "focus":
            focus_areas.append(FocusArea(pk=pk, name=name, slug=slug))
        elif group == "tag":
            tags.append(Tag(pk=pk, name=name, slug=slug))
        else:
            files.append(Attachment(pk=pk, practice=practice, name=name, size=size, created=created))
    return (
        sorted(focus_areas, key=lambda a: a.name.lower()),
        sorted(tags, key=lambda t: t.name.lower()),
        sorted(files, key=lambda f: (f.created, f.pk)),
    )


def meeting_appearances(practice: Practice) -> dict[str, list]:
    """Agenda items that present this practice: ``presented`` (meetings that ended, latest first) and
    ``upcoming`` (soonest first). Cancelled meetings are left out. One query.

    meetings owns AgendaItem; reading it through the reverse relation keeps the arrow pointing down.
    """
    now = timezone.now()
    items = list(
        practice.agenda_items.exclude(meeting__status="cancelled")
        .select_related("meeting", "presenting_coalition")
        .order_by("meeting__start", "order")
    )
    return {
        "presented": [item for item in reversed(items) if item.meeting.end <= now],
        "upcoming": [item for item in items if item.meeting.end > now],
    }


@_login_redirect_on_members_only
def practice_detail(request, slug):
    practice = _practice_or_404(
        request, slug, Practice.objects.select_related("kind", "coalition", "author__profile", "contact__profile")
    )
    user = request.user
    first_coalition = (
        Membership.objects.filter(user=OuterRef("author")).order_by("joined").values("coalition__short_name")[:1]
    )
    # The discussion is among members: names and coalitions stay behind the login, like the directory.
    comments = list(
        practice.comments.filter(is_hidden=False)
        .select_related("author__profile")
        .annotate(author_coalition=Subquery(first_coalition))
    )
    if not permissions.is_member(user):
        comments = []
    for comment in comments:
        comment.practice = practice  # already loaded; can_edit() reads its coalition
        comment.user_can_edit = comment.can_edit(user)
    adoptions = list(practice.adoptions.select_related("coalition"))
    my_coalitions = permissions.coalition_ids(user)
    focus_areas, tags, attachments = practice_facets(practice)
    context = {
        "practice": practice,
        "focus_areas": focus_areas,
        "tags": tags,
        "attachments": attachments,
        "adoptions": adoptions,
        "my_adoptions": [a for a in adoptions if a.coalition_id in my_coalitions],
        "comments": comments,
        **meeting_appearances(practice),
        "similar": practices_like(practice, user, focus_area_slugs=[a.slug for a in focus_areas]),
        "can_edit": practice.can_edit(user),
        "can_comment": practice.can_comment(user),
        "can_adopt": practice.can_adopt(user),
        "can_report": practice.can_report(user),
        "is_member": permissions.is_member(user),
        "is_moderator": permissions.is_partnership_admin(user),
        "comment_form": CommentForm() if practice.can_comment(user) else None,
    }
    return render(request, "practices/detail.html", context)


@_login_redirect_on_members_only
def attachment_download(request, slug, pk):
    """A file, only for those who may see its practice; never from a public media URL."""
    attachment = get_object_or_404(Attachment.objects.select_related("practice"), pk=pk, practice__slug=slug)
    practice = _practice_or_404(request, slug, Practice.objects.filter(pk=attachment.practice_id))
    return serve_upload(
        attachment.file,
        filename=attachment.name,
        content_type=attachment.content_type,
        is_public=practice.is_live and practice.is_public,
    )
