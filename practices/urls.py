from django.urls import path

from . import api, feeds, views

app_name = "practices"

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("new/", views.practice_create, name="create"),
    path("mine/", views.my_practices, name="mine"),
    path("preview/", views.preview_markdown, name="preview"),
    path("similar/", views.similar_json, name="similar"),
    path("feed/", feeds.PracticesFeed(), name="feed"),
    path("api/", api.practice_list, name="api_list"),
    path("api/<slug:slug>/", api.practice_detail, name="api_detail"),
    path("focus/", views.focus_area_index, name="focus_areas"),
    path("focus/new/", views.focus_area_create, name="focus_area_create"),
    path("focus/<slug:slug>/", views.focus_area, name="focus_area"),
    path("focus/<slug:slug>/edit/", views.focus_area_edit, name="focus_area_edit"),
    path("focus/<slug:slug>/feed/", feeds.FocusAreaFeed(), name="focus_area_feed"),
    # Tag slugs may hold any letters (taggit keeps Unicode), so not the <slug:> converter.
    path("tags/<str:slug>/", views.tag_detail, name="tag"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/reports/<int:pk>/", views.moderation_resolve, name="moderation_resolve"),
    path("moderation/hide/<str:kind>/<int:pk>/", views.moderation_hide, name="moderation_hide"),
    path("moderation/restore/<str:kind>/<int:pk>/", views.moderation_restore, name="moderation_restore"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("adoptions/<int:pk>/withdraw/", views.adoption_withdraw, name="adoption_withdraw"),
    path("adoptions/<int:pk>/confirm/", views.adoption_confirm, name="adoption_confirm"),
    path("adoptions/confirm/<str:token>/", views.adoption_confirm_link, name="adoption_confirm_link"),
    path("<slug:slug>/", views.practice_detail, name="detail"),
    path("<slug:slug>/edit/", views.practice_edit, name="edit"),
    path("<slug:slug>/status/", views.practice_status, name="status"),
    path("<slug:slug>/adopt/", views.adopt, name="adopt"),
    path("<slug:slug>/comments/", views.comment_create, name="comment"),
    path("<slug:slug>/report/", views.report_practice, name="report"),
    path("<slug:slug>/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("<slug:slug>/files/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<slug:slug>/evidence/<int:pk>/", views.adoption_file, name="adoption_file"),
    path("<slug:slug>/contracts/new/", views.contract_create, name="contract_create"),
    path("<slug:slug>/contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("<slug:slug>/contracts/<int:pk>/delete/", views.contract_delete, name="contract_delete"),
    path(
        "<slug:slug>/contracts/<int:pk>/documents/<int:document>/",
        views.contract_document,
        name="contract_document",
    ),
]
