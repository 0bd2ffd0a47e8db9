"""Every URL of the portal, as every persona, with good and hostile input: never a 500.

The sweep walks the URL resolver (through every include; Django admin and allauth are not ours),
fills path arguments from one small world (``tests/sweep_world.py``) and with garbage, sends GETs
with hostile query strings and POSTs with empty and garbage bodies, and asserts that nothing
answers with a server error, that no refused persona succeeds at a write, and that pages which
are not writes write nothing. A failure names the URL pattern, the method and the persona in the
test id, and lists each bad request (with the traceback's last lines) in its message.
"""

from unittest import mock
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.sweep_rules import AGENDA_BODY, SECRETS, WRITES, refused_personas
from tests.sweep_world import *  # noqa: F403 (the sweep's fixtures)
from tests.sweep_world import (
    PERSONAS,
    TARGETS,
    forget_messages,
    isolated,
    portal_routes,
)

pytestmark = pytest.mark.django_db

ROUTES = portal_routes()
ROUTE_IDS = [route.name for route in ROUTES]

LONG = "x" * 5000
NON_ASCII = "Zürich–東京 🚦 ñ"
PUNCTUATION = "!@#$%^&*()_+-=[]{};':\",./<>?\\|`~"

# Garbage for a path argument, by converter: each matches the converter's pattern, so the request
# reaches the view (a value that does not match is the resolver's plain 404, nothing to test).
GARBAGE_ARGS = {
    "IntConverter": ["0", "9223372036854775808"],  # 2**63: one past the largest 64-bit integer
    "IdConverter": ["0", "999999999999999999"],  # the largest id its pattern admits
    "SlugConverter": ["no-such-thing", "a" * 5000],
    "StringConverter": ["a" * 5000, NON_ASCII, "nul\x00byte"],
}

# Every query parameter a page of the portal reads, so one garbage value reaches all of them.
QUERY_KEYS = (
    "page", "q", "focus_area", "kind", "maturity", "coalition", "tag", "funding", "sort", "area",
    "status", "rsvp", "was", "title", "focus_areas", "next", "format", "page_size",
)  # fmt: skip
GARBAGE_VALUES = ["abc", "-1", "9" * 40, "", PUNCTUATION, LONG, "nul\x00byte", NON_ASCII]
QUERY_STRINGS = [
    *(dict.fromkeys(QUERY_KEYS, value) for value in GARBAGE_VALUES),
    # One parameter at a time, the others absent, so a page cannot bail out early on another's error.
    *({"page": value} for value in ("99999", "1.5")),
    *({"q": value} for value in ("nul\x00byte", '"smart city" or -pilot')),
    {"page": ["1", "2"], "q": ["a", "b"], "focus_area": ["cybersecurity", "nope"], "sort": "relevance"},
    {"focus_areas": ["cybersecurity", "nope", LONG], "title": LONG, "rsvp": "yes", "was": "weekly"},
]

# Query strings are parsed alike for everyone; what differs by persona is which rows a page may
# show. These three see the three levels (public only, members', everything) and get every hostile
# query string; the others get one, to keep the sweep fast.
FULL_QUERY_PERSONAS = ("anonymous", "member", "partnership_admin")

# Pages that create the visitor's own row on a first visit, by design: a GET may write only that.
CREATED_ON_VISIT = {
    "meetings:calendar": ["meetings.CalendarToken"],  # the secret of the member's calendar address
    "notifications:preferences": ["notifications.Preference"],  # the member's default preferences
}
WRITE_NAMES = {write.name for write in WRITES}

GARBAGE_FIELDS = (
    "name", "short_name", "slug", "region", "website", "time_zone", "description", "message", "email", "role",
    "full_name", "job_title", "coalition", "title", "summary", "body", "focus_areas", "tags", "kind", "maturity",
    "jurisdiction", "funding_source", "contact", "visibility", "stage", "notes", "outcome", "reason", "details",
    "action", "answer", "date", "start_time", "end_time", "video_link", "host_coalition", "rule_kind",
    "week_of_month", "weekday", "day_of_month", "local_start_time", "duration_minutes", "reminder_audience",
    "reset_customized", "minutes", "recording_link", "remove_files", "digest_frequency", "wants_reminders",
    "reminder_leads", "previous", "next", "List-Unsubscribe",
    "agenda-TOTAL_FORMS", "agenda-INITIAL_FORMS", "agenda-MIN_NUM_FORMS", "agenda-MAX_NUM_FORMS",
    "agenda-0-title", "agenda-0-ORDER", "agenda-0-DELETE", "agenda-0-practice", "agenda-0-presenting_coalition",
)  # fmt: skip


# The issues' own bad input, in fields that look right: end before start, an unknown time zone, a
# fifth weekday, a day 32, a javascript: link, a reserved slug, an unknown focus area, a role or an
# answer that is not offered, another coalition where one's own is expected.
WRONG_BUT_PLAUSIBLE = {
    "name": "   ", "slug": "new", "website": "javascript:alert(1)", "time_zone": "Mars/Olympus",
    "email": "not-an-address", "role": "owner", "full_name": "<script>alert(1)</script>", "coalition": "2",
    "title": "?!", "summary": " ", "focus_areas": ["no-such-area"], "tags": ",,,", "kind": "0", "maturity": "done",
    "visibility": "everyone", "contact": "1", "stage": "finished", "reason": "because", "action": "delete",
    "answer": "perhaps", "date": "2027-02-30", "start_time": "11:00", "end_time": "10:00",
    "video_link": "javascript:alert(1)", "recording_link": "ftp://example.org/x", "host_coalition": "2",
    "rule_kind": "nth_weekday", "week_of_month": "5", "weekday": "7", "day_of_month": "32",
    "local_start_time": "25:00", "duration_minutes": "0", "reminder_audience": "everyone",
    "digest_frequency": "hourly", "wants_reminders": "on", "reminder_leads": ["2y"], "previous": "daily",
    "agenda-TOTAL_FORMS": "1", "agenda-INITIAL_FORMS": "0", "agenda-0-title": "", "agenda-0-practice": "0",
    "agenda-0-presenting_coalition": "0", "agenda-0-duration_minutes": "-5", "agenda-0-ORDER": "x",
}  # fmt: skip


def garbage_bodies() -> list[tuple[str, dict]]:
    """Empty; words, NULs and huge numbers where numbers go; too long, with a renamed executable
    for every file field; and plausible but wrong (the issues' "Bad input")."""
    executable = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    return [
        ("empty", {}),
        # A view reading one value sees the last, "-1"; one reading a list sees them all.
        ("garbage", {name: ["nope", "nul\x00byte", "9" * 40, "-1"] for name in GARBAGE_FIELDS}),
        (
            "long",
            {
                **dict.fromkeys(GARBAGE_FIELDS, LONG + NON_ASCII + "nul\x00byte"),
                "attachments": SimpleUploadedFile("budget.pdf", executable, content_type="application/pdf"),
                "files": SimpleUploadedFile("slides.pdf", executable, content_type="application/pdf"),
                "logo": SimpleUploadedFile("logo.png", executable, content_type="image/png"),
            },
        ),
        ("wrong", WRONG_BUT_PLAUSIBLE),
    ]


def garbage_urls(route, kwargs: dict) -> list[str]:
    """The target URL with one path argument at a time replaced by garbage."""
    urls = []
    for name, converter in route.converters.items():
        for value in GARBAGE_ARGS[type(converter).__name__]:
            try:
                urls.append(reverse(route.name, kwargs={**kwargs, name: value}))
            except NoReverseMatch:
                continue
    return urls


def describe(url: str, query: dict) -> str:
    shown = urlencode(query, doseq=True)
    return f"GET {url[:120]}{'?' + shown[:120] if shown else ''}"


class RecordingQueryDict(QueryDict):
    """``request.GET`` that notes whether anything but the header's search box (``q``) read it."""

    touched = False

    def _note(self, *args):
        type(self).touched = True

    def __getitem__(self, key):
        if key != "q":  # the header's search box echoes ``q`` on every practices page
            self._note()
        return super().__getitem__(key)

    get = lambda self, *a, **k: (self._note(), QueryDict.get(self, *a, **k))[1]  # noqa: E731
    getlist = lambda self, *a, **k: (self._note(), QueryDict.getlist(self, *a, **k))[1]  # noqa: E731
    copy = lambda self: (self._note(), QueryDict.copy(self))[1]  # noqa: E731
    items = lambda self: (self._note(), QueryDict.items(self))[1]  # noqa: E731
    lists = lambda self: (self._note(), QueryDict.lists(self))[1]  # noqa: E731
    __len__ = lambda self: (self._note(), QueryDict.__len__(self))[1]  # noqa: E731
    __contains__ = lambda self, key: (self._note(), QueryDict.__contains__(self, key))[1]  # noqa: E731
    __iter__ = lambda self: (self._note(), QueryDict.__iter__(self))[1]  # noqa: E731


def reads_query_string(send) -> tuple[object, bool]:
    """Send a request and tell whether the page reads its query string (beyond the header's ``q``).

    Only those pages get the whole list of hostile query strings; a page that never reads its
    query string answers them all as it answers none, so it gets one.
    """
    RecordingQueryDict.touched = False
    recording = property(lambda request: RecordingQueryDict(request.META.get("QUERY_STRING", "")))
    with mock.patch.object(WSGIRequest, "GET", recording):
        outcome = send()
    return outcome, RecordingQueryDict.touched


def leaks(name: str, persona: str, world, url: str, outcome) -> list[str]:
    """What a page shows that this persona may not see (drafts, members-only and hidden content…)."""
    response = outcome.response
    if response is None or response.streaming or outcome.status >= 300:
        return []
    content = response.content.decode(errors="replace")
    return [
        f"GET {url} shows {secret.what} to {persona}"
        for secret in SECRETS
        if persona not in secret.seen_by and name not in secret.except_on and secret.text(world) in content
    ]


def test_every_url_pattern_has_a_target_in_the_world():
    """A new URL pattern must be added to TARGETS (and, if it writes, to the permission matrix)."""
    names = set(ROUTE_IDS)
    assert sorted(names - set(TARGETS)) == []
    assert sorted(set(TARGETS) - names) == []


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_get_with_hostile_input_is_never_a_server_error_and_writes_nothing(
    route, persona, world, fresh_clients, baseline
):
    client = fresh_clients[persona]
    all_kwargs = TARGETS[route.name](world)
    targets = [reverse(route.name, kwargs=kwargs) for kwargs in all_kwargs]
    probe = {"rsvp": "yes"} if route.name == "meetings:detail" else {"probe": "1"}
    first, reads_query = reads_query_string(lambda: isolated(lambda: client.get(targets[0], probe), baseline=baseline))
    failures = []
    if first.is_server_error:
        failures.append(f"{describe(targets[0], probe)} -> {first.status}\n{first.error}")
    # Link scanners and prefetchers follow GETs: a page may not write on a GET.
    if first.changed and first.changed != CREATED_ON_VISIT.get(route.name):
        failures.append(f"{describe(targets[0], probe)} wrote to {first.changed}")

    failures += leaks(route.name, persona, world, targets[0], first)
    for url in targets[1:]:
        forget_messages(client)
        outcome = isolated(lambda url=url: client.get(url))
        if outcome.is_server_error:
            failures.append(f"{describe(url, {})} -> {outcome.status}\n{outcome.error}")
        failures += leaks(route.name, persona, world, url, outcome)

    full = reads_query and persona in FULL_QUERY_PERSONAS
    requests = [(targets[0], query) for query in (QUERY_STRINGS if full else QUERY_STRINGS[6:7])]
    if first.status != 405:  # a POST-only view refuses a GET before looking anything up
        requests += [(url, {}) for url in garbage_urls(route, all_kwargs[0])]
    for url, query in requests:
        forget_messages(client)
        outcome = isolated(lambda url=url, query=query: client.get(url, query))
        if outcome.is_server_error:
            failures.append(f"{describe(url, query)} -> {outcome.status}\n{outcome.error}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_post_with_garbage_is_never_a_server_error_nor_a_refused_write(route, persona, world, fresh_clients, baseline):
    """Refused personas, and everyone posting to a page that is not a write, change nothing; a
    refused persona never gets a 200 for a body a browser could send (an empty POST is read as a
    GET by Django's ``request.POST or None`` idiom, and no browser sends one: the CSRF field is in
    every form)."""
    client = fresh_clients[persona]
    all_kwargs = TARGETS[route.name](world)
    targets = [reverse(route.name, kwargs=kwargs) for kwargs in all_kwargs]
    is_write = route.name in WRITE_NAMES
    refused = persona in refused_personas(route.name, world, all_kwargs[0])
    allowed_changes = CREATED_ON_VISIT.get(route.name, [])
    # A page that is not a write gets one garbage body: the question is only whether it writes.
    bodies = garbage_bodies() if is_write else garbage_bodies()[1:2]
    requests = [(targets[0], label, body) for label, body in bodies]
    if is_write:  # a page's other targets and garbage path arguments are the GET sweep's
        requests += [(url, "empty", {}) for url in targets[1:] + garbage_urls(route, all_kwargs[0])]

    failures = []
    for url, label, body in requests:
        forget_messages(client)
        outcome = isolated(lambda url=url, body=body: client.post(url, body), baseline=baseline)
        where = f"POST {url[:150]} ({label} body)"
        if outcome.is_server_error:
            failures.append(f"{where} -> {outcome.status}\n{outcome.error}")
        elif url == targets[0] and (refused or not is_write) and outcome.changed not in ([], allowed_changes):
            failures.append(f"{where} -> {outcome.status} and changed {outcome.changed} ({persona} may not)")
        elif url == targets[0] and refused and outcome.status == 200 and label != "empty":
            failures.append(f"{where} -> 200 for a refused {persona}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_post_without_csrf_token_is_refused(route, world, persona_clients, baseline):
    """Issue 2: a forged POST (no CSRF token) is a 403 and changes nothing. Only the RFC 8058
    one-click unsubscribe, which mail providers send without cookies, is exempt."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = persona_clients["member"].cookies
    url = reverse(route.name, kwargs=TARGETS[route.name](world)[0])
    outcome = isolated(
        lambda: client.post(url, {"answer": "yes", "role": "admin", "action": "archive"}), baseline=baseline
    )
    if route.name == "notifications:unsubscribe":
        assert outcome.status != 403
        return
    assert outcome.status == 403, f"POST {url} without a CSRF token -> {outcome.status}"
    assert outcome.changed == []


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_other_http_methods_are_never_a_server_error_nor_a_write(route, world, fresh_clients, baseline):
    """PUT and DELETE, as the persona who may do the most: a 405 or a page, never a 500, and
    nothing written (only the forms' POST writes)."""
    client = fresh_clients["partnership_admin"]
    url = reverse(route.name, kwargs=TARGETS[route.name](world)[0])
    failures = []
    for method in ("put", "delete"):
        outcome = isolated(lambda method=method: getattr(client, method)(url, "role=admin"), baseline=baseline)
        if outcome.is_server_error:
            failures.append(f"{method.upper()} {url} -> {outcome.status}\n{outcome.error}")
        elif outcome.changed not in ([], CREATED_ON_VISIT.get(route.name, [])):
            failures.append(f"{method.upper()} {url} changed {outcome.changed}")
    assert not failures, "\n".join(failures)


def test_forged_agenda_row_count_builds_no_more_rows_than_an_agenda_may_have(world, fresh_clients, baseline):
    """A POST claiming a million agenda rows is refused without building them. Django's formsets
    stop at ``absolute_max``, which defaults to max_num + 1,000: 1,040 forms validated and rendered
    (seconds of CPU and a 1.7 MB page) for a 100-byte request, unless the formset sets it to 40."""
    url = reverse("meetings:agenda", args=[world.meeting.pk])
    body = {**AGENDA_BODY, "agenda-TOTAL_FORMS": "1000000"}
    outcome = isolated(lambda: fresh_clients["coalition_admin"].post(url, body), baseline=baseline)
    assert outcome.status in (200, 400)
    assert outcome.changed == []
    assert len(outcome.response.context["formset"].forms) <= 40
