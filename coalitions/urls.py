from django.urls import path, register_converter

from . import views


class IdConverter:
    """A database id: digits that fit a 64-bit integer, so a 30-digit id is a 404, not an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

app_name = "coalitions"

# Fixed words come before <slug:slug>/; CoalitionForm refuses them as slugs (RESERVED_SLUGS).
urlpatterns = [
    path("", views.coalition_list, name="list"),
    path("new/", views.coalition_create, name="create"),
    path("members/", views.directory, name="directory"),
    path("members/<id:user_id>/", views.member_detail, name="member"),
    path("profile/", views.profile, name="profile"),
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("requests/<id:pk>/withdraw/", views.withdraw_request, name="withdraw_request"),
    path("<slug:slug>/", views.coalition_detail, name="detail"),
    path("<slug:slug>/edit/", views.coalition_edit, name="edit"),
    path("<slug:slug>/logo/", views.coalition_logo, name="logo"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/leave/", views.leave, name="leave"),
    path("<slug:slug>/manage/", views.manage, name="manage"),
    path("<slug:slug>/invitations/", views.invite, name="invite"),
    path("<slug:slug>/invitations/<id:pk>/revoke/", views.revoke, name="revoke_invitation"),
    path(
        "<slug:slug>/requests/<id:pk>/approve/",
        views.decide_request,
        {"decision": "approve"},
        name="approve_request",
    ),
    path(
        "<slug:slug>/requests/<id:pk>/reject/",
        views.decide_request,
        {"decision": "reject"},
        name="reject_request",
    ),
    path("<slug:slug>/members/<id:pk>/role/", views.change_role, name="change_role"),
    path("<slug:slug>/members/<id:pk>/remove/", views.remove_member, name="remove_member"),
]
