from django.shortcuts import get_object_or_404, render

from .models import FocusArea, Practice


def practice_list(request):
    return render(request, "practices/list.html", {"practices": Practice.objects.published()})


def focus_area(request, slug):
    area = get_object_or_404(FocusArea, slug=slug)
    return render(request, "practices/list.html", {"practices": area.practices.all()})


def practice_detail(request, slug):
    practice = get_object_or_404(Practice.objects.published(), slug=slug)
    return render(request, "practices/list.html", {"practices": [practice]})
