from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/done/", views.unsubscribe_done, name="unsubscribe_done"),
    path("unsubscribe/<str:token>/change/", views.unsubscribe_change, name="unsubscribe_change"),
    path("deliveries/", views.failed_deliveries, name="failed_deliveries"),
    path("preview/digest/<int:user_id>/", views.preview_digest, name="preview_digest"),
]
