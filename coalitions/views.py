from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Coalition, Membership


def coalition_list(request):
    return render(request, "coalitions/list.html", {"coalitions": Coalition.objects.with_member_counts()})


def coalition_detail(request, slug):
    coalition = get_object_or_404(Coalition, slug=slug)
    return render(request, "coalitions/detail.html", {"coalition": coalition})


@login_required
def directory(request):
    memberships = Membership.objects.select_related("user__profile", "coalition")
    return render(request, "coalitions/directory.html", {"memberships": memberships})


@login_required
def profile(request):
    return render(request, "coalitions/profile.html", {})
