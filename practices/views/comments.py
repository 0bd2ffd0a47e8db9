"""The discussion under a practice: post, edit and delete comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from coalitions import permissions
from coalitions.confirm import is_confirmed

from .. import services
from ..forms import CommentForm
from ..models import Comment
from .access import _practice_or_404


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


# The comment named by ``pk``, handed to the view as ``comment``, for those who may change it.
comment_editor_required = permissions.object_permission_required(
    Comment.objects.select_related("practice"),
    test=lambda user, comment: comment.can_edit(user),
    reason="Only the comment's author and admins can change it.",
    as_kwarg="comment",
)


@login_required
@comment_editor_required
def comment_edit(request, comment):
    form = CommentForm(request.POST or None, instance=comment)
    if request.method == "POST" and form.is_valid():
        services.update_comment(comment=comment, by=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment updated.")
        return redirect(comment)
    return render(request, "practices/comment_edit.html", {"comment": comment, "form": form})


@login_required
@comment_editor_required
def comment_delete(request, comment):
    if is_confirmed(request):
        services.delete_comment(comment=comment, by=request.user)
        messages.success(request, "Comment deleted.")
        return redirect(f"{comment.practice.get_absolute_url()}#comments")
    return render(request, "practices/comment_delete.html", {"comment": comment})
