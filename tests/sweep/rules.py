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


# What a confirmation page sends: removals, revocations, withdrawals, deletions and cancellations
# happen only from it (coalitions.confirm).
CONFIRMED = static({"confirmed": "yes"})


@dataclass(frozen=True)
class Write:
    id: str
    name: str
    target: Callable[[World], dict]
    body: Body
    outcomes: dict[str, str] = field(hash=False)
    writes: bool = True
    why: str = ""


def _tampered(token: str) -> str:
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


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
        "government_level": "city",
        "funding_source": "local",
        "contact": "",
        "visibility": "members",
        "action": "publish",
    }


def contract_body(w: World, persona: str) -> dict:
    today = dt.date.today()
    return {
        "lead_agency": "City of Boulder",
        "lead_agency_kind": "public",
        "vehicle": "local",
        "program": "",
        "contract_number": "RFP-2026-118",
        "supplier": "Curbside Data Co.",
        "scope": "Curb inventory and loading-zone sensors.",
        "awarded_on": (today - dt.timedelta(days=30)).isoformat(),
        "expires_on": (today + dt.timedelta(days=700)).isoformat(),
        "is_competitively_bid": "on",
        "has_cooperative_clause": "on",
        "joining": "piggyback",
        "solicitation_url": "https://boulder.example.org/rfp-2026-118.pdf",
    }


def practice_edit_body(w: World, persona: str) -> dict:
    data = {**practice_body(w, persona), "title": "Incident-response RFP template, revised", "action": "save"}
    del data["coalition"]
    return data


def call_body(w: World, persona: str) -> dict:
    return {
        "coalition": _own_coalition(w, persona),
        "title": "Revenue models for curb sensors",
        "problem": "Curb sensors cost more than parking brings in.",
        "asks": "A revenue model and a pilot offer.",
        "terms": "Shared with members.",
        "focus_areas": ["transportation"],
        "government_level": "city",
        "is_public": "on",
        "time_zone": "America/Chicago",
        "opens_at": "2030-01-04T09:00",
        "closes_at": "2030-02-01T17:00",
        "evaluation_ends_at": "2030-02-15T17:00",
        "results_at": "2030-03-01T12:00",
        "criteria_text": "Cost to the city | 3\nTime to pilot | 1",
    }


def submission_body(w: World, persona: str) -> dict:
    return {
        "name": "Vera Vendor",
        "organization": "CurbWorks Inc.",
        "email": "vera@curbworks.example",
        "summary": "Sensors paid for by a share of new revenue.",
        "description": "We install at our cost.",
        "accepted_terms": "on",
        "consents_to_be_named": "on",
        "website": "",
    }


def need_body(w: World, persona: str) -> dict:
    return {
        "coalition": _own_coalition(w, persona),
        "title": "Counting riders at bus stops without cameras",
        "problem": "Fare data misses transfers; video at stops is ruled out.",
        "affected": "Riders at 1,200 stops.",
        "tried": "Manual counts.",
        "focus_areas": ["transportation"],
        "government_level": "city",
        "budget": "Under $60,000",
        "timeframe": "",
        "action": "save",
    }


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
        CONFIRMED, expect(ok=["outsider"], others=REFUSE), why="Only the person who asked withdraws a request.",
    ),
    Write(
        "leave coalition", "coalitions:leave", lambda w: {"slug": w.coalition.slug}, CONFIRMED,
        expect(ok=["member"], say=["coalition_admin"], others=REFUSE),
        why="Members leave; the last admin may not (never a coalition without an admin); others are not in it.",
    ),
    Write(
        "invite by email", "coalitions:invite", lambda w: {"slug": w.coalition.slug},
        static({"email": "newcomer@example.org", "role": "member"}), expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "revoke invitation", "coalitions:revoke_invitation",
        lambda w: {"slug": w.coalition.slug, "pk": w.invitation.pk}, CONFIRMED, expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "approve join request", "coalitions:approve_request",
        lambda w: {"slug": w.coalition.slug, "pk": w.join_request.pk}, static({}), expect(ok=ADMINS_OF_COLORADO),
        why="A member of coalition A cannot approve requests of coalition B (issue 2, done when).",
    ),
    Write(
        "reject join request", "coalitions:reject_request",
        lambda w: {"slug": w.coalition.slug, "pk": w.join_request.pk}, CONFIRMED, expect(ok=ADMINS_OF_COLORADO),
    ),
    Write(
        "change role", "coalitions:change_role", lambda w: {"slug": w.coalition.slug, "pk": w.membership.pk},
        static({"role": "admin"}), expect(ok=ADMINS_OF_COLORADO),
        why="A plain member cannot make themself an admin.",
    ),
    Write(
        "remove member", "coalitions:remove_member", lambda w: {"slug": w.coalition.slug, "pk": w.membership.pk},
        CONFIRMED, expect(ok=ADMINS_OF_COLORADO),
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
        lambda w: {"slug": w.practice.slug, "pk": w.attachment.pk}, CONFIRMED,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "add contract", "practices:contract_create", lambda w: {"slug": w.practice.slug}, contract_body,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="Issue 13: a contract's owners are the practice's author and its coalition's admins (and the "
        "partnership's admins).",
    ),
    Write(
        "edit contract", "practices:contract_edit", lambda w: {"slug": w.practice.slug, "pk": w.contract.pk},
        contract_body, expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="Only the owners edit a contract (issue 13).",
    ),
    Write(
        "delete contract", "practices:contract_delete", lambda w: {"slug": w.practice.slug, "pk": w.contract.pk},
        CONFIRMED, expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="Only the owners delete a contract, from its confirmation page.",
    ),
    Write(
        "record adoption", "practices:adopt", lambda w: {"slug": w.practice.slug},
        lambda w, persona: {
            # "adopted": North Texas's record is already there, and stages only move forward.
            "coalition": _own_coalition(w, persona), "stage": "adopted", "notes": "Scoped to two districts.",
            "outcome": "Going well.", "jurisdiction": "City of Plano", "outcome_rfp-weeks-saved": "6",
        },
        expect(ok=["other_member", "other_admin"], others=REFUSE),
        why="A member marks that their coalition adopts a practice another coalition shared.",
    ),
    Write(
        "withdraw adoption", "practices:adoption_withdraw", lambda w: {"pk": w.adoption.pk}, CONFIRMED,
        expect(ok=["other_member", "other_admin", "partnership_admin"], others=REFUSE),
        why="The adoption is North Texas's record: its members, or the partnership's moderators.",
    ),
    # Issue 13: adoption stories. Only the adopting coalition's admins vouch for its adoption.
    Write(
        "confirm adoption", "practices:adoption_confirm", lambda w: {"pk": w.adoption.pk}, CONFIRMED,
        expect(ok=["other_admin", "partnership_admin"]),
        why="North Texas's admins (and partnership admins) confirm North Texas's adoption; its members only claim.",
    ),
    Write(
        "confirm adoption by emailed link", "practices:adoption_confirm_link",
        lambda w: {"token": w.adoption_confirm_token}, CONFIRMED, expect(ok=["other_admin", "partnership_admin"]),
        why="The yearly email's signed link opens the same question for a signed-in admin of North Texas.",
    ),
    Write(
        "confirm adoption with tampered link", "practices:adoption_confirm_link",
        # Not ``CONFIRMED`` itself: no persona gets the confirmation page, so test_confirmations has none to ask.
        lambda w: {"token": _tampered(w.adoption_confirm_token)},
        static({"confirmed": "yes"}), expect(others=BAD),
        why="A forged or altered confirmation link is refused.",
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
        "delete comment", "practices:comment_delete", lambda w: {"pk": w.comment.pk}, CONFIRMED,
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
    # Issue 14: shared needs. Alice posted ``need`` for Colorado; Charlie co-signed ``cosigned_need`` for North Texas.
    Write(
        "post a need", "calls:need_create", lambda w: {}, need_body, expect(ok=MEMBERS, others=REFUSE),
        why="Needs are partnership-internal: a member of any coalition posts one for their coalition.",
    ),
    Write(
        "edit need", "calls:need_edit", lambda w: {"pk": w.need.pk},
        lambda w, persona: {k: v for k, v in need_body(w, persona).items() if k != "coalition"},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="The poster, the posting coalition's admins and partnership admins edit a need.",
    ),
    Write(
        "co-sign need", "calls:need_cosign", lambda w: {"pk": w.need.pk},
        lambda w, persona: {"coalition": _own_coalition(w, persona), "context": "Plano: the same at 300 stops."},
        expect(ok=["other_member", "other_admin"], say=["member", "coalition_admin", "partnership_admin"],
               others=REFUSE),
        why="Members of other coalitions co-sign; the posting coalition and someone in no coalition are told why not.",
    ),
    Write(
        "co-sign need a second time", "calls:need_cosign", lambda w: {"pk": w.cosigned_need.pk},
        lambda w, persona: {"coalition": _own_coalition(w, persona), "context": "Again."},
        expect(say=["member", "coalition_admin", "partnership_admin", "other_member", "other_admin"], others=REFUSE),
        why="One co-signature per coalition: North Texas already signed, a second is refused with a message.",
    ),
    Write(
        "withdraw co-signature", "calls:signature_withdraw", lambda w: {"pk": w.signature.pk}, CONFIRMED,
        expect(ok=["other_member", "other_admin", "partnership_admin"], others=REFUSE),
        why="The member who co-signed, their coalition's admins, and partnership admins.",
    ),
    Write(
        "withdraw need", "calls:need_withdraw", lambda w: {"pk": w.need.pk}, CONFIRMED,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="The poster, the posting coalition's admins and partnership admins close a need.",
    ),
    Write(
        "close need as met", "calls:need_met", lambda w: {"pk": w.need.pk},
        lambda w, persona: {"practice": w.public_practice.slug},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "make a working group of a shared need", "calls:need_meeting", lambda w: {"pk": w.shared_need.pk},
        lambda w, persona: {**schedule_body(w, persona), "title": "Working group: heat alerts", "host_coalition": ""},
        expect(ok=["partnership_admin"], others=REFUSE),
        why="Partnership admins turn a shared need into a one-off meeting with its co-signers named.",
    ),
    Write(
        "make a working group of a need nobody shares", "calls:need_meeting", lambda w: {"pk": w.need.pk},
        lambda w, persona: {**schedule_body(w, persona), "title": "Working group", "host_coalition": ""},
        expect(say=["partnership_admin"], others=REFUSE),
        why="Only a shared need (two or more other coalitions co-signed) becomes a working group.",
    ),
    # Issue 14: calls for solutions. Alice published ``call`` (public, open) and ``members_call`` (partnership
    # only) for Colorado; an outside vendor's verified ``submission`` answers ``call``; Charlie evaluates it.
    Write(
        "publish a call", "calls:call_create", lambda w: {}, call_body, expect(ok=MEMBERS, others=REFUSE),
        why="A member publishes a call for their coalition (a member city through its coalition).",
    ),
    Write(
        "edit call", "calls:call_edit", lambda w: {"pk": w.call.pk},
        lambda w, persona: {k: v for k, v in call_body(w, persona).items() if k != "coalition"},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="The call's owners: the member who created it, its coalition's admins, partnership admins.",
    ),
    Write(
        "submit to a public call", "calls:submission_create", lambda w: {"pk": w.call.pk}, submission_body,
        expect(ok=SIGNED_IN, anonymous=OK), why="Public calls take submissions from anyone, no account needed.",
    ),
    Write(
        "submit to a partnership-only call", "calls:submission_create", lambda w: {"pk": w.members_call.pk},
        submission_body, expect(ok=MEMBERS, others=REFUSE),
        why="Partnership-only calls are answered by members only; a visitor is asked to sign in.",
    ),
    Write(
        "edit a submission by its signed link", "calls:submission_edit", lambda w: {"token": w.edit_token},
        lambda w, persona: {**submission_body(w, persona), "summary": "A new summary."},
        expect(ok=SIGNED_IN, anonymous=OK), why="The signed link is the key: the submitter has no account.",
    ),
    Write(
        "edit a submission by a tampered link", "calls:submission_edit",
        lambda w: {"token": _tampered(w.edit_token)}, submission_body, expect(bad=SIGNED_IN, anonymous=BAD),
    ),
    Write(
        "verify a verified submission again", "calls:submission_verify", lambda w: {"token": w.verify_token},
        static({}), expect(ok=SIGNED_IN, anonymous=OK), writes=False, why="A second click changes nothing.",
    ),
    Write(
        "remove a call's document", "calls:call_file_remove",
        lambda w: {"pk": w.call.pk, "file_pk": w.call_file.pk}, CONFIRMED,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "invite evaluator", "calls:evaluator_add", lambda w: {"pk": w.call.pk},
        lambda w, persona: {"email": w.users["coalition_admin"].email},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "remove evaluator", "calls:evaluator_remove",
        lambda w: {"pk": w.call.pk, "evaluator_pk": w.removable_evaluator.pk}, CONFIRMED,
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "score a submission", "calls:submission_detail",
        lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk},
        lambda w, persona: {f"criterion_{c.pk}": "4" for c in w.call.criteria.all()},
        expect(ok=["other_member"], others=REFUSE),
        why="Only invited evaluators score; owners see the ranking, nobody else sees a submission.",
    ),
    Write(
        "set a submission's status", "calls:submission_status",
        lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk}, static({"status": "shortlisted"}),
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "send decisions while submissions are open", "calls:decisions_send", lambda w: {"pk": w.call.pk},
        static({"confirmed": "yes"}), expect(say=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="Decisions go out after submissions close.",
    ),
    Write(
        "close a call while submissions are open", "calls:call_close", lambda w: {"pk": w.call.pk},
        static({"confirmed": "yes"}), expect(say=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="A call closes (publishing its results) after submissions close.",
    ),
    Write(
        "send decisions after submissions closed", "calls:decisions_send", lambda w: {"pk": w.closed_call.pk},
        CONFIRMED, expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Write(
        "close a call after submissions closed", "calls:call_close", lambda w: {"pk": w.closed_call.pk},
        CONFIRMED, expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
        why="Closing publishes the results as a practice.",
    ),
    Write(
        "close need as met by a call", "calls:need_met_by_call", lambda w: {"pk": w.need.pk},
        lambda w, persona: {"confirmed": "yes", "call": str(w.call.pk)},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
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
        "cancel meeting", "meetings:cancel", lambda w: {"pk": w.meeting.pk}, CONFIRMED,
        expect(ok=ADMINS_OF_COLORADO), why="A member cannot schedule, edit or cancel meetings (issue 4, done when).",
    ),
    Write(
        "cancel partnership meeting", "meetings:cancel", lambda w: {"pk": w.partnership_meeting.pk}, CONFIRMED,
        expect(ok=["partnership_admin"]),
    ),
    Write(
        "reinstate meeting", "meetings:reinstate", lambda w: {"pk": w.cancelled_meeting.pk}, CONFIRMED,
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
    # Issue 11: the home page's one-click answer follows the meeting page's rules.
    Write(
        "rsvp from home", "home_rsvp", lambda w: {"pk": w.meeting.pk}, static({"answer": "yes"}),
        expect(ok=MEMBERS, say=["outsider"]), why="The home page's RSVP: members answer, outsiders are told why not.",
    ),
    Write(
        "rsvp from home to cancelled meeting", "home_rsvp", lambda w: {"pk": w.cancelled_meeting.pk},
        static({"answer": "yes"}), expect(others=SAY),
    ),
    Write(
        "reset calendar address", "meetings:calendar_reset", lambda w: {}, CONFIRMED,
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
    Secret("a need's title", lambda w: w.need.title, MEMBERS),
    Secret(
        "a submission's summary",
        lambda w: w.submission.summary,
        (*MANAGERS_OF_ALICES_PRACTICE, "other_member"),
        except_on=("calls:submission_edit",),
    ),
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
        "needs", "calls:need_list", lambda w: {}, expect(ok=MEMBERS, others=REFUSE),
        why="Needs are partnership-internal (problems and budgets before any vendor hears of them).",
    ),
    Read("need", "calls:need_detail", lambda w: {"pk": w.need.pk}, expect(ok=MEMBERS, others=REFUSE)),
    Read(
        "need in the API", "calls:api_need_detail", lambda w: {"pk": w.need.pk},
        expect(ok=MEMBERS, others=REFUSE, anonymous=REFUSE), why="The API's needs: a member's session only.",
    ),
    Read(
        "need edit form", "calls:need_edit", lambda w: {"pk": w.need.pk},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Read(
        "partnership-only call", "calls:call_detail", lambda w: {"pk": w.members_call.pk},
        expect(ok=MEMBERS, others=REFUSE), why="Partnership-only calls need a signed-in member.",
    ),
    Read(
        "partnership-only call's file", "calls:call_file",
        lambda w: {"pk": w.members_call.pk, "file_pk": w.members_call_file.pk}, expect(ok=MEMBERS, others=REFUSE),
    ),
    Read(
        "partnership-only call in the API", "calls:api_call_detail", lambda w: {"pk": w.members_call.pk},
        expect(ok=MEMBERS, others=REFUSE, anonymous=REFUSE),
    ),
    Read(
        "call's ranking", "calls:evaluation", lambda w: {"pk": w.call.pk},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE), why="Scores and ranks are for the owners only.",
    ),
    Read(
        "call's CSV export", "calls:evaluation_csv", lambda w: {"pk": w.call.pk},
        expect(ok=MANAGERS_OF_ALICES_PRACTICE, others=REFUSE),
    ),
    Read(
        "call's submissions", "calls:submission_list", lambda w: {"pk": w.call.pk},
        expect(ok=(*MANAGERS_OF_ALICES_PRACTICE, "other_member"), others=REFUSE),
        why="Owners and invited evaluators (Charlie) only.",
    ),
    Read(
        "a submission", "calls:submission_detail", lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk},
        expect(ok=(*MANAGERS_OF_ALICES_PRACTICE, "other_member"), others=REFUSE),
    ),
    Read(
        "a submission's file", "calls:submission_file",
        lambda w: {"pk": w.call.pk, "submission_pk": w.submission.pk, "file_pk": w.submission_file.pk},
        expect(ok=(*MANAGERS_OF_ALICES_PRACTICE, "other_member"), others=REFUSE),
    ),
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
        "members-only adoption evidence", "practices:adoption_file",
        lambda w: {"slug": w.practice.slug, "pk": w.adoption_file.pk}, expect(ok=MEMBERS, others=REFUSE),
        why="An adoption's evidence files are served as its practice's attachments are (issue 13).",
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
    Read(
        "funders' summary", "insights:summary", lambda w: {}, expect(ok=["partnership_admin"]),
        why="The printable summary for funders is for the partnership's admins.",
    ),
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
