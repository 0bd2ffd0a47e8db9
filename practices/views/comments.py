"""The discussion under a practice: post, edit and delete comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

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
