from django.urls import path

from . import api
from .views import calls, evaluation, needs, submissions

app_name = "calls"

urlpatterns = [
    path("needs/", needs.need_list, name="need_list"),
    path("needs/new/", needs.need_create, name="need_create"),
    path("needs/similar/", needs.similar_json, name="need_similar"),
    path("needs/api/", api.need_list, name="api_need_list"),
    path("needs/api/<int:pk>/", api.need_detail, name="api_need_detail"),
    path("needs/cosignatures/<int:pk>/withdraw/", needs.signature_withdraw, name="signature_withdraw"),
    path("needs/<int:pk>/", needs.need_detail, name="need_detail"),
    path("needs/<int:pk>/edit/", needs.need_edit, name="need_edit"),
    path("needs/<int:pk>/cosign/", needs.cosign, name="need_cosign"),
    path("needs/<int:pk>/withdraw/", needs.need_withdraw, name="need_withdraw"),
    path("needs/<int:pk>/met/", needs.need_met, name="need_met"),
    path("needs/<int:pk>/met-by-call/", needs.need_met_by_call, name="need_met_by_call"),
    path("needs/<int:pk>/meeting/", needs.need_meeting, name="need_meeting"),
    path("calls/", calls.call_list, name="call_list"),
    path("calls/new/", calls.call_create, name="call_create"),
    path("calls/feed/", calls.OpenCallsFeed(), name="call_feed"),
    path("calls/api/", api.call_list, name="api_call_list"),
    path("calls/api/<int:pk>/", api.call_detail, name="api_call_detail"),
    path("calls/evaluating/", evaluation.evaluator_calls, name="evaluator_calls"),
    path("calls/submissions/verify/<str:token>/", submissions.submission_verify, name="submission_verify"),
    path("calls/submissions/edit/<str:token>/", submissions.submission_edit, name="submission_edit"),
    path("calls/<int:pk>/", calls.call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", calls.call_edit, name="call_edit"),
    path("calls/<int:pk>/files/<int:file_pk>/", calls.call_file, name="call_file"),
    path("calls/<int:pk>/files/<int:file_pk>/remove/", calls.call_file_remove, name="call_file_remove"),
    path("calls/<int:pk>/submit/", submissions.submission_create, name="submission_create"),
    path("calls/<int:pk>/evaluation/", evaluation.evaluation, name="evaluation"),
    path("calls/<int:pk>/evaluation/export.csv", evaluation.evaluation_csv, name="evaluation_csv"),
    path("calls/<int:pk>/evaluators/", evaluation.evaluator_add, name="evaluator_add"),
    path("calls/<int:pk>/evaluators/<int:evaluator_pk>/remove/", evaluation.evaluator_remove, name="evaluator_remove"),
    path("calls/<int:pk>/submissions/", evaluation.submission_list, name="submission_list"),
    path("calls/<int:pk>/submissions/<int:submission_pk>/", evaluation.submission_detail, name="submission_detail"),
    path(
        "calls/<int:pk>/submissions/<int:submission_pk>/status/",
        evaluation.submission_status,
        name="submission_status",
    ),
    path(
        "calls/<int:pk>/submissions/<int:submission_pk>/files/<int:file_pk>/",
        evaluation.submission_file,
        name="submission_file",
    ),
    path("calls/<int:pk>/decisions/", evaluation.decisions_send, name="decisions_send"),
    path("calls/<int:pk>/close/", evaluation.call_close, name="call_close"),
]
