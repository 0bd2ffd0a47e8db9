"""Pages: parse (a form or the filters), call one queryset or service, render or redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BigIntegerField, Count, DateTimeField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from taggit.models import Tag

from coalitions import permissions
from coalitions.models import Membership

from . import services
from .filters import PracticeFilter, listed_practices
from .forms import (
    AdoptionForm,
    CommentForm,
    FocusAreaForm,
    MarkdownPreviewForm,
    PracticeForm,
    ReportForm,
    SimilarForm,
    posting_coalitions,
)
from .markdown import render_markdown
from .models import (
    Adoption,
    Attachment,
    Comment,
    FocusArea,
    FocusAreaItem,
    Practice,
    Report,
    TaggedPractice,
    has_search_words,
)
from .uploads import serve_upload

PAGE_SIZE = 50
SIMILAR_COUNT = 5


# --- Finding practices ------------------------------------------------------------------------


def browse(request, *, queryset=None, fixed=()):
    """Apply the filters, sort and page number in ``request.GET``; returns (filterset, page).

    ``?page=abc`` shows the first page and ``?page=9999`` the last (``Paginator.get_page``).
    """
    filterset = PracticeFilter(
        request.GET or None,
        queryset=queryset if queryset is not None else listed_practices(request.user),
        fixed=fixed,
    )
    page = Paginator(filterset.sorted_queryset(), PAGE_SIZE).get_page(request.GET.get("page"))
    return filterset, page


def _render_browse(request, template, *, queryset=None, fixed=(), **context):
    filterset, page = browse(request, queryset=queryset, fixed=fixed)
    if filterset.search_was_truncated:
        messages.info(request, "That search was long, so we used its first 200 characters.")
    elif filterset.raw_search.strip() and not has_search_words(filterset.search_text):
        messages.info(request, "Searches need at least one letter or number.")
    page_range = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    return render(request, template, {"filterset": filterset, "page_obj": page, "page_range": page_range, **context})


def practice_list(request):
    return _render_browse(request, "practices/list.html")


def focus_area(request, slug):
    area = get_object_or_404(FocusArea, slug=slug)
    queryset = listed_practices(request.user).in_focus_area(area.slug)
    return _render_browse(request, "practices/list.html", queryset=queryset, fixed=["focus_area"], area=area)


def tag_detail(request, slug):
    if "\x00" in slug:  # PostgreSQL refuses NUL in a query; no tag has one
        raise Http404("No such tag.")
    tag = get_object_or_404(Tag, slug=slug)
    queryset = listed_practices(request.user).tagged(tag.slug)
    return _render_browse(request, "practices/list.html", queryset=queryset, fixed=["tag"], tag=tag)


def focus_area_index(request):
    counts = (
        FocusAreaItem.objects.filter(
            tag=OuterRef("pk"), content_object__in=Practice.objects.published().visible_to(request.user)
        )
        .order_by()
        .values("tag")
        .annotate(n=Count("pk"))
        .values("n")
    )
    areas = FocusArea.objects.annotate(practice_count=Coalesce(Subquery(counts), 0))
    return render(request, "practices/focus_areas.html", {"areas": areas})


@login_required
def my_practices(request):
    """Everything the member manages: their own practices and, for coalition admins, the coalition's."""
    practices = Practice.objects.managed_by(request.user).select_related("kind", "coalition").order_by("-updated")
    return render(request, "practices/mine.html", {"practices": practices})


# --- One practice -----------------------------------------------------------------------------


class _LoginRequired(Exception):
    """Raised for an anonymous visitor on a members-only practice; becomes a redirect to log in."""


def _practice_or_404(request, slug, queryset=None):
    """The practice if ``request.user`` may see it. Anonymous visitors asking for a members-only
    practice are sent to log in; a draft's guessed URL is a 404 (it does not say the draft exists)."""
    practice = get_object_or_404(queryset if queryset is not None else Practice.objects.all(), slug=slug)
    if practice.can_view(request.user):
        return practice
    if practice.is_live and not practice.is_public:
        if not request.user.is_authenticated:
            raise _LoginRequired
        raise PermissionDenied("This practice is shared with members of the partnership's coalitions only.")
    raise Http404("No such practice.")


def _login_redirect_on_members_only(view):
    """Turns ``_LoginRequired`` into a redirect to the login page that comes back here."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path())

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def similar_practices(user, *, title, focus_area_ids, exclude=None, limit=SIMILAR_COUNT):
    return list(
        Practice.objects.published()
        .visible_to(user)
        .similar_to(title, focus_area_ids, exclude=exclude)
        .select_related("coalition")[:limit]
    )


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
        "similar": similar_practices(
            user, title=practice.title, focus_area_ids=[a.pk for a in focus_areas], exclude=practice
        ),
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


# --- Writing ----------------------------------------------------------------------------------


def _initial_from_post(post) -> dict:
    """The form's values to show again after a Preview or Check-for-similar round trip (unvalidated)."""
    initial = {key: values[-1] for key, values in post.lists()}
    initial["focus_areas"] = post.getlist("focus_areas")
    initial.pop("csrfmiddlewaretoken", None)
    return initial


def _writing_round_trip(request, context, *, practice=None):
    """Handle the Preview and Check-for-similar buttons: re-render without saving."""
    action = request.POST.get("action")
    initial = _initial_from_post(request.POST)
    context["form"] = PracticeForm(initial=initial, instance=practice, user=request.user)
    if action == "preview":
        context["preview"] = render_markdown(request.POST.get("body", "")[:50_000])
    similar_form = SimilarForm(request.POST)
    if similar_form.is_valid():
        context["similar"] = similar_practices(
            request.user,
            title=similar_form.cleaned_data["title"],
            focus_area_ids=[a.pk for a in similar_form.cleaned_data["focus_areas"]],
            exclude=practice,
        )
        context["similar_checked"] = True
    if request.FILES:
        messages.warning(request, "Files are not kept between previews: choose them again before you save.")
    return context


@login_required
def practice_create(request):
    if not posting_coalitions(request.user).exists():
        raise PermissionDenied("Only members of a coalition can share practices. Join your coalition first.")
    context = {"similar_checked": False}
    if request.method == "POST" and request.POST.get("action") in ("preview", "similar"):
        return render(request, "practices/form.html", _writing_round_trip(request, context))
    form = PracticeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            practice = services.create_practice(
                author=request.user,
                coalition=form.cleaned_data["coalition"],
                data=form.service_data(),
                files=form.cleaned_data["attachments"],
                publish=publish,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Published. Thank you for sharing." if publish else "Saved as a draft.")
            return redirect(practice)
    context["form"] = form
    return render(request, "practices/form.html", context)


@login_required
def practice_edit(request, slug):
    practice = get_object_or_404(Practice.objects.select_related("coalition"), slug=slug)
    if not practice.can_edit(request.user):
        raise PermissionDenied("Only the author and the coalition's admins can edit this practice.")
    context = {"practice": practice, "attachments": practice.attachments.all(), "similar_checked": False}
    if request.method == "POST" and request.POST.get("action") in ("preview", "similar"):
        return render(request, "practices/form.html", _writing_round_trip(request, context, practice=practice))
    form = PracticeForm(request.POST or None, request.FILES or None, instance=practice, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_practice(
                practice=practice,
                editor=request.user,
                data=form.service_data(),
                files=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if request.POST.get("action") == "publish" and practice.status != Practice.Status.PUBLISHED:
                services.publish_practice(practice=practice, by=request.user)
                messages.success(request, "Saved and published.")
            else:
                messages.success(request, "Changes saved.")
            return redirect(practice)
    context["form"] = form
    return render(request, "practices/form.html", context)


STATUS_ACTIONS = {
    "publish": (services.publish_practice, "Published."),
    "unpublish": (services.unpublish_practice, "Unpublished: it is a draft again, visible only to its managers."),
    "archive": (services.archive_practice, "Archived: it no longer appears in lists and search."),
}


@require_POST
@login_required
def practice_status(request, slug):
    practice = get_object_or_404(Practice, slug=slug)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown action.")
        return redirect(practice)
    service, done = action
    service(practice=practice, by=request.user)
    messages.success(request, done)
    return redirect(practice)


@require_POST
@login_required
def attachment_delete(request, slug, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("practice"), pk=pk, practice__slug=slug)
    services.delete_attachment(attachment=attachment, by=request.user)
    messages.success(request, f"Removed “{attachment.name}”.")
    return redirect("practices:edit", slug=slug)


@require_POST
@login_required
def preview_markdown(request):
    """Rendered, sanitized HTML for the live preview while writing (members only)."""
    if not permissions.is_member(request.user):
        return JsonResponse({"error": "Only members can preview."}, status=403)
    form = MarkdownPreviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "The text is too long to preview."}, status=400)
    return JsonResponse({"html": str(render_markdown(form.cleaned_data["body"]))})


@require_GET
def similar_json(request):
    """Practices like the one being written: ``?title=…&focus_areas=<slug>…``; visible ones only."""
    form = SimilarForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": [], "errors": form.errors}, status=400)
    results = similar_practices(
        request.user,
        title=form.cleaned_data["title"],
        focus_area_ids=[a.pk for a in form.cleaned_data["focus_areas"]],
    )
    return JsonResponse(
        {
            "results": [
                {
                    "title": p.title,
                    "url": p.get_absolute_url(),
                    "coalition": p.coalition.name,
                    "coalition_short_name": p.coalition.short_name,
                    "jurisdiction": p.jurisdiction,
                    "summary": p.summary[:240],
                }
                for p in results
            ]
        }
    )


# --- Reuse: adoptions and comments ---------------------------------------------------------------


@login_required
def adopt(request, slug):
    practice = _practice_or_404(request, slug, Practice.objects.select_related("coalition"))
    coalition_ids = practice.adopting_coalition_ids(request.user)
    if not coalition_ids:
        raise PermissionDenied(
            "Members record adoptions for their own coalition, on published practices shared by another coalition."
        )
    existing = {a.coalition_id: a for a in practice.adoptions.filter(coalition_id__in=coalition_ids)}
    instance = next(iter(existing.values()), None) if len(coalition_ids) == 1 else None
    form = AdoptionForm(request.POST or None, instance=instance, coalition_ids=coalition_ids)
    if request.method == "POST" and form.is_valid():
        adoption, created = services.record_adoption(
            practice=practice,
            coalition=form.cleaned_data["coalition"],
            by=request.user,
            stage=form.cleaned_data["stage"],
            notes=form.cleaned_data["notes"],
            outcome=form.cleaned_data["outcome"],
        )
        messages.success(
            request, f"Recorded: {adoption.coalition.short_name} — {adoption.get_stage_display().lower()}."
        )
        return redirect(f"{practice.get_absolute_url()}#adoptions")
    return render(request, "practices/adopt.html", {"practice": practice, "form": form, "existing": existing})


@require_POST
@login_required
def adoption_withdraw(request, pk):
    adoption = get_object_or_404(Adoption.objects.select_related("practice", "coalition"), pk=pk)
    services.withdraw_adoption(adoption=adoption, by=request.user)
    messages.success(request, f"Withdrew {adoption.coalition.short_name}'s adoption record.")
    return redirect(f"{adoption.practice.get_absolute_url()}#adoptions")


@require_POST
@login_required
def comment_create(request, slug):
    practice = _practice_or_404(request, slug)
    form = CommentForm(request.POST)
    if form.is_valid():
        comment = services.add_comment(practice=practice, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment posted.")
        return redirect(comment)
    for error in form.errors.get("body", []):
        messages.error(request, error)
    return redirect(f"{practice.get_absolute_url()}#comment-form")


def _editable_comment(request, pk) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("practice"), pk=pk)
    if not comment.can_edit(request.user):
        raise PermissionDenied("Only the comment's author and admins can change it.")
    return comment


@login_required
def comment_edit(request, pk):
    comment = _editable_comment(request, pk)
    form = CommentForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid():
        services.update_comment(comment=comment, editor=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment updated.")
        return redirect(comment)
    return render(request, "practices/comment_edit.html", {"comment": comment, "form": form})


@login_required
def comment_delete(request, pk):
    comment = _editable_comment(request, pk)
    if request.method == "POST":
        services.delete_comment(comment=comment, by=request.user)
        messages.success(request, "Comment deleted.")
        return redirect(f"{comment.practice.get_absolute_url()}#comments")
    return render(request, "practices/comment_delete.html", {"comment": comment})


# --- Moderation -------------------------------------------------------------------------------


def _report(request, practice, comment=None):
    if not practice.can_report(request.user):
        raise PermissionDenied("Members can report content on published practices.")
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_content(
            reporter=request.user,
            practice=practice,
            comment=comment,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
        )
        messages.success(request, "Thank you. The partnership's moderators will take a look.")
        return redirect(comment or practice)
    return render(request, "practices/report.html", {"practice": practice, "comment": comment, "form": form})


@login_required
def report_practice(request, slug):
    return _report(request, _practice_or_404(request, slug))


@login_required
def report_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("practice"), pk=pk, is_hidden=False)
    if not comment.practice.can_view(request.user):
        raise Http404("No such comment.")
    return _report(request, comment.practice, comment)


def _require_moderator(user):
    if not permissions.is_partnership_admin(user):
        raise PermissionDenied("The moderation queue is for the partnership's admins.")


@login_required
def moderation_queue(request):
    _require_moderator(request.user)
    reports = (
        Report.objects.open()
        .select_related("practice", "comment__author__profile", "reporter__profile")
        .order_by("created")
    )
    hidden_practices = Practice.objects.filter(is_hidden=True).select_related("coalition").order_by("-updated")
    hidden_comments = (
        Comment.objects.filter(is_hidden=True).select_related("practice", "author__profile").order_by("-updated")
    )
    recent = (
        Report.objects.exclude(status=Report.Status.OPEN)
        .select_related("practice", "comment", "resolved_by__profile")
        .order_by("-resolved_at")[:20]
    )
    context = {
        "reports": reports,
        "hidden_practices": hidden_practices,
        "hidden_comments": hidden_comments,
        "recent": recent,
    }
    return render(request, "practices/moderation.html", context)


@require_POST
@login_required
def moderation_resolve(request, pk):
    _require_moderator(request.user)
    report = get_object_or_404(Report.objects.select_related("practice", "comment"), pk=pk)
    action = request.POST.get("action", "")
    if action not in services.ModerationAction.ALL:
        messages.error(request, "Choose hide, restore or dismiss.")
        return redirect("practices:moderation")
    services.resolve_report(report=report, moderator=request.user, action=action)
    messages.success(
        request,
        {"hide": "Hidden everywhere.", "restore": "Restored.", "dismiss": "Report dismissed; the content stays."}[
            action
        ],
    )
    return redirect("practices:moderation")


def _moderation_target(request, kind, pk, *, is_hidden: bool):
    _require_moderator(request.user)
    model = {"practice": Practice, "comment": Comment}.get(kind)
    if model is None:
        raise Http404("Nothing to moderate.")
    return get_object_or_404(model, pk=pk, is_hidden=is_hidden)


@require_POST
@login_required
def moderation_hide(request, kind, pk):
    """Partnership admins hide a practice or comment straight from its page, without waiting for a report."""
    target = _moderation_target(request, kind, pk, is_hidden=False)
    services.set_content_hidden(moderator=request.user, target=target, hidden=True)
    messages.success(request, "Hidden everywhere. You can restore it from the moderation page.")
    if isinstance(target, Comment):
        return redirect(f"{target.practice.get_absolute_url()}#comments")
    return redirect(target)


@require_POST
@login_required
def moderation_restore(request, kind, pk):
    target = _moderation_target(request, kind, pk, is_hidden=True)
    services.set_content_hidden(moderator=request.user, target=target, hidden=False)
    messages.success(request, "Restored.")
    return redirect("practices:moderation")


# --- Focus areas ------------------------------------------------------------------------------


@login_required
def focus_area_create(request):
    _require_moderator(request.user)
    form = FocusAreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        area = services.create_focus_area(
            by=request.user,
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            description=form.cleaned_data["description"],
        )
        messages.success(request, f"Added the focus area “{area.name}”.")
        return redirect("practices:focus_areas")
    return render(request, "practices/focus_area_form.html", {"form": form})


@login_required
def focus_area_edit(request, slug):
    _require_moderator(request.user)
    area = get_object_or_404(FocusArea, slug=slug)
    form = FocusAreaForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved “{area.name}”.")
        return redirect(reverse("practices:focus_area", args=[area.slug]))
    return render(request, "practices/focus_area_form.html", {"form": form, "area": area})
