"""One practice: its page and its files."""

import hashlib

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from coalitions import permissions

from .. import contracts, selectors
from ..forms import CommentForm
from ..models import Attachment, Practice
from ..pagecache import PAGE_TTL, anonymous_page
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


# What a live practice's page shows a member is the same for every member (and partnership admin): the
# practice, its discussion, adoption stories, facets, meetings, similar practices, contracts and what it
# takes to run. Only what the reader may do with them differs (edit, comment, confirm an adoption), and
# that is read from their roles, loaded with the request, without a query. So those rows are kept in the
# shared cache for the members' audience, under the listed-practices generation that any change to what
# the page shows renews (practices.receivers), for at most PAGE_TTL seconds for what no signal announces
# (a meeting that has just ended). Eleven queries become none beyond the request's own.
MEMBERS_ROWS_KEY = "practices:members-page-rows"


@counts_views
@anonymous_page
@permissions.signs_in_first
def practice_detail(request, slug):
    user = request.user
    rows = _members_rows(slug) if selectors.audience(user) == "members" else None
    if rows is None:
        rows = _page_rows(request, slug)
    practice = rows["practice"]
    # The rows kept for members name the original it adapted only if it is live: its managers may open it
    # when it is not (a draft, a hidden practice).
    running = rows["running"]
    if running["based_on"] is None and practice.based_on_id and practice.based_on.can_view(user):
        running = {**running, "based_on": practice.based_on}
    # The discussion is among members: names and coalitions stay behind the login, like the directory.
    comments = rows["comments"] if permissions.is_member(user) else []
    for comment in comments:
        comment.user_can_edit = comment.can_edit(user)
    adoptions = rows["stories"]["adoptions"]
    my_coalitions = permissions.coalition_ids(user)
    for adoption in adoptions:
        adoption.user_can_confirm = adoption.can_confirm(user)
    focus_areas, tags, attachments, funding_programs = rows["facets"]
    context = {
        "practice": practice,
        "focus_areas": focus_areas,
        "tags": tags,
        "attachments": attachments,
        "funding_programs": funding_programs,
        **rows["stories"],
        "my_adoptions": [a for a in adoptions if a.coalition_id in my_coalitions],
        "comments": comments,
        **rows["appearances"],
        "similar": rows["similar"],
        "contracts": rows["contracts"],
        "running": running,
        "can_edit": practice.can_edit(user),
        "can_comment": practice.can_comment(user),
        "can_adopt": practice.can_adopt(user),
        "can_report": practice.can_report(user),
        "is_member": permissions.is_member(user),
        "is_moderator": permissions.is_partnership_admin(user),
        "comment_form": CommentForm() if practice.can_comment(user) else None,
    }
    return render(request, "practices/detail.html", context)


PAGE_JOINS = ("kind", "coalition", "author__profile", "contact__profile", "based_on__coalition")


def _page_rows(request, slug) -> dict:
    """What the page shows, as ``request.user`` may see it (404 or 403 when they may not)."""
    queryset = Practice.objects.select_related(*PAGE_JOINS).defer(*PAGE_LEAVES_OUT)
    return _rows_of(_practice_or_404(request, slug, queryset), request.user)


def _members_rows(slug: str) -> dict | None:
    """The rows of a live practice's page as every member sees them, from the shared cache or made and kept
    there. ``None`` where they cannot be shared: no shared cache, or a practice that is not live (a draft
    or a hidden practice: its managers and moderators see it, and what only they may see)."""
    shared = selectors.shared_cache()
    if shared is None:
        return None
    # The date too: a contract's "expired" is read on the reader's own calendar day.
    today = timezone.localdate().isoformat()
    slug_digest = hashlib.sha256(slug.encode()).hexdigest()  # a URL's slug may be anything, of any length
    key = f"{MEMBERS_ROWS_KEY}:{selectors.listed_generation(shared)}:{today}:{slug_digest}"
    rows = shared.get(key)
    if rows is None:
        queryset = Practice.objects.published().select_related(*PAGE_JOINS).defer(*PAGE_LEAVES_OUT)
        practice = queryset.filter(slug=slug).first()
        if practice is None:
            return None
        rows = _rows_of(practice, None)
        shared.set(key, rows, PAGE_TTL)
    return rows


def _rows_of(practice, user) -> dict:
    """The practice and what its page shows beside it, as ``user`` may see it (``None``: as every member)."""
    comments = list(practice.comments.for_discussion())
    for comment in comments:
        comment.practice = practice  # already loaded; can_edit() reads its coalition
    return {
        "practice": practice,
        "comments": comments,
        "stories": selectors.adoption_stories(practice),
        "facets": selectors.practice_facets(practice),
        "appearances": selectors.meeting_appearances(practice),
        "similar": selectors.practices_like(practice, user),
        "contracts": contracts.contracts_for_page(practice, today=timezone.localdate()),
        "running": selectors.what_it_takes_to_run(practice, user),
    }


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
