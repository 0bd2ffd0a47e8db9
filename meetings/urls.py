from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("past/", views.meeting_archive, name="archive"),
    path("new/", views.meeting_schedule, name="schedule"),
    path("calendar/", views.my_calendar, name="calendar"),
    path("members/", views.member_search, name="member_search"),
    path("calendar/reset/", views.reset_calendar, name="calendar_reset"),
    # Tokens are URL-safe base64, which the slug pattern matches; anything else (a NUL byte…) is a 404.
    path("feed/<slug:token>.ics", views.calendar_feed, name="feed"),
    path("series/new/", views.series_create, name="series_create"),
    path("series/preview/", views.series_preview, name="series_preview"),
    path("series/<int:pk>/", views.series_detail, name="series_detail"),
    path("series/<int:pk>/edit/", views.series_edit, name="series_edit"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/calendar.ics", views.meeting_ics_download, name="ics"),
    path("<int:pk>/rsvp/", views.meeting_rsvp, name="rsvp"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/move/", views.meeting_move, name="move"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/reinstate/", views.meeting_reinstate, name="reinstate"),
    path("<int:pk>/agenda/", views.meeting_agenda, name="agenda"),
    path("<int:pk>/agenda/practices/", views.agenda_practices, name="agenda_practices"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/files/<int:file_pk>/", views.meeting_file, name="file"),
]
