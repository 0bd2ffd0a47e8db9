"""Every URL of the portal, as every persona, with good and hostile input: never a 500.

The sweep walks the URL resolver (through every include; Django admin and allauth are not ours),
aims at each pattern as ``targets.py`` says (path arguments from the world of ``conftest.py``, and
garbage), sends GETs with hostile query strings and POSTs with empty and garbage bodies, and asserts
that nothing answers with a server error, that no refused persona succeeds at a write, and that
pages which are not writes write nothing. A failure names the URL pattern, the method and the
persona in the test id, and lists each bad request (with the traceback's last lines) in its message.
"""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.sweep.outcomes import forget_messages, isolated
from tests.sweep.rules import PERSONAS, SECRETS, WRITES, refused_personas
from tests.sweep.targets import QUERY_KEYS, TARGETS, missing_targets_message, portal_routes

pytestmark = pytest.mark.django_db

# A pattern without a line in TARGETS fails test_every_url_pattern_has_a_target, not every test here.
ROUTES = [route for route in portal_routes() if route.name in TARGETS]
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
# query string on a page that reads one; the others, and pages that read none, get one.
FULL_QUERY_PERSONAS = ("anonymous", "member", "partnership_admin")
ONE_QUERY_STRING = QUERY_STRINGS[6]  # every parameter a NUL byte

# Every persona on PostgreSQL, the production database. The suite runs again on SQLite, where what can
# differ is how a value reaches the database (a NUL byte, an integer past 64 bits, a long string), not who
# may do what: there the personas of the three levels of visibility sweep every URL, and the permission
# matrix (tests/sweep/test_permission_matrix.py) still asks every role on both. A third of each pass
# was this sweep.
SWEPT_PERSONAS = PERSONAS if connection.vendor == "postgresql" else FULL_QUERY_PERSONAS

WRITE_NAMES = {write.name for write in WRITES}

GARBAGE_FIELDS = (
    "name", "short_name", "slug", "region", "website", "time_zone", "description", "message", "email", "role",
    "full_name", "job_title", "coalition", "title", "summary", "body", "focus_areas", "tags", "kind", "maturity",
    "jurisdiction", "funding_source", "contact", "visibility", "stage", "notes", "outcome", "reason", "details",
    "action", "answer", "date", "start_time", "end_time", "video_link", "host_coalition", "rule_kind",
    "week_of_month", "weekday", "day_of_month", "local_start_time", "duration_minutes", "reminder_audience",
    "reset_customized", "minutes", "recording_link", "remove_files", "digest_frequency", "wants_reminders",
    "government_level",
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
    "government_level": "galactic",
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


def test_every_url_pattern_has_a_target():
    """A new URL pattern needs a line in TARGETS; the failure says which line, and where."""
    routes = portal_routes()
    missing = [route for route in routes if route.name not in TARGETS]
    stale = sorted(set(TARGETS) - {route.name for route in routes})
    if missing or stale:
        pytest.fail(missing_targets_message(missing, stale), pytrace=False)


@pytest.mark.parametrize("persona", SWEPT_PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_get_with_hostile_input_is_never_a_server_error_and_writes_nothing(
    route, persona, world, fresh_clients, baseline
):
    """Link scanners and prefetchers follow GETs: a page may not write on a GET (but for the
    visitor's own row a first visit creates), nor show what the persona may not see."""
    client = fresh_clients[persona]
    target = TARGETS[route.name]
    all_kwargs = target.all_kwargs(world)
    urls = [reverse(route.name, kwargs=kwargs) for kwargs in all_kwargs]
    failures = []

    def get(url: str, query: dict):
        forget_messages(client)
        outcome = isolated(lambda: client.get(url, query), baseline=baseline)
        if outcome.is_server_error:
            failures.append(f"{describe(url, query)} -> {outcome.status}\n{outcome.error}")
        elif outcome.changed not in ([], list(target.creates)):
            failures.append(f"{describe(url, query)} wrote to {outcome.changed}")
        return outcome

    plain = [get(url, {}) for url in urls]
    for url, outcome in zip(urls, plain, strict=True):
        failures += leaks(route.name, persona, world, url, outcome)
    full = target.query and persona in FULL_QUERY_PERSONAS
    for query in QUERY_STRINGS if full else [ONE_QUERY_STRING]:
        get(urls[0], query)
    if plain[0].status != 405:  # a POST-only view refuses a GET before looking anything up
        for url in garbage_urls(route, all_kwargs[0]):
            get(url, {})
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", SWEPT_PERSONAS)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_post_with_garbage_is_never_a_server_error_nor_a_refused_write(route, persona, world, fresh_clients, baseline):
    """Refused personas, and everyone posting to a page that is not a write, change nothing; a
    refused persona never gets a 200 for a body a browser could send (an empty POST is read as a
    GET by Django's ``request.POST or None`` idiom, and no browser sends one: the CSRF field is in
    every form)."""
    client = fresh_clients[persona]
    all_kwargs = TARGETS[route.name].all_kwargs(world)
    targets = [reverse(route.name, kwargs=kwargs) for kwargs in all_kwargs]
    is_write = route.name in WRITE_NAMES
    refused = persona in refused_personas(route.name, world, all_kwargs[0])
    allowed_changes = list(TARGETS[route.name].creates)
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
            failures.append(
                f"{where} -> {outcome.status} and changed {outcome.changed} ({persona} may not"
                + ("" if is_write else "; if this URL is a write, add its rows to WRITES in tests/sweep/rules.py")
                + ")"
            )
        elif url == targets[0] and refused and outcome.status == 200 and label != "empty":
            failures.append(f"{where} -> 200 for a refused {persona}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_post_without_csrf_token_is_refused(route, world, persona_clients, baseline):
    """Issue 2: a forged POST (no CSRF token) is a 403 and changes nothing. Only the RFC 8058
    one-click unsubscribe, which mail providers send without cookies, is exempt."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = persona_clients["member"].cookies
    url = reverse(route.name, kwargs=TARGETS[route.name].all_kwargs(world)[0])
    outcome = isolated(
        lambda: client.post(url, {"answer": "yes", "role": "admin", "action": "archive"}), baseline=baseline
    )
    if TARGETS[route.name].csrf_exempt:
        assert outcome.status != 403
        return
    assert outcome.status == 403, f"POST {url} without a CSRF token -> {outcome.status}"
    assert outcome.changed == []


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_other_http_methods_are_never_a_server_error_nor_a_write(route, world, fresh_clients, baseline):
    """PUT and DELETE, as the persona who may do the most: a 405 or a page, never a 500, and
    nothing written (only the forms' POST writes)."""
    client = fresh_clients["partnership_admin"]
    url = reverse(route.name, kwargs=TARGETS[route.name].all_kwargs(world)[0])
    failures = []
    for method in ("put", "delete"):
        outcome = isolated(lambda method=method: getattr(client, method)(url, "role=admin"), baseline=baseline)
        if outcome.is_server_error:
            failures.append(f"{method.upper()} {url} -> {outcome.status}\n{outcome.error}")
        elif outcome.changed not in ([], list(TARGETS[route.name].creates)):
            failures.append(f"{method.upper()} {url} changed {outcome.changed}")
    assert not failures, "\n".join(failures)
