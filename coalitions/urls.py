from django.urls import path

from . import views

app_name = "coalitions"

urlpatterns = [
    path("", views.coalition_list, name="list"),
    path("members/", views.directory, name="directory"),
    path("profile/", views.profile, name="profile"),
    path("<slug:slug>/", views.coalition_detail, name="detail"),
]
