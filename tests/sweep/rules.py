"""Who may do what, for every endpoint that writes: the rules of issues 2–5, written as a table.

Each ``Write`` is one POST (a URL, a target in the sweep world, a valid body) and what each persona
must get. The table is derived from the issues' "Who may do what" and "Bad input" sections, not
read off the views: where the code disagrees, the matrix test fails and names the row.

Outcomes:
- ``OK``: it happens (a 2xx or 3xx that is not a login redirect, no error message, the database
  changed; for a ``writes=False`` row, a 200 and nothing changed);
- ``DENY``: a 403 page (an admin action asked by someone who is not that admin, issue 2);
- ``REFUSE``: a 403 or a 404 (content the persona may not touch, or may not even know exists:
  a draft, someone else's request);
- ``SAY``: refused with a clear message (a redirect or a form with an error, issue 2's "a second
  join request or an existing membership → a clear message, nothing duplicated");
- ``BAD``: a 400 page (a tampered token);
- ``LOGIN``: a redirect to the login page (anonymous visitors).
Every outcome but ``OK`` also asserts that nothing in the database changed.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

# The six personas of tests/conftest.py, plus Frank, an admin of the other coalition: an admin,
# but not of the coalition that owns everything in the world (the matrix needs him; the sweep does not).
PERSONAS = ("anonymous", "member", "coalition_admin", "other_member", "partnership_admin", "outsider")
MATRIX_PERSONAS = (*PERSONAS, "other_admin")

OK, DENY, REFUSE, SAY, BAD, LOGIN = "ok", "403", "403/404", "message", "400", "login"

SIGNED_IN = tuple(p for p in MATRIX_PERSONAS if p != "anonymous")
MEMBERS = ("member", "coalition_admin", "other_member", "other_admin", "partnership_admin")  # is_member()


def expect(*, ok=(), say=(), refuse=(), bad=(), anonymous=LOGIN, others=DENY) -> dict[str, str]:
    """Each persona's outcome: the named ones, ``anonymous`` as given, everyone else ``others``."""
    table = dict.fromkeys(SIGNED_IN, others)
    for outcome, personas in ((OK, ok), (SAY, say), (REFUSE, refuse), (BAD, bad)):
        table.update(dict.fromkeys(personas, outcome))
    table["anonymous"] = anonymous
    return table


World = SimpleNamespace
Body = Callable[[World, str], dict]


def static(data: dict) -> Body:
    return lambda w, persona: data


@dataclass(frozen=True)
class Write:
    id: str
    name: str
    target: Callable[[World], dict]
    body: Body
    outcomes: dict[str, str] = field(hash=False)
    writes: bool = True
    why: str = ""


# --- Valid bodies --------------------------------------------------------------------------------


def _own_coalition(w: World, persona: str) -> int:
    """The coalition a persona acts for: their own, or Colorado for those in none."""
    return w.other_coalition.pk if persona in ("other_member", "other_admin") else w.coalition.pk


def practice_body(w: World, persona: str) -> dict:
    return {
        "coalition": _own_coalition(w, persona),
        "title": "Smart streetlight procurement",
        "summary": "How three cities bought connected streetlights together.",
        "body": "## Background\n\nA joint RFP.",
        "focus_areas": ["cybersecurity", "transportation"],
        "tags": "lighting, joint procurement",
        "kind": w.kind.pk,
        "maturity": "pilot",
        "jurisdiction": "City of Denver",
        "funding_source": "local",
        "contact": "",
        "visibility": "members",
        "action": "publish",
    }


def practice_edit_body(w: World, persona: str) -> dict:
    data = {**practice_body(w, persona), "title": "Incident-response RFP template, revised", "action": "save"}
    del data["coalition"]
    return data


def coalition_body(**overrides) -> Body:
    data = {
        "name": "Colorado Smart Cities Alliance",
        "short_name": "CSCA",
        "slug": "colorado",
        "region": "Colorado",
        "website": "https://coloradosmartcities.example.org",
        "time_zone": "America/Denver",
        "description": "Cities, counties and universities of Colorado.",
    }
    return static({**data, **overrides})


def _hosts(w: World, persona: str) -> str:
    """The host a scheduler may choose: the coalition they run; the partnership for staff."""
    return {"coalition_admin": str(w.coalition.pk), "other_admin": str(w.other_coalition.pk)}.get(persona, "")


def schedule_body(w: World, persona: str) -> dict:
    day = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    return {
        "title": "Extra call on curb data",
        "description": "One topic.",
        "date": day,
        "start_time": "10:00",
        "end_time": "11:00",
        "time_zone": "America/Denver",
        "video_link": "https://meet.example.org/curb",
        "host_coalition": _hosts(w, persona),
    }


def series_body(**overrides) -> Body:
    def body(w: World, persona: str) -> dict:
        return {
            "title": "Cybersecurity working group",
            "description": "Monthly.",
            "rule_kind": "nth_weekday",
            "week_of_month": "3",
            "weekday": "2",
            "day_of_month": "",
            "local_start_time": "10:00",
            "duration_minutes": "45",
            "time_zone": "America/Phoenix",
            "video_link": "https://meet.example.org/cyber",
            "host_coalition": _hosts(w, persona),
            "reminder_audience": "all",
            **overrides,
        }

    return body


def meeting_details_body(host: str) -> Body:
    def body(w: World, persona: str) -> dict:
        return {
            "title": "Renamed call",
            "description": "New description.",
            "video_link": "https://meet.example.org/renamed",
            "host_coalition": str(w.coalition.pk) if host == "coalition" else "",
        }

    return body


def move_body(w: World, persona: str) -> dict:
    day = w.meeting.local_start().date() + dt.timedelta(days=1)
    return {"date": day.isoformat(), "start_time": "12:00", "end_time": "13:00", "time_zone": "America/Denver"}


AGENDA_BODY = {
    "agenda-TOTAL_FORMS": "1",
    "agenda-INITIAL_FORMS": "0",
    "agenda-MIN_NUM_FORMS": "0",
    "agenda-MAX_NUM_FORMS": "1000",
    "agenda-0-title": "Curb data standards",
    "agenda-0-duration_minutes": "15",
    "agenda-0-presenting_coalition": "",
    "agenda-0-practice": "",
    "agenda-0-notes": "",
    "agenda-0-ORDER": "1",
}


# --- The table ------------------------------------------------------------------------------------

ADMINS_OF_COLORADO = ("coalition_admin", "partnership_admin")
MANAGERS_OF_ALICES_PRACTICE = ("member", "coalition_admin", "partnership_admin")  # author, admins

WRITES: list[Write] = [
    # Issue 2: coalitions, joining, invitations, members.
    Write(
        "create coalition", "coalitions:create", lambda w: {},
        coalition_body(name="Arizona Smart Communities", short_name="ASC", slug="arizona", region="Arizona"),
        expect(ok=["partnership_admin"]), why="Partnership admins (staff) create coalitions.",
    ),
    Write(
        "edit coalition", "coalitions:edit", lambda w: {"slug": w.coalition.slug},
        coalition_body(description="Changed."), expect(ok=ADMINS_OF_COLORADO),
        why="A coalition admin manages their own coalition only; partnership admins every coalition.",
    ),
    Write(
        "join coalition", "coalitions:join", lambda w: {"slug": w.coalition.slug},
        static({"message": "We run the Dallas smart-city programme."}),
        expect(ok=["other_member", "other_admin", "partnership_admin"], say=["member", "coalition_admin", "outsider"]),
        why="A signed-in user requests to join (a user may belong to several coalitions); an existing "
        "membership or a second request gets a clear message (Erin already asked).",
    ),
    Write(
        "withdraw own join request", "coalitions:withdraw_request", lambda w: {"pk": w.join_request.pk},
        static({}), expect(ok=["outsider"], others=REFUSE), why="Only the person who asked withdraws a request.",
    ),
    Write(
        "leave coalition", "coalitions:leave", lambda w: {"slug": w.coalition.slug}, static({}),
        expect(ok=["member"], say=["coalition_admin"], others=REFUSE),
        why="Members leave; the last admin may not (never a coalition without an admin); others are not in it.",
    ),
    Write(
        "invite by email", "coalitions:invite", lambda w: {"slug": w.coalition.slug},
        static({"email": "newcomer@example.org", "role": "member"}), expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "revoke invitation", "coalitions:revoke_invitation",
        lambda w: {"slug": w.coalition.slug, "pk": w.invitation.pk}, static({}), expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "approve join request", "coalitions:approve_request",
        lambda w: {"slug": w.coalition.slug, "pk": w.join_request.pk}, static({}), expect(ok=ADMINS_OF_COLORADO),
        why="A member of coalition A cannot approve requests of coalition B (issue 2, done when).",
    ),
    Write(
        "reject join request", "coalitions:reject_request",
        lambda w: {"slug": w.coalition.slug, "pk": w.join_request.pk}, static({}), expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "change role", "coalitions:change_role", lambda w: {"slug": w.coalition.slug, "pk": w.membership.pk},
        static({"role": "admin"}), expect(ok=ADMINS_OF_COLORADO),
        why="A plain member cannot make themself an admin.",
    ),
    Write(
        "remove member", "coalitions:remove_member", lambda w: {"slug": w.coalition.slug, "pk": w.membership.pk},
        static({}), expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "accept invitation", "coalitions:accept_invitation", lambda w: {"token": w.invitation_token}, static({}),
        expect(ok=["outsider"], others=SAY),
        why="The invitation was sent to Erin's address; a forwarded link is refused with a message.",
    ),
    Write(
        "edit own profile", "coalitions:profile", lambda w: {},
        static({"full_name": "A New Name", "job_title": "Chief Innovation Officer", "time_zone": "America/Phoenix"}),
        expect(ok=SIGNED_IN),
    ),
    # Issue 3: practices. Alice (member) wrote the practice; Charlie (other coalition) commented and adopted.
    Write(
        "share a practice", "practices:create", lambda w: {}, practice_body,
        expect(ok=MEMBERS, others=REFUSE), why="Members of a coalition post practices for it.",
    ),
    Write(
        "edit practice", "practices:edit", lambda w: {"slug": w.practice.slug}, practice_edit_body,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="The author and that coalition's admins edit; partnership admins moderate everything.",
    ),
    Write(
        "edit draft", "practices:edit", lambda w: {"slug": w.draft.slug}, practice_edit_body,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="Drafts are visible only to their author and coalition admins.",
    ),
    Write(
        "archive practice", "practices:status", lambda w: {"slug": w.practice.slug}, static({"action": "archive"}),
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "unpublish practice", "practices:status", lambda w: {"slug": w.public_practice.slug},
        static({"action": "unpublish"}), expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "publish draft", "practices:status", lambda w: {"slug": w.draft.slug}, static({"action": "publish"}),
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "remove attachment", "practices:attachment_delete",
        lambda w: {"slug": w.practice.slug, "pk": w.attachment.pk}, static({}),
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "record adoption", "practices:adopt", lambda w: {"slug": w.practice.slug},
        lambda w, persona: {
            "coalition": _own_coalition(w, persona), "stage": "piloting", "notes": "Scoped to two districts.",
            "outcome": "Going well.",
        },
        expect(ok=["other_member", "other_admin"], others=REFUSE),
        why="A member marks that their coalition adopts a practice another coalition shared.",
    ),
    Write(
        "withdraw adoption", "practices:adoption_withdraw", lambda w: {"pk": w.adoption.pk}, static({}),
        expect(ok=["other_member", "other_admin", "partnership_admin"], others=REFUSE),
        why="The adoption is North Texas's record: its members, or the partnership's moderators.",
    ),
    Write(
        "comment", "practices:comment", lambda w: {"slug": w.practice.slug},
        static({"body": "Which vendor did you pick?"}), expect(ok=MEMBERS, others=REFUSE),
        why="Members ask questions and answer on a practice.",
    ),
    Write(
        "comment on public practice", "practices:comment", lambda w: {"slug": w.public_practice.slug},
        static({"body": "Which vendor did you pick?"}), expect(ok=MEMBERS, others=REFUSE),
        why="An outsider may read a public practice but is not a member who discusses it.",
    ),
    Write(
        "comment on draft", "practices:comment", lambda w: {"slug": w.draft.slug},
        static({"body": "Which vendor did you pick?"}), expect(others=REFUSE),
        why="A draft is not shared yet: nobody discusses it.",
    ),
    Write(
        "edit comment", "practices:comment_edit", lambda w: {"pk": w.comment.pk},
        static({"body": "Which vendor did you pick, and why?"}),
        expect(ok=["other_member", "coalition_admin", "partnership_admin"], others=REFUSE),
        why="The author of a comment and admins (of the practice's coalition, and the partnership's).",
    ),
    Write(
        "delete comment", "practices:comment_delete", lambda w: {"pk": w.comment.pk}, static({}),
        expect(ok=["other_member", "coalition_admin", "partnership_admin"], others=REFUSE),
    ),
    Write(
        "report practice", "practices:report", lambda w: {"slug": w.practice.slug},
        static({"reason": "misleading", "details": "Numbers look off."}), expect(ok=MEMBERS, others=REFUSE),
        why="Any member can report a practice or comment.",
    ),
    Write(
        "report comment", "practices:report_comment", lambda w: {"pk": w.comment.pk},
        static({"reason": "spam", "details": ""}), expect(ok=MEMBERS, others=REFUSE),
    ),
    Write(
        "resolve report", "practices:moderation_resolve", lambda w: {"pk": w.report.pk},
        static({"action": "hide"}), expect(ok=["partnership_admin"]),
        why="Partnership admins see the queue and hide, restore or dismiss.",
    ),
    Write(
        "hide comment from its page", "practices:moderation_hide",
        lambda w: {"kind": "comment", "pk": w.comment.pk}, static({}), expect(ok=["partnership_admin"]),
        why="Partnership admins moderate everything: hide, restore or dismiss.",
    ),
    Write(
        "restore hidden comment", "practices:moderation_restore",
        lambda w: {"kind": "comment", "pk": w.hidden_comment.pk}, static({}), expect(ok=["partnership_admin"]),
    ),
    Write(
        "add focus area", "practices:focus_area_create", lambda w: {},
        static({"name": "Public safety", "slug": "public-safety", "description": "Police, fire and EMS."}),
        expect(ok=["partnership_admin"]), why="Partnership admins add focus areas.",
    ),
    Write(
        "edit focus area", "practices:focus_area_edit", lambda w: {"slug": w.cybersecurity.slug},
        static({"name": "Cybersecurity", "slug": "cybersecurity", "description": "Keeping city systems safe."}),
        expect(ok=["partnership_admin"]),
    ),
    Write(
        "preview markdown", "practices:preview", lambda w: {}, static({"body": "**Bold** move"}),
        expect(ok=MEMBERS, others=REFUSE), writes=False, why="A preview while writing, for those who write.",
    ),
    # Issue 4: meetings. Colorado hosts the series and its meetings; the partnership hosts one.
    Write(
        "schedule meeting", "meetings:schedule", lambda w: {}, schedule_body,
        expect(ok=["coalition_admin", "other_admin", "partnership_admin"]),
        why="Partnership admins, and coalition admins for meetings their coalition hosts; a member cannot.",
    ),
    Write(
        "create series", "meetings:series_create", lambda w: {}, series_body(),
        expect(ok=["coalition_admin", "other_admin", "partnership_admin"]),
    ),
    Write(
        "edit series", "meetings:series_edit", lambda w: {"pk": w.series.pk},
        lambda w, persona: series_body(title="CSCA mobility call, renamed")(w, persona)
        | {"host_coalition": str(w.coalition.pk)},
        expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "edit meeting", "meetings:edit", lambda w: {"pk": w.meeting.pk}, meeting_details_body("coalition"),
        expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "edit partnership meeting", "meetings:edit", lambda w: {"pk": w.partnership_meeting.pk},
        meeting_details_body("partnership"), expect(ok=["partnership_admin"]),
        why="Coalition admins schedule and edit only what their coalition hosts.",
    ),
    Write(
        "move meeting", "meetings:move", lambda w: {"pk": w.meeting.pk}, move_body, expect(ok=ADMINS_OF_COLORADO)
    ),
    Write(
        "cancel meeting", "meetings:cancel", lambda w: {"pk": w.meeting.pk}, static({}),
        expect(ok=ADMINS_OF_COLORADO), why="A member cannot schedule, edit or cancel meetings (issue 4, done when).",
    ),
    Write(
        "cancel partnership meeting", "meetings:cancel", lambda w: {"pk": w.partnership_meeting.pk}, static({}),
        expect(ok=["partnership_admin"]),
    ),
    Write(
        "reinstate meeting", "meetings:reinstate", lambda w: {"pk": w.cancelled_meeting.pk}, static({}),
        expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "set agenda", "meetings:agenda", lambda w: {"pk": w.meeting.pk}, static(AGENDA_BODY),
        expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "post minutes", "meetings:minutes", lambda w: {"pk": w.past_meeting.pk},
        static({"minutes": "We compared curb data standards.", "recording_link": "https://rec.example.org/1"}),
        expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "rsvp", "meetings:rsvp", lambda w: {"pk": w.meeting.pk}, static({"answer": "maybe"}),
        expect(ok=MEMBERS, say=["outsider"]), why="Members RSVP; someone in no coalition is told why not.",
    ),
    Write(
        "rsvp to cancelled meeting", "meetings:rsvp", lambda w: {"pk": w.cancelled_meeting.pk},
        static({"answer": "yes"}), expect(others=SAY), why="An RSVP for a cancelled meeting: a clear message.",
    ),
    Write(
        "rsvp to past meeting", "meetings:rsvp", lambda w: {"pk": w.past_meeting.pk}, static({"answer": "yes"}),
        expect(others=SAY),
    ),
    Write(
        "reset calendar address", "meetings:calendar_reset", lambda w: {}, static({}),
        expect(ok=MEMBERS, others=REFUSE), why="The personal calendar is a member's.",
    ),
    # Issue 5: email preferences and unsubscribing (the signed token is the key, no login needed).
    Write(
        "email preferences", "notifications:preferences", lambda w: {},
        static({"digest_frequency": "monthly", "wants_reminders": "on", "reminder_leads": ["1d"], "time_zone": ""}),
        expect(ok=SIGNED_IN),
    ),
    Write(
        "one-click unsubscribe", "notifications:unsubscribe", lambda w: {"token": w.digest_token},
        static({"List-Unsubscribe": "One-Click"}), expect(ok=SIGNED_IN, anonymous=OK),
        why="RFC 8058: works without logging in.",
    ),
    Write(
        "unsubscribe with tampered token", "notifications:unsubscribe",
        lambda w: {"token": w.digest_token[:-2] + ("AA" if not w.digest_token.endswith("AA") else "BB")},
        static({"List-Unsubscribe": "One-Click"}), expect(others=BAD, anonymous=BAD),
        why="A forged or altered unsubscribe token is refused.",
    ),
    Write(
        "monthly instead", "notifications:unsubscribe_change", lambda w: {"token": w.digest_token},
        static({"action": "monthly"}), expect(ok=SIGNED_IN, anonymous=OK),
    ),
]  # fmt: skip


def refused_personas(name: str, w: World, target: dict) -> set[str]:
    """Personas that must not succeed at a POST to ``name`` aimed at ``target`` (for the sweep)."""
    refused: set[str] = set()
    for write in WRITES:
        if write.name == name and write.writes and write.target(w) == target:
            refused |= {persona for persona, outcome in write.outcomes.items() if outcome != OK}
    return refused


# --- Who may see what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Secret:
    """Text that only ``seen_by`` may find on any page (lists, search, feeds, the API, calendars…)."""

    what: str
    text: Callable[[World], str]
    seen_by: tuple[str, ...]
    except_on: tuple[str, ...] = ()  # URL names where the URL itself is the key (a calendar token)


SECRETS = [
    Secret("a draft's title", lambda w: w.draft.title, MANAGERS_OF_ALICES_PRACTICE),
    Secret("a members-only practice's title", lambda w: w.practice.title, MEMBERS),
    Secret("a comment on a practice", lambda w: w.comment.body, MEMBERS),
    # Hidden content disappears from lists, search, feeds and the API; its managers still see it.
    Secret("a hidden practice's title", lambda w: w.hidden_practice.title, MANAGERS_OF_ALICES_PRACTICE),
    Secret("a hidden comment", lambda w: w.hidden_comment.body, ("partnership_admin",)),
    Secret("a meeting's video link", lambda w: "https://meet.example.org/", MEMBERS, except_on=("meetings:feed",)),
    Secret("Alice's calendar token", lambda w: w.calendar_token.token, ("member",), except_on=("meetings:feed",)),
]


@dataclass(frozen=True)
class Read:
    """A GET that is not for everyone: who sees the page (``OK``, a 200) and how others are refused."""

    id: str
    name: str
    target: Callable[[World], dict]
    outcomes: dict[str, str] = field(hash=False)
    why: str = ""


READS: list[Read] = [
    Read(
        "members-only practice", "practices:detail", lambda w: {"slug": w.practice.slug},
        expect(ok=MEMBERS, others=REFUSE), why="Anonymous visitors see only public, published practices.",
    ),
    Read(
        "members-only attachment", "practices:attachment",
        lambda w: {"slug": w.practice.slug, "pk": w.attachment.pk}, expect(ok=MEMBERS, others=REFUSE),
        why="Downloads apply the practice's visibility (issue 3, done when: not while signed out).",
    ),
    Read(
        "draft", "practices:detail", lambda w: {"slug": w.draft.slug},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE, anonymous=REFUSE),
        why="Drafts are visible only to their author and coalition admins; a guessed URL is a 404/403.",
    ),
    Read(
        "draft in the API", "practices:api_detail", lambda w: {"slug": w.draft.slug},
        expect(others=REFUSE, anonymous=REFUSE), why="The API shows published practices only.",
    ),
    Read(
        "members-only practice in the API", "practices:api_detail", lambda w: {"slug": w.practice.slug},
        expect(ok=MEMBERS, others=REFUSE, anonymous=REFUSE),
        why="Public practices without a login, members-only ones with a session.",
    ),
    Read(
        "hidden practice", "practices:detail", lambda w: {"slug": w.hidden_practice.slug},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE, anonymous=REFUSE),
        why="Hidden content disappears for everyone but its managers and moderators.",
    ),
    Read(
        "edit form", "practices:edit", lambda w: {"slug": w.practice.slug},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Read(
        "member directory", "coalitions:directory", lambda w: {}, expect(ok=MEMBERS, others=REFUSE),
        why="The member directory is for signed-in members only.",
    ),
    Read(
        "member page", "coalitions:member", lambda w: {"user_id": w.users["member"].pk},
        expect(ok=MEMBERS, others=REFUSE),
    ),
    Read("manage coalition", "coalitions:manage", lambda w: {"slug": w.coalition.slug}, expect(ok=ADMINS_OF_COLORADO)),
    Read("moderation queue", "practices:moderation", lambda w: {}, expect(ok=["partnership_admin"])),
    Read("new focus area form", "practices:focus_area_create", lambda w: {}, expect(ok=["partnership_admin"])),
    Read(
        "failed deliveries", "notifications:failed_deliveries", lambda w: {}, expect(ok=["partnership_admin"]),
        why="A permanent failure is shown to partnership admins.",
    ),
    Read(
        "digest preview", "notifications:preview_digest", lambda w: {"user_id": w.users["member"].pk},
        expect(ok=["partnership_admin"]), why="Staff can preview the next digest of any member.",
    ),
    Read(
        "schedule form", "meetings:schedule", lambda w: {},
        expect(ok=["coalition_admin", "other_admin", "partnership_admin"]),
    ),
    Read("agenda form", "meetings:agenda", lambda w: {"pk": w.meeting.pk}, expect(ok=ADMINS_OF_COLORADO)),
    Read(
        "calendar feed", "meetings:feed", lambda w: {"token": w.calendar_token.token},
        expect(ok=SIGNED_IN, anonymous=OK), why="The secret token is the key; no session needed.",
    ),
    Read(
        "calendar feed, wrong token", "meetings:feed", lambda w: {"token": w.calendar_token.token[::-1]},
        expect(others=REFUSE, anonymous=REFUSE), why="A wrong or reset calendar token: 404/403.",
    ),
]  # fmt: skip
