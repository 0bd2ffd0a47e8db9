from django.shortcuts import get_object_or_404, render

from .models import Meeting


def meeting_list(request):
    return render(request, "meetings/list.html", {"meetings": Meeting.objects.upcoming()})


def meeting_detail(request, pk):
    meeting = get_object_or_404(Meeting, pk=pk)
    return render(request, "meetings/list.html", {"meetings": [meeting]})
