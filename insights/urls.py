from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("", views.insights, name="index"),
    path("summary/", views.funders_summary, name="summary"),
    path("csv/<slug:chart>.csv", views.insights_csv, name="csv"),
]
