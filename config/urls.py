from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("coalitions/", include("coalitions.urls")),
    path("practices/", include("practices.urls")),
    path("meetings/", include("meetings.urls")),
    path("email/", include("notifications.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
