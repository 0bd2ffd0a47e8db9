"""Which pages the accessibility checks cover, and how to find every page the portal renders.

``PAGE_CHECKS`` are opened by ``test_pages.py`` with the sweep's world (tests/sweep/conftest.py),
as every persona who may see them, at both widths. ``JOURNEY_PAGES`` are reached only by a journey,
because they need a state of their own (an emailed key, a form just posted). A URL pattern that
renders a page and is in neither fails ``tests/sweep/test_page_coverage.py``.
"""

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.sweep.targets import TARGETS, portal_routes

PAGE_CHECKS = (
    "home",
    "coalitions:list",
    "coalitions:create",
    "coalitions:directory",
    "coalitions:member",
    "coalitions:profile",
    "coalitions:accept_invitation",
    "coalitions:detail",
    "coalitions:edit",
    "coalitions:join",
    "coalitions:leave",
    "coalitions:manage",
    "coalitions:remove_member",
    "coalitions:revoke_invitation",
    "coalitions:reject_request",
    "coalitions:withdraw_request",
    "meetings:calendar_reset",
    "practices:adoption_withdraw",
    "practices:adoption_confirm",
    "practices:adoption_confirm_link",
    "practices:attachment_delete",
    "practices:contract_create",
    "practices:contract_edit",
    "practices:contract_delete",
    "practices:list",
    "practices:create",
    "practices:mine",
    "practices:focus_areas",
    "practices:focus_area_create",
    "practices:focus_area",
    "practices:focus_area_edit",
    "practices:tag",
    "practices:moderation",
    "practices:comment_edit",
    "practices:comment_delete",
    "practices:report_comment",
    "practices:detail",
    "practices:edit",
    "practices:adopt",
    "practices:report",
    "meetings:list",
    "meetings:archive",
    "meetings:schedule",
    "meetings:calendar",
    "meetings:series_create",
    "meetings:series_detail",
    "meetings:series_edit",
    "meetings:detail",
    "meetings:edit",
    "meetings:move",
    "meetings:cancel",
    "meetings:reinstate",
    "meetings:agenda",
    "meetings:minutes",
    "calls:need_list",
    "calls:need_create",
    "calls:need_detail",
    "calls:need_edit",
    "calls:need_withdraw",
    "calls:need_met",
    "calls:signature_withdraw",
    "calls:need_meeting",
    "calls:call_list",
    "calls:call_create",
    "calls:call_detail",
    "calls:call_edit",
    "calls:call_file_remove",
    "calls:evaluator_calls",
    "calls:submission_verify",
    "calls:submission_edit",
    "calls:evaluation",
    "calls:evaluator_remove",
    "calls:submission_list",
    "calls:submission_detail",
    "calls:decisions_send",
    "calls:call_close",
    "notifications:preferences",
    "notifications:unsubscribe",
    "notifications:unsubscribe_done",
    "notifications:failed_deliveries",
    "notifications:preview_digest",
    "insights:index",
    "insights:summary",
    # allauth's pages (the keyed ones with a made-up key: the "this link is not valid" page)
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_email",
    "account_email_verification_sent",
    "account_confirm_email",
    "account_change_password",
    "account_inactive",
    "account_logout",
    "account_reauthenticate",
)

# Reached only by a journey in this folder: the page, and the test that opens it.
JOURNEY_PAGES: dict[str, str] = {
    # A fragment the series form's script fetches as the rule changes, not a page of its own.
    "meetings:series_preview": "test_admin_schedules_a_monthly_series_and_builds_an_agenda",
}

# The personas of the sweep's world, anonymous first; each is a role or a relation to the world's data.
PERSONAS = ("anonymous", "member", "coalition_admin", "other_member", "other_admin", "partnership_admin", "outsider")

# Error pages: (label, URL name and kwargs, persona) whose answer is that error's page.
ERROR_PAGES = (
    ("404", "/no-such-page/", "anonymous"),
    ("404", "/no-such-page/", "member"),
    ("403", "coalitions:manage", "outsider"),
)

PLACEHOLDER = "x1"  # a value every allauth path argument accepts (a key that is never valid)


def allauth_routes() -> dict[str, list[str]]:
    """allauth's named URL patterns and their path arguments (a made-up value is aimed at each)."""
    found: dict[str, list[str]] = {}

    def walk(patterns, in_allauth: bool) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                module = getattr(entry.urlconf_name, "__name__", str(entry.urlconf_name))
                walk(entry.url_patterns, in_allauth or module.startswith("allauth"))
            elif isinstance(entry, URLPattern) and in_allauth and entry.name:
                found[entry.name] = list(entry.pattern.regex.groupindex)

    walk(get_resolver().url_patterns, False)
    return found


def page_urls(name: str, world) -> list[str]:
    """The URLs a page check opens for a URL name, from the world (or made-up keys for allauth)."""
    if name in TARGETS:
        return [reverse(name, kwargs=kwargs) for kwargs in TARGETS[name].all_kwargs(world)]
    args = allauth_routes()[name]
    return [reverse(name, kwargs=dict.fromkeys(args, PLACEHOLDER))]


def all_page_names() -> list[str]:
    """Every URL name of ours and allauth's (Django's admin is not ours)."""
    return [route.name for route in portal_routes()] + list(allauth_routes())


def is_page(response) -> bool:
    return response.status_code == 200 and response["Content-Type"].startswith("text/html")


def get(client: Client, url: str):
    """A plain GET in its own savepoint (a first visit may create the visitor's own row)."""
    from tests.sweep.outcomes import isolated

    return isolated(lambda: client.get(url)).response
