"""One small world of every kind of object, built once per test module, for the portal-wide sweeps.

``test_bad_input.py`` walks every URL pattern with it (``targets.py`` says how to aim at each) and
``test_permission_matrix.py`` posts to every write endpoint as each persona (``rules.py`` says who
may do and see what). pytest hands both the fixtures below.

The world lives in a transaction opened for the module and rolled back at its end; each test runs
in a savepoint inside it (pytest-django's ``db``), and ``isolated()`` wraps one request in its own
savepoint, so a write made by one request never leaks into the next.
"""

import datetime as dt
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from calls import services as need_services
from calls.models import Call
from coalitions import services as coalition_services
from coalitions.models import Membership
from meetings import services as meeting_services
from meetings.models import CalendarToken, Meeting, MeetingFile
from notifications import tokens
from practices import confirmation as adoption_confirmation
from practices.models import AdoptionFile
from tests.conftest import kept_for_the_module
from tests.factories import (
    AdoptionFactory,
    AgendaItemFactory,
    AttachmentFactory,
    CoalitionFactory,
    CommentFactory,
    ContractDocumentFactory,
    ContractFactory,
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
from tests.snapshots import snapshot
from tests.sweep.outcomes import forget_messages

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
    w.adoption_file = AdoptionFile.objects.create(
        adoption=w.adoption, file=_content_file("council-report.pdf"), name="council-report.pdf",
        content_type="application/pdf", size=len(PDF_BYTES), uploaded_by=charlie,
    )  # fmt: skip
    # The yearly "still current?" email's signed link, as sent to Frank (North Texas's admin).
    w.adoption_confirm_token = adoption_confirmation.make_token(
        adoption_id=w.adoption.pk, user_id=w.users["other_admin"].pk
    )
    w.contract = ContractFactory(practice=w.practice, created_by=alice)
    w.contract_document = ContractDocumentFactory(contract=w.contract)
    w.public_contract_document = ContractDocumentFactory(contract=ContractFactory(practice=w.public_practice))
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

    # Shared needs: Alice posted ``need`` for Colorado (nobody co-signed it yet) and ``cosigned_need``,
    # which Charlie co-signed for North Texas.
    need_data = {"problem": "Fare data misses transfers.", "focus_areas": [w.transportation]}
    w.need = need_services.post_need(
        by=alice, coalition=w.coalition, data={"title": "Counting riders at bus stops", **need_data}
    )
    w.cosigned_need = need_services.post_need(
        by=alice, coalition=w.coalition, data={"title": "Curb space for deliveries", **need_data}
    )
    w.signature = need_services.cosign_need(
        need=w.cosigned_need, by=charlie, coalition=w.other_coalition, context="Dallas: the same at 40 curbs."
    )
    # ``shared_need``: Alice's, co-signed by North Texas (Hank) and Kansas City (Ivan), so a shared need.
    w.third_coalition = CoalitionFactory(name="KC Digital Drive", slug="kc-digital-drive", short_name="KCDD")
    ivan = _member(w.third_coalition, "ivan@example.org", "Ivan Ives")
    w.shared_need = need_services.post_need(
        by=alice, coalition=w.coalition, data={"title": "Heat alerts for outdoor workers", **need_data}
    )
    need_services.cosign_need(need=w.shared_need, by=w.reporter, coalition=w.other_coalition, context="Dallas heat.")
    need_services.cosign_need(need=w.shared_need, by=ivan, coalition=w.third_coalition, context="KC heat.")

    # Calls for solutions: Alice published ``call`` (public, open) and ``members_call`` (partnership only) for
    # Colorado; an outside vendor submitted to ``call`` (verified, with a file); Charlie evaluates it.
    call_data = {
        "problem": "Curb sensors cost more than parking brings in.", "asks": "A revenue model.",
        "terms": "Shared with members.", "focus_areas": [w.transportation], "is_public": True,
        "time_zone": "America/Chicago", "opens_at": now - dt.timedelta(days=1),
        "closes_at": now + dt.timedelta(days=10), "evaluation_ends_at": now + dt.timedelta(days=20),
        "results_at": now + dt.timedelta(days=30),
    }  # fmt: skip
    criteria = [("Cost to the city", 3), ("Time to pilot", 1)]
    w.call = need_services.publish_call(
        by=alice, coalition=w.coalition, data={"title": "Revenue models for curb sensors", **call_data},
        criteria=criteria, files=[_content_file("brief.pdf")],
    )  # fmt: skip
    w.call_file = w.call.files.get()
    w.members_call = need_services.publish_call(
        by=alice, coalition=w.coalition, data={**call_data, "title": "Shared fleet telematics", "is_public": False},
        criteria=criteria, files=[_content_file("fleet.pdf")],
    )  # fmt: skip
    w.members_call_file = w.members_call.files.get()
    # ``closed_call``: its submissions closed yesterday, so Alice may send its decisions and close it (the
    # pages that ask first). Published open, as a call must be, then moved into the past.
    w.closed_call = need_services.publish_call(
        by=alice, coalition=w.coalition, data={**call_data, "title": "Smart meter reading"}, criteria=criteria,
    )  # fmt: skip
    Call.objects.filter(pk=w.closed_call.pk).update(
        opens_at=now - dt.timedelta(days=20), closes_at=now - dt.timedelta(days=1)
    )
    w.submission = need_services.submit_solution(
        call=w.call, files=[_content_file("proposal.pdf")],
        data={"name": "Vera Vendor", "organization": "CurbWorks Inc.", "email": "vera@curbworks.example",
              "summary": "Sensors paid for by a share of new revenue, said only to owners.",
              "description": "We install at our cost.", "accepted_terms": True, "consents_to_be_named": True},
    )  # fmt: skip
    need_services.verify_submission(token=need_services.verify_token(w.submission))
    w.submission_file = w.submission.files.get()
    w.edit_token = need_services.edit_token(w.submission)
    w.verify_token = need_services.verify_token(w.submission)
    w.evaluator = need_services.invite_evaluator(call=w.call, by=alice, user=charlie)
    w.removable_evaluator = need_services.invite_evaluator(call=w.call, by=alice, user=ivan)

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
    (see ``_test_settings`` below): a fresh temporary folder per test costs more than the sweep's requests.
    """
    yield from kept_for_the_module(
        django_db_blocker,
        tmp_path_factory,
        build_world,
        settings={
            # The sweep sends hundreds of submissions from one address; the limits have their own tests.
            "CALL_SUBMISSION_LIMITS": {"address": (100_000, 3600), "email": (100_000, 3600)},
        },
        after_commit=False,
    )


@pytest.fixture(autouse=True)
def _test_settings(world):
    """Replaces tests/conftest.py's per-test settings in the sweeps: ``world`` applied them."""
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
