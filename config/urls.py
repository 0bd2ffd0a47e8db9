from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/rsvp/<int:pk>/", views.home_rsvp, name="home_rsvp"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("coalitions/", include("coalitions.urls")),
    path("practices/", include("practices.urls")),
    path("meetings/", include("meetings.urls")),
    path("", include("calls.urls")),
    path("email/", include("notifications.urls")),
    path("insights/", include("insights.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_FLOOR_VIEW:
    urlpatterns.append(path("bench/floor/", views.bench_floor))

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
