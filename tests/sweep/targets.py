"""Every URL pattern of the portal and how the sweep aims at it: one line per pattern in ``TARGETS``.

A new URL pattern fails ``test_every_url_pattern_has_a_target`` until it has a line here; the
failure prints the line to add.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver

World = SimpleNamespace


@dataclass(frozen=True)
class Target:
    """How to aim at one URL pattern.

    - ``kwargs``: its path arguments from the world (``conftest.build_world``), one dict or a list
      of them. The first is the one hostile query strings and bodies are aimed at; the others get a
      plain GET and POST.
    - ``query``: the query parameters the page reads. Such a page gets every hostile query string
      (with every parameter any page reads); the others get one.
    - ``creates``: models a first visit creates for the visitor, by design (a GET may write only these).
    - ``csrf_exempt``: a POST without a CSRF token is allowed (RFC 8058 one-click unsubscribe).
    """

    kwargs: Callable[[World], dict | list[dict]] = lambda w: {}
    query: tuple[str, ...] = ()
    creates: tuple[str, ...] = ()
    csrf_exempt: bool = False

    def all_kwargs(self, w: World) -> list[dict]:
        found = self.kwargs(w)
        return found if isinstance(found, list) else [found]


def _practices(w: World) -> list[dict]:
    return [{"slug": p.slug} for p in (w.practice, w.public_practice, w.draft, w.hidden_practice)]


def _meetings(w: World) -> list[dict]:
    return [{"pk": m.pk} for m in (w.meeting, w.past_meeting, w.cancelled_meeting, w.partnership_meeting)]


def _tokens(w: World) -> list[dict]:
    return [{"token": w.digest_token}, {"token": w.reminders_token}]


BROWSE = (
    "q",
    "focus_area",
    "kind",
    "maturity",
    "coalition",
    "tag",
    "funding",
    "program",
    "government_level",
    "adoptions",
    "contract",
    "sort",
    "page",
    "after",
    "before",
)  # PracticeFilter
FEED = ("government_level", "contract")  # practices.feeds.FeedScope
INSIGHTS = ("start", "end", "coalition", "focus_area", "government_level")  # insights.forms.InsightsFilterForm
INSIGHTS_CHARTS = (
    "practices-by-month",
    "adoptions-by-month",
    "reuse",
    "reuse-by-level",
    "first-adoption",
    "funding",
    "most-adopted",
    "viewed-not-adopted",
    "places",
    "attendance",
)

# fmt: off
TARGETS: dict[str, Target] = {
    "home": Target(),
    "home_rsvp": Target(_meetings),
    "healthz": Target(),
    "coalitions:list": Target(),
    "coalitions:create": Target(),
    "coalitions:directory": Target(query=("q", "coalition", "page")),
    "coalitions:member": Target(lambda w: [{"user_id": w.users["member"].pk}, {"user_id": w.users["outsider"].pk}]),
    "coalitions:profile": Target(),
    "coalitions:accept_invitation": Target(lambda w: {"token": w.invitation_token}),
    "coalitions:withdraw_request": Target(lambda w: {"pk": w.join_request.pk}),
    "coalitions:detail": Target(lambda w: {"slug": w.coalition.slug}),
    "coalitions:edit": Target(lambda w: {"slug": w.coalition.slug}),
    "coalitions:logo": Target(lambda w: {"slug": w.coalition.slug}),
    "coalitions:join": Target(lambda w: [{"slug": w.coalition.slug}, {"slug": w.other_coalition.slug}]),
    "coalitions:leave": Target(lambda w: {"slug": w.coalition.slug}),
    "coalitions:manage": Target(lambda w: {"slug": w.coalition.slug}),
    "coalitions:invite": Target(lambda w: {"slug": w.coalition.slug}),
    "coalitions:revoke_invitation": Target(lambda w: {"slug": w.coalition.slug, "pk": w.invitation.pk}),
    "coalitions:approve_request": Target(lambda w: {"slug": w.coalition.slug, "pk": w.join_request.pk}),
    "coalitions:reject_request": Target(lambda w: {"slug": w.coalition.slug, "pk": w.join_request.pk}),
    "coalitions:change_role": Target(lambda w: {"slug": w.coalition.slug, "pk": w.membership.pk}),
    "coalitions:remove_member": Target(lambda w: {"slug": w.coalition.slug, "pk": w.membership.pk}),
    "practices:list": Target(query=BROWSE),
    "practices:create": Target(),
    "practices:mine": Target(),
    "practices:preview": Target(),
    "practices:similar": Target(query=("title", "summary", "focus_areas")),
    "practices:feed": Target(query=FEED),
    "practices:api_list": Target(query=(*BROWSE, "page_size")),
    "practices:api_detail": Target(_practices),
    "practices:focus_areas": Target(),
    "practices:focus_area_create": Target(),
    "practices:focus_area": Target(lambda w: {"slug": w.cybersecurity.slug}, query=BROWSE),
    "practices:focus_area_edit": Target(lambda w: {"slug": w.cybersecurity.slug}),
    "practices:focus_area_feed": Target(lambda w: {"slug": w.cybersecurity.slug}, query=FEED),
    "practices:tag": Target(lambda w: {"slug": w.tag_slug}, query=BROWSE),
    "practices:moderation": Target(),
    "practices:moderation_resolve": Target(lambda w: {"pk": w.report.pk}),
    "practices:moderation_hide": Target(
        lambda w: [{"kind": "comment", "pk": w.comment.pk}, {"kind": "practice", "pk": w.practice.pk}]
    ),
    "practices:moderation_restore": Target(
        lambda w: [{"kind": "comment", "pk": w.hidden_comment.pk}, {"kind": "practice", "pk": w.practice.pk}]
    ),
    "practices:comment_edit": Target(lambda w: {"pk": w.comment.pk}),
    "practices:comment_delete": Target(lambda w: {"pk": w.comment.pk}),
    "practices:report_comment": Target(lambda w: [{"pk": w.comment.pk}, {"pk": w.hidden_comment.pk}]),
    "practices:adoption_withdraw": Target(lambda w: {"pk": w.adoption.pk}),
    "practices:adoption_confirm": Target(lambda w: {"pk": w.adoption.pk}),
    "practices:adoption_confirm_link": Target(lambda w: {"token": w.adoption_confirm_token}),
    "practices:adoption_file": Target(lambda w: [
        {"slug": w.practice.slug, "pk": w.adoption_file.pk},
        {"slug": w.public_practice.slug, "pk": w.adoption_file.pk},  # another practice's evidence
    ]),
    "practices:detail": Target(_practices),
    "practices:edit": Target(_practices),
    "practices:status": Target(_practices),
    "practices:adopt": Target(_practices),
    "practices:comment": Target(_practices),
    "practices:report": Target(_practices),
    "practices:attachment": Target(lambda w: [
        {"slug": w.practice.slug, "pk": w.attachment.pk},
        {"slug": w.public_practice.slug, "pk": w.public_attachment.pk},
        {"slug": w.public_practice.slug, "pk": w.attachment.pk},  # another practice's file
    ]),
    "practices:attachment_delete": Target(lambda w: {"slug": w.practice.slug, "pk": w.attachment.pk}),
    "practices:contract_create": Target(lambda w: [{"slug": w.practice.slug}, {"slug": w.draft.slug}]),
    "practices:contract_edit": Target(lambda w: {"slug": w.practice.slug, "pk": w.contract.pk}),
    "practices:contract_delete": Target(lambda w: {"slug": w.practice.slug, "pk": w.contract.pk}),
    "practices:contract_document": Target(lambda w: [
        {"slug": w.practice.slug, "pk": w.contract.pk, "document": w.contract_document.pk},
        {
            "slug": w.public_practice.slug,
            "pk": w.public_contract_document.contract_id,
            "document": w.public_contract_document.pk,
        },
        # another practice's document under this practice's address
        {"slug": w.public_practice.slug, "pk": w.contract.pk, "document": w.contract_document.pk},
    ]),
    "meetings:list": Target(query=("page",)),
    "meetings:archive": Target(query=("q", "area", "page")),
    "meetings:schedule": Target(),
    "meetings:calendar": Target(creates=("meetings.CalendarToken",)),  # the secret of the member's calendar address
    "meetings:calendar_reset": Target(),
    "meetings:feed": Target(lambda w: {"token": w.calendar_token.token}),
    "meetings:series_create": Target(),
    "meetings:series_preview": Target(query=(
        "rule_kind", "week_of_month", "weekday", "day_of_month", "local_start_time", "duration_minutes", "time_zone",
    )),
    "meetings:series_detail": Target(lambda w: {"pk": w.series.pk}, query=("page",)),
    "meetings:series_edit": Target(lambda w: {"pk": w.series.pk}),
    "meetings:detail": Target(_meetings, query=("rsvp",)),  # ?rsvp=yes from a reminder email
    "meetings:ics": Target(_meetings),
    "meetings:rsvp": Target(_meetings),
    "meetings:edit": Target(_meetings),
    "meetings:move": Target(_meetings),
    "meetings:cancel": Target(_meetings),
    "meetings:reinstate": Target(lambda w: [{"pk": w.cancelled_meeting.pk}, *_meetings(w)]),
    "meetings:agenda": Target(_meetings),
    "meetings:agenda_practices": Target(_meetings, query=("q",)),
    "meetings:member_search": Target(query=("q",)),
    "meetings:minutes": Target(lambda w: [{"pk": w.past_meeting.pk}, *_meetings(w)]),
    "meetings:file": Target(lambda w: [
        {"pk": w.past_meeting.pk, "file_pk": w.meeting_file.pk},
        {"pk": w.meeting.pk, "file_pk": w.meeting_file.pk},  # a file of another meeting
    ]),
    "calls:need_list": Target(query=("focus_area", "government_level", "coalition", "status")),
    "calls:need_create": Target(),
    "calls:need_similar": Target(query=("title", "problem", "focus_areas")),
    "calls:api_need_list": Target(query=("focus_area", "government_level", "coalition", "status")),
    "calls:api_need_detail": Target(lambda w: [{"pk": w.need.pk}, {"pk": w.cosigned_need.pk}]),
    "calls:signature_withdraw": Target(lambda w: {"pk": w.signature.pk}),
    "calls:need_detail": Target(lambda w: [{"pk": w.need.pk}, {"pk": w.cosigned_need.pk}]),
    "calls:need_edit": Target(lambda w: {"pk": w.need.pk}),
    "calls:need_cosign": Target(lambda w: [{"pk": w.need.pk}, {"pk": w.cosigned_need.pk}]),
    "calls:need_withdraw": Target(lambda w: {"pk": w.need.pk}),
    "calls:need_met": Target(lambda w: {"pk": w.need.pk}),
    "calls:need_meeting": Target(lambda w: [{"pk": w.shared_need.pk}, {"pk": w.need.pk}]),
    "calls:need_met_by_call": Target(lambda w: {"pk": w.need.pk}, query=("call",)),
    "calls:call_list": Target(query=("focus_area", "government_level", "coalition", "status")),
    "calls:call_create": Target(query=("need",)),
    "calls:call_feed": Target(),
    "calls:api_call_list": Target(query=("focus_area", "government_level", "coalition", "status")),
    "calls:api_call_detail": Target(lambda w: [{"pk": w.call.pk}, {"pk": w.members_call.pk}]),
    "calls:evaluator_calls": Target(),
    "calls:submission_verify": Target(lambda w: {"token": w.verify_token}),
    "calls:submission_edit": Target(lambda w: {"token": w.edit_token}),
    "calls:call_detail": Target(lambda w: [{"pk": w.call.pk}, {"pk": w.members_call.pk}]),
    "calls:call_edit": Target(lambda w: {"pk": w.call.pk}),
    "calls:call_file": Target(
        lambda w: [
            {"pk": w.call.pk, "file_pk": w.call_file.pk},
            {"pk": w.members_call.pk, "file_pk": w.members_call_file.pk},
        ]
    ),
    "calls:call_file_remove": Target(lambda w: {"pk": w.call.pk, "file_pk": w.call_file.pk}),
    "calls:submission_create": Target(lambda w: [{"pk": w.call.pk}, {"pk": w.members_call.pk}]),
    "calls:evaluation": Target(lambda w: {"pk": w.call.pk}),
    "calls:evaluation_csv": Target(lambda w: {"pk": w.call.pk}),
    "calls:evaluator_add": Target(lambda w: {"pk": w.call.pk}),
    "calls:evaluator_remove": Target(lambda w: {"pk": w.call.pk, "evaluator_pk": w.removable_evaluator.pk}),
    "calls:submission_list": Target(lambda w: {"pk": w.call.pk}),
    "calls:submission_detail": Target(lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk}),
    "calls:submission_status": Target(lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk}),
    "calls:submission_file": Target(
        lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk, "file_pk": w.submission_file.pk}
    ),
    # The open call first (hostile input aims at it: both refuse before the page); the closed one asks.
    "calls:decisions_send": Target(lambda w: [{"pk": w.call.pk}, {"pk": w.closed_call.pk}]),
    "calls:call_close": Target(lambda w: [{"pk": w.call.pk}, {"pk": w.closed_call.pk}]),
    "notifications:preferences": Target(creates=("notifications.Preference",)),  # the member's defaults
    "notifications:unsubscribe": Target(_tokens, csrf_exempt=True),
    "notifications:unsubscribe_done": Target(_tokens, query=("was",)),
    "notifications:unsubscribe_change": Target(_tokens),
    "notifications:failed_deliveries": Target(query=("kind", "status", "page")),
    "notifications:preview_digest": Target(lambda w: {"user_id": w.users["member"].pk}),
    "insights:index": Target(query=INSIGHTS),
    "insights:summary": Target(query=INSIGHTS),
    "insights:csv": Target(lambda w: [{"chart": c} for c in INSIGHTS_CHARTS], query=INSIGHTS),
}
# fmt: on

# Every query parameter a page reads, so that one garbage value reaches all of them at once.
QUERY_KEYS = tuple(dict.fromkeys(key for target in TARGETS.values() for key in target.query))


@dataclass(frozen=True)
class Route:
    name: str  # "practices:detail"
    route: str  # "practices/<slug:slug>/"
    converters: dict = field(hash=False, compare=False)  # {"slug": SlugConverter()}


def portal_routes() -> list[Route]:
    """Every named URL pattern of the portal, walking includes; Django admin and allauth are not ours."""
    found: list[Route] = []

    def walk(patterns, prefix: str, namespace: str, converters: dict) -> None:
        for entry in patterns:
            converters_here = {**converters, **getattr(entry.pattern, "converters", {})}
            if isinstance(entry, URLResolver):
                module = getattr(entry.urlconf_name, "__name__", str(entry.urlconf_name))
                if entry.app_name == "admin" or module.startswith("allauth"):
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns, converters_here)
            elif isinstance(entry, URLPattern):
                assert entry.name, f"unnamed URL pattern {prefix}{entry.pattern}"
                found.append(Route(namespace + entry.name, prefix + str(entry.pattern), converters_here))

    walk(get_resolver().url_patterns, "", "", {})
    return found


def line_to_add(route: Route) -> str:
    """The line a new URL pattern needs in ``TARGETS``, with its path arguments to fill in."""
    kwargs = ", ".join(f'"{name}": w.…' for name in route.converters)
    aim = f"lambda w: {{{kwargs}}}" if kwargs else ""
    return f'    "{route.name}": Target({aim}),  # /{route.route}'


def missing_targets_message(missing: list[Route], stale: list[str]) -> str:
    lines = []
    if missing:
        lines += [
            "These URL patterns have no line in TARGETS (tests/sweep/targets.py), so the sweep cannot reach them.",
            "Add to TARGETS, filling each path argument from the world (build_world in tests/sweep/conftest.py;",
            "add an object there if none fits):",
            "",
            *(line_to_add(route) for route in missing),
            "",
            "Then give Target query=(…) the query parameters the page reads and creates=(…) the models a first",
            "visit creates for the visitor, if any. If the URL takes a POST that writes, also add a Write row",
            "to WRITES in tests/sweep/rules.py for each case (who may do it, and who is refused).",
        ]
    if stale:
        lines += ["These lines of TARGETS name no URL pattern any more; remove them:", *stale]
    return "\n".join(lines)
