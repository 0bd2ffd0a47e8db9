"""One practice: its page and its files."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from coalitions import permissions

from .. import contracts, selectors
from ..forms import CommentForm
from ..models import Attachment, Practice
from ..pagecache import anonymous_page
from ..pageviews import counts_views
from ..uploads import serve_upload
from .access import _practice_or_404

# What the page never shows: the search vector (kilobytes a row), the Markdown source (the stored HTML is
# shown), and of the practice it is based on, all but its title, link and coalition.
PAGE_LEAVES_OUT = (
    "search_vector",
    "body",
    *(f"based_on__{name}" for name in ("body", "body_html", "search_vector", "dependencies", "summary")),
)


@counts_views
@anonymous_page
@permissions.signs_in_first
def practice_detail(request, slug):
    practice = _practice_or_404(
        request,
        slug,
        Practice.objects.select_related(
            "kind", "coalition", "author__profile", "contact__profile", "based_on__coalition"
        ).defer(*PAGE_LEAVES_OUT),
    )
    user = request.user
    # The discussion is among members: names and coalitions stay behind the login, like the directory.
    comments = list(practice.comments.for_discussion())
    if not permissions.is_member(user):
        comments = []
    for comment in comments:
        comment.practice = practice  # already loaded; can_edit() reads its coalition
        comment.user_can_edit = comment.can_edit(user)
    stories = selectors.adoption_stories(practice)
    adoptions = stories["adoptions"]
    my_coalitions = permissions.coalition_ids(user)
    for adoption in adoptions:
        adoption.user_can_confirm = adoption.can_confirm(user)
    focus_areas, tags, attachments, funding_programs = selectors.practice_facets(practice)
    context = {
        "practice": practice,
        "focus_areas": focus_areas,
        "tags": tags,
        "attachments": attachments,
        "funding_programs": funding_programs,
        **stories,
        "my_adoptions": [a for a in adoptions if a.coalition_id in my_coalitions],
        "comments": comments,
        **selectors.meeting_appearances(practice),
        "similar": selectors.practices_like(practice, user),
        "contracts": contracts.contracts_for_page(practice, today=timezone.localdate()),
        "running": selectors.what_it_takes_to_run(practice, user),
        "can_edit": practice.can_edit(user),
        "can_comment": practice.can_comment(user),
        "can_adopt": practice.can_adopt(user),
        "can_report": practice.can_report(user),
        "is_member": permissions.is_member(user),
        "is_moderator": permissions.is_partnership_admin(user),
        "comment_form": CommentForm() if practice.can_comment(user) else None,
    }
    return render(request, "practices/detail.html", context)


@permissions.signs_in_first
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
