"""One small world of every kind of object, built once per test module, for the portal-wide sweeps.

``tests/test_bad_input_sweep.py`` walks every URL pattern with it and ``tests/test_permission_matrix.py``
posts to every write endpoint as each persona; ``tests/sweep_rules.py`` says who may do and see what.
Both take the fixtures with ``from tests.sweep_world import *``.

The world lives in a transaction opened for the module and rolled back at its end; each test runs
in a savepoint inside it (pytest-django's ``db``), and ``isolated()`` wraps one request in its own
savepoint, so a write made by one request never leaks into the next.
"""

import datetime as dt
import hashlib
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from coalitions import services as coalition_services
from coalitions.models import Membership
from meetings import services as meeting_services
from meetings.models import CalendarToken, Meeting, MeetingFile
from notifications import tokens
from tests.factories import (
    AdoptionFactory,
    AgendaItemFactory,
    AttachmentFactory,
    CoalitionFactory,
    CommentFactory,
    DeliveryFactory,
    FocusAreaFactory,
    InvitationFactory,
    JoinRequestFactory,
    MeetingFactory,
    MembershipFactory,
    PracticeFactory,
    PracticeKindFactory,
    ReportFactory,
    RSVPFactory,
    UserFactory,
)
from tests.meetings.conftest import series_data

# What ``from tests.sweep_world import *`` gives a test module: the fixtures, which pytest finds
# by name among the module's attributes. Helpers are imported by name.
__all__ = ["baseline", "fresh_clients", "persona_clients", "sweep_settings", "world"]

# The six personas of tests/conftest.py, plus Frank, an admin of the other coalition: an admin,
# but not of the coalition that owns everything here (the matrix needs him; the sweep does not).
PERSONAS = ("anonymous", "member", "coalition_admin", "other_member", "partnership_admin", "outsider")
MATRIX_PERSONAS = (*PERSONAS, "other_admin")

# Apps whose tables a refused request must leave exactly as they were. Sessions and the admin
# log are left out: logging in writes the one, and nothing in the portal writes the other.
SNAPSHOT_APPS = ("auth", "account", "taggit", "coalitions", "practices", "meetings", "notifications")

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- The world ---------------------------------------------------------------------------------


def build_world() -> SimpleNamespace:
    """Everything a URL of the portal can point at, once, owned by ``coalition`` unless said otherwise.

    - Alice (``member``) is a member of Colorado and the author of its practices.
    - Bob (``coalition_admin``) runs Colorado; Colorado hosts the series and most meetings.
    - Charlie (``other_member``) belongs to North Texas, adopted Alice's practice and commented on it.
    - Frank (``other_admin``) runs North Texas. Dana (``partnership_admin``) is staff.
    - Erin (``outsider``) is in no coalition; she asked to join Colorado and was invited to it.
    """
    w = SimpleNamespace()
    now = timezone.now().replace(microsecond=0)
    w.coalition = CoalitionFactory(name="Colorado Smart Cities Alliance", slug="colorado", short_name="CSCA")
    w.other_coalition = CoalitionFactory(
        name="North Texas Innovation Alliance", slug="north-texas", short_name="NTXIA", time_zone="America/Chicago"
    )
    w.users = {
        "member": _member(w.coalition, "alice@example.org", "Alice Archer"),
        "coalition_admin": _member(w.coalition, "bob@example.org", "Bob Baker", Membership.Role.ADMIN),
        "other_member": _member(w.other_coalition, "charlie@example.org", "Charlie Chen"),
        "other_admin": _member(w.other_coalition, "frank@example.org", "Frank Fox", Membership.Role.ADMIN),
        "partnership_admin": UserFactory(email="dana@example.org", is_staff=True, profile__full_name="Dana Diaz"),
        "outsider": UserFactory(email="erin@example.org", profile__full_name="Erin Evans"),
    }
    alice, bob = w.users["member"], w.users["coalition_admin"]
    charlie, dana, erin = w.users["other_member"], w.users["partnership_admin"], w.users["outsider"]
    w.unverified = UserFactory(email="gina@example.org", verified=False, profile__full_name="Gina Unverified")
    w.membership = Membership.objects.get(user=alice, coalition=w.coalition)

    # Joining
    w.join_request = JoinRequestFactory(user=erin, coalition=w.coalition, message="Erin from Greeley.")
    w.invitation = InvitationFactory(coalition=w.coalition, email=erin.email, invited_by=bob)
    w.invitation_token = coalition_services.invitation_token(w.invitation)

    # Practices
    w.cybersecurity = FocusAreaFactory(slug="cybersecurity", name="Cybersecurity")
    w.transportation = FocusAreaFactory(slug="transportation", name="Transportation")
    w.kind = PracticeKindFactory(slug="case-study", name="Case study")
    common = {"coalition": w.coalition, "author": alice, "kind": w.kind, "focus_areas": [w.cybersecurity]}
    w.practice = PracticeFactory(
        title="Incident-response RFP template", slug="incident-response-rfp", tags=["open data"], **common
    )
    w.public_practice = PracticeFactory(
        title="Broadband mapping playbook", slug="broadband-mapping", visibility="public", **common
    )
    w.draft = PracticeFactory(
        title="Curb management pilot", slug="curb-pilot", status="draft", published_at=None, **common
    )
    w.hidden_practice = PracticeFactory(
        title="Miracle sensor giveaway", slug="miracle-sensor", visibility="public", is_hidden=True, **common
    )
    w.attachment = AttachmentFactory(practice=w.practice)
    w.public_attachment = AttachmentFactory(practice=w.public_practice)
    w.comment = CommentFactory(practice=w.practice, author=charlie, body="How long did procurement take?")
    w.hidden_comment = CommentFactory(practice=w.public_practice, author=charlie, body="Buy now!", is_hidden=True)
    w.adoption = AdoptionFactory(practice=w.practice, coalition=w.other_coalition, created_by=charlie)
    # Reported by someone outside the personas: a persona's own earlier report would make theirs a repeat.
    w.reporter = _member(w.other_coalition, "hank@example.org", "Hank Hill")
    w.report = ReportFactory(practice=w.practice, comment=w.comment, reporter=w.reporter)
    w.tag_slug = "open-data"

    # Meetings: a series Colorado hosts (its first occurrence is ``meeting``), a past one with
    # minutes to post and a file, a cancelled one, and one the partnership itself hosts.
    csca_call = series_data(title="CSCA mobility call", video_link="https://meet.example.org/csca")
    w.series = meeting_services.create_series(by=bob, data={**csca_call, "host_coalition": w.coalition})
    w.meeting = w.series.meetings.order_by("start").first()
    AgendaItemFactory(
        meeting=w.meeting, title="Incident response", practice=w.practice, presenting_coalition=w.coalition
    )
    RSVPFactory(meeting=w.meeting, user=alice)
    w.past_meeting = MeetingFactory(
        title="Last month's call", start=now - dt.timedelta(days=3), end=now - dt.timedelta(days=3, hours=-1),
        host_coalition=w.coalition, created_by=bob,
    )  # fmt: skip
    w.meeting_file = MeetingFile.objects.create(
        meeting=w.past_meeting, file=_content_file("slides.pdf"), original_name="slides.pdf",
        content_type="application/pdf", size=len(PDF_BYTES), uploaded_by=bob,
    )  # fmt: skip
    w.cancelled_meeting = MeetingFactory(
        title="Cancelled call", host_coalition=w.coalition, status=Meeting.Status.CANCELLED, created_by=bob
    )
    w.partnership_meeting = MeetingFactory(title="Partnership all-hands", created_by=dana)

    # Email
    w.calendar_token = CalendarToken.objects.create(user=alice)
    w.digest_token = tokens.make_unsubscribe_token(user_id=alice.pk, kind=tokens.DIGEST)
    w.reminders_token = tokens.make_unsubscribe_token(user_id=alice.pk, kind=tokens.REMINDERS)
    w.delivery = DeliveryFactory(user=alice, status="failed", last_error="550 mailbox unavailable")
    return w


def _member(coalition, email: str, name: str, role: str = Membership.Role.MEMBER):
    user = UserFactory(email=email, profile__full_name=name)
    MembershipFactory(user=user, coalition=coalition, role=role)
    return user


def _content_file(name: str) -> ContentFile:
    return ContentFile(PDF_BYTES, name=name)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """The world, in a transaction that lives as long as the test module and is rolled back after it.

    The settings tests/conftest.py gives each test are applied once here, for the whole module
    (see ``sweep_settings``): a fresh temporary folder per test costs more than the sweep's requests.
    """
    media = tmp_path_factory.mktemp("sweep-media")
    with django_db_blocker.unblock(), override_settings(**SWEEP_SETTINGS, MEDIA_ROOT=media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


SWEEP_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "ACCOUNT_RATE_LIMITS": False,
    "SITE_URL": "http://testserver",
    "STORAGES": {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
}


@pytest.fixture(name="_test_settings", autouse=True)
def sweep_settings(world):
    """Replaces tests/conftest.py's per-test settings in the sweep modules: ``world`` applied them."""
    yield


@pytest.fixture(scope="module")
def persona_clients(world) -> dict[str, Client]:
    """A logged-in client per persona (``anonymous`` is not logged in), made once per module."""
    clients = {"anonymous": Client()}
    for persona, user in world.users.items():
        clients[persona] = Client()
        clients[persona].force_login(user)
    return clients


@pytest.fixture(scope="module")
def baseline(persona_clients) -> dict[str, str]:
    """The database as every test starts it: each request is rolled back, so it never drifts.

    Taken after logging in, which stamps ``last_login``.
    """
    return snapshot()


@pytest.fixture
def fresh_clients(persona_clients) -> dict[str, Client]:
    """The persona clients without messages left over from an earlier test (they ride in a cookie)."""
    for client in persona_clients.values():
        forget_messages(client)
    return persona_clients


def forget_messages(client: Client) -> None:
    client.cookies.pop("messages", None)


# --- URLs --------------------------------------------------------------------------------------


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
            if isinstance(entry, URLResolver):
                module = getattr(entry.urlconf_name, "__name__", str(entry.urlconf_name))
                if entry.app_name == "admin" or module.startswith("allauth"):
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(
                    entry.url_patterns,
                    prefix + str(entry.pattern),
                    ns,
                    {**converters, **getattr(entry.pattern, "converters", {})},
                )
            elif isinstance(entry, URLPattern):
                assert entry.name, f"unnamed URL pattern {prefix}{entry.pattern}"
                found.append(
                    Route(
                        name=namespace + entry.name,
                        route=prefix + str(entry.pattern),
                        converters={**converters, **getattr(entry.pattern, "converters", {})},
                    )
                )

    walk(get_resolver().url_patterns, "", "", {})
    return found


# How to fill each URL's arguments from the world. A list gives several valid targets: the first
# is the one hostile query strings and bodies are aimed at, the others get a plain GET and POST.
TARGETS: dict[str, Callable[[SimpleNamespace], list[dict]]] = {
    "home": lambda w: [{}],
    "coalitions:list": lambda w: [{}],
    "coalitions:create": lambda w: [{}],
    "coalitions:directory": lambda w: [{}],
    "coalitions:member": lambda w: [{"user_id": w.users["member"].pk}, {"user_id": w.users["outsider"].pk}],
    "coalitions:profile": lambda w: [{}],
    "coalitions:accept_invitation": lambda w: [{"token": w.invitation_token}],
    "coalitions:withdraw_request": lambda w: [{"pk": w.join_request.pk}],
    "coalitions:detail": lambda w: [{"slug": w.coalition.slug}],
    "coalitions:edit": lambda w: [{"slug": w.coalition.slug}],
    "coalitions:logo": lambda w: [{"slug": w.coalition.slug}],
    "coalitions:join": lambda w: [{"slug": w.coalition.slug}, {"slug": w.other_coalition.slug}],
    "coalitions:leave": lambda w: [{"slug": w.coalition.slug}],
    "coalitions:manage": lambda w: [{"slug": w.coalition.slug}],
    "coalitions:invite": lambda w: [{"slug": w.coalition.slug}],
    "coalitions:revoke_invitation": lambda w: [{"slug": w.coalition.slug, "pk": w.invitation.pk}],
    "coalitions:approve_request": lambda w: [{"slug": w.coalition.slug, "pk": w.join_request.pk}],
    "coalitions:reject_request": lambda w: [{"slug": w.coalition.slug, "pk": w.join_request.pk}],
    "coalitions:change_role": lambda w: [{"slug": w.coalition.slug, "pk": w.membership.pk}],
    "coalitions:remove_member": lambda w: [{"slug": w.coalition.slug, "pk": w.membership.pk}],
    "practices:list": lambda w: [{}],
    "practices:create": lambda w: [{}],
    "practices:mine": lambda w: [{}],
    "practices:preview": lambda w: [{}],
    "practices:similar": lambda w: [{}],
    "practices:feed": lambda w: [{}],
    "practices:api_list": lambda w: [{}],
    "practices:api_detail": lambda w: _practice_slugs(w),
    "practices:focus_areas": lambda w: [{}],
    "practices:focus_area_create": lambda w: [{}],
    "practices:focus_area": lambda w: [{"slug": w.cybersecurity.slug}],
    "practices:focus_area_edit": lambda w: [{"slug": w.cybersecurity.slug}],
    "practices:focus_area_feed": lambda w: [{"slug": w.cybersecurity.slug}],
    "practices:tag": lambda w: [{"slug": w.tag_slug}],
    "practices:moderation": lambda w: [{}],
    "practices:moderation_resolve": lambda w: [{"pk": w.report.pk}],
    "practices:moderation_hide": lambda w: [
        {"kind": "comment", "pk": w.comment.pk},
        {"kind": "practice", "pk": w.practice.pk},
    ],
    "practices:moderation_restore": lambda w: [
        {"kind": "comment", "pk": w.hidden_comment.pk},
        {"kind": "practice", "pk": w.practice.pk},
    ],
    "practices:comment_edit": lambda w: [{"pk": w.comment.pk}],
    "practices:comment_delete": lambda w: [{"pk": w.comment.pk}],
    "practices:report_comment": lambda w: [{"pk": w.comment.pk}, {"pk": w.hidden_comment.pk}],
    "practices:adoption_withdraw": lambda w: [{"pk": w.adoption.pk}],
    "practices:detail": lambda w: _practice_slugs(w),
    "practices:edit": lambda w: _practice_slugs(w),
    "practices:status": lambda w: _practice_slugs(w),
    "practices:adopt": lambda w: _practice_slugs(w),
    "practices:comment": lambda w: _practice_slugs(w),
    "practices:report": lambda w: _practice_slugs(w),
    "practices:attachment": lambda w: [
        {"slug": w.practice.slug, "pk": w.attachment.pk},
        {"slug": w.public_practice.slug, "pk": w.public_attachment.pk},
        {"slug": w.public_practice.slug, "pk": w.attachment.pk},  # another practice's file
    ],
    "practices:attachment_delete": lambda w: [{"slug": w.practice.slug, "pk": w.attachment.pk}],
    "meetings:list": lambda w: [{}],
    "meetings:archive": lambda w: [{}],
    "meetings:schedule": lambda w: [{}],
    "meetings:calendar": lambda w: [{}],
    "meetings:calendar_reset": lambda w: [{}],
    "meetings:feed": lambda w: [{"token": w.calendar_token.token}],
    "meetings:series_create": lambda w: [{}],
    "meetings:series_detail": lambda w: [{"pk": w.series.pk}],
    "meetings:series_edit": lambda w: [{"pk": w.series.pk}],
    "meetings:detail": lambda w: _meetings(w),
    "meetings:ics": lambda w: _meetings(w),
    "meetings:rsvp": lambda w: _meetings(w),
    "meetings:edit": lambda w: _meetings(w),
    "meetings:move": lambda w: _meetings(w),
    "meetings:cancel": lambda w: _meetings(w),
    "meetings:reinstate": lambda w: [{"pk": w.cancelled_meeting.pk}, *_meetings(w)],
    "meetings:agenda": lambda w: _meetings(w),
    "meetings:minutes": lambda w: [{"pk": w.past_meeting.pk}, *_meetings(w)],
    "meetings:file": lambda w: [
        {"pk": w.past_meeting.pk, "file_pk": w.meeting_file.pk},
        {"pk": w.meeting.pk, "file_pk": w.meeting_file.pk},  # a file of another meeting
    ],
    "notifications:preferences": lambda w: [{}],
    "notifications:unsubscribe": lambda w: [{"token": w.digest_token}, {"token": w.reminders_token}],
    "notifications:unsubscribe_done": lambda w: [{"token": w.digest_token}, {"token": w.reminders_token}],
    "notifications:unsubscribe_change": lambda w: [{"token": w.digest_token}, {"token": w.reminders_token}],
    "notifications:failed_deliveries": lambda w: [{}],
    "notifications:preview_digest": lambda w: [{"user_id": w.users["member"].pk}],
}


def _practice_slugs(w) -> list[dict]:
    return [{"slug": p.slug} for p in (w.practice, w.public_practice, w.draft, w.hidden_practice)]


def _meetings(w) -> list[dict]:
    return [{"pk": m.pk} for m in (w.meeting, w.past_meeting, w.cancelled_meeting, w.partnership_meeting)]


# --- Requests ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int
    response: object = None
    error: str = ""  # the traceback's last lines when the view raised (the test client re-raises)
    changed: list[str] = field(default_factory=list)  # tables whose rows the request changed

    @property
    def is_server_error(self) -> bool:
        return self.status >= 500


class WriteWatch:
    """Notices INSERT, UPDATE and DELETE statements (not the session's), so that the database is
    compared with the baseline only after a request that wrote something."""

    IGNORED_TABLES = ("django_session",)

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE") and not any(t in sql for t in self.IGNORED_TABLES):
            self.wrote = True
        return execute(sql, params, many, context)


def isolated(send: Callable[[], object], *, baseline: dict[str, str] | None = None) -> Outcome:
    """One request in its own savepoint, rolled back afterwards: what it wrote is gone for the next.

    With ``baseline``, ``Outcome.changed`` lists the tables the request left different (read
    inside the savepoint, before the rollback).
    """
    watch = WriteWatch()
    with transaction.atomic(), connection.execute_wrapper(watch):
        try:
            response = send()
        except Exception as exc:  # the test client re-raises what a view raised: a 500 for a person
            outcome = Outcome(500, error=last_lines(exc))
        else:
            outcome = Outcome(response.status_code, response)
        if baseline is not None and watch.wrote:
            outcome.changed = changed_tables(baseline, snapshot())
        transaction.set_rollback(True)
    return outcome


def last_lines(exc: BaseException) -> str:
    """The traceback's last frames in the portal's own code, and the exception: where to fix it."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if "site-packages" not in frame.filename and "/tests/" not in frame.filename
    ]
    shown = traceback.format_list(frames[-3:]) + traceback.format_exception_only(exc)
    return "".join(shown).rstrip()


def error_messages(response) -> list[str]:
    """The error-level messages a response queued (shown on the next page after a redirect)."""
    return [str(m) for m in get_messages(response.wsgi_request) if "error" in m.tags]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- The database, before and after ----------------------------------------------------------


def snapshot() -> dict[str, str]:
    """A digest of every row of the portal's tables, one per table: equal digests, nothing changed."""
    state = {}
    for app_label in SNAPSHOT_APPS:
        for model in apps.get_app_config(app_label).get_models():
            rows = model._base_manager.order_by("pk").values_list()
            state[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))
