"""One practice: its page and its files."""

from django.shortcuts import get_object_or_404, render

from coalitions import permissions

from .. import selectors
from ..forms import CommentForm
from ..models import Attachment, Practice
from ..uploads import serve_upload
from .access import _login_redirect_on_members_only, _practice_or_404


@_login_redirect_on_members_only
def practice_detail(request, slug):
    practice = _practice_or_404(
        request, slug, Practice.objects.select_related("kind", "coalition", "author__profile", "contact__profile")
    )
    user = request.user
    # The discussion is among members: names and coalitions stay behind the login, like the directory.
    comments = list(practice.comments.for_discussion())
    if not permissions.is_member(user):
        comments = []
    for comment in comments:
        comment.practice = practice  # already loaded; can_edit() reads its coalition
        comment.user_can_edit = comment.can_edit(user)
    adoptions = list(practice.adoptions.select_related("coalition"))
    my_coalitions = permissions.coalition_ids(user)
    focus_areas, tags, attachments = selectors.practice_facets(practice)
    context = {
        "practice": practice,
        "focus_areas": focus_areas,
        "tags": tags,
        "attachments": attachments,
        "adoptions": adoptions,
        "my_adoptions": [a for a in adoptions if a.coalition_id in my_coalitions],
        "comments": comments,
        **selectors.meeting_appearances(practice),
        "similar": selectors.practices_like(practice, user, focus_area_slugs=[a.slug for a in focus_areas]),
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
