"""Demo practices from ``demo.toml``: about thirty, across every focus area and coalition, with
adoptions, comments and one report, each made through ``practices.services`` by the member who would
have clicked. Publication dates are then moved back with plain UPDATEs, as a year of use would have
left them.

Idempotent by natural key: practices by slug, adoptions by (practice, coalition), comments by
(practice, author, body), the report by (practice, reporter). Existing rows are left as they are.
"""

import hashlib
import tomllib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from . import contracts, pageviews, services
from .funding_programs import SEEDED_PROGRAMS
from .models import (
    Adoption,
    Comment,
    Contract,
    FocusArea,
    FundingProgram,
    OutcomeMeasure,
    Practice,
    PracticeKind,
    Report,
    Standard,
)
from .outcome_measures import DEFAULT_MEASURES
from .tagging import normalize_tags

DATA = tomllib.loads((Path(__file__).with_name("demo.toml")).read_text(encoding="utf-8"))
PRACTICES, ADOPTIONS, COMMENTS, REPORTS = DATA["practice"], DATA["adoption"], DATA["comment"], DATA["report"]
RUNNING, CONTRACTS = DATA["running"], DATA["contract"]
FUNDING_PROGRAMS = DATA["funding_programs"]
HISTORY_PRACTICES, HISTORY_ADOPTIONS = DATA["history_practice"], DATA["history_adoption"]
HISTORY_VIEWS = DATA["history_views"]
# Counted views of a month before this one: fewer the further back (the portal grew), at least a few.
HISTORY_MONTHS = 24


def _person(people, coalition_slug: str, who: str):
    """``who`` is "admin", "member1" or "member2" of that coalition, as in the demo accounts' emails."""
    if who == "admin":
        return people.admins[coalition_slug]
    return people.members[coalition_slug][int(who.removeprefix("member")) - 1]


def _curated_lists(people) -> tuple[dict, dict]:
    """The focus areas and kinds by slug. The data migration creates them; a test database flushed by a
    transactional test does not have them, so any that are missing are added as a partnership admin would."""
    for area in DATA["focus_area"]:
        if not FocusArea.objects.filter(slug=area["slug"]).exists():
            services.create_focus_area(by=people.partnership_admin, **area)
    for fields in DEFAULT_MEASURES:
        # Measures, like kinds, are edited in the Django admin only.
        OutcomeMeasure.objects.get_or_create(slug=fields["slug"], defaults=fields)
    for order, kind in enumerate(DATA["kind"]):
        # Kinds are edited in the Django admin only; there is no service to go through.
        PracticeKind.objects.get_or_create(slug=kind["slug"], defaults={**kind, "order": order * 10})
    return {a.slug: a for a in FocusArea.objects.all()}, {k.slug: k for k in PracticeKind.objects.all()}


def _create(row: dict, *, people, areas, kinds) -> Practice:
    author = _person(people, row["coalition"], row["author"])
    return services.create_practice(
        author=author,
        coalition=people.coalitions[row["coalition"]],
        publish=True,
        data={
            "title": row["title"],
            "summary": row["summary"],
            "body": row["body"].strip(),
            "kind": kinds[row["kind"]],
            "maturity": row["maturity"],
            "jurisdiction": row["jurisdiction"],
            "government_level": row["government_level"],
            "funding_source": row["funding"],
            "contact": author,
            "visibility": row["visibility"],
            "focus_areas": [areas[slug] for slug in row["focus_areas"]],
            "tags": normalize_tags(", ".join(row["tags"])),
        },
    )


def _back_date(practice: Practice, *, days_ago: int, now) -> None:
    """Written three days before publication, last updated a third of its age after it."""
    published_at = now - timedelta(days=days_ago)
    Practice.objects.filter(pk=practice.pk).update(
        created=published_at - timedelta(days=3),
        published_at=published_at,
        updated=published_at + timedelta(days=days_ago // 3),
    )


def _record_story(row: dict, *, practice, coalition, people, now) -> None:
    """One adoption story as its coalition would have told it: each step of its timeline recorded on its
    day (through ``record_adoption``, as the form does), the figures and the rest with the last step."""
    by = _person(people, row["coalition"], row.get("by", "admin"))
    measures = {m.slug: m for m in OutcomeMeasure.objects.filter(slug__in=row.get("outcomes", {}))}
    steps = row.get("steps") or [{"stage": row["stage"], "days_ago": 0}]
    for number, step in enumerate(steps, start=1):
        last = number == len(steps)
        services.record_adoption(
            practice=practice,
            coalition=coalition,
            by=by,
            stage=step["stage"],
            stopped_reason=row.get("stopped_reason", "").strip() if last else "",
            on=(now - timedelta(days=step["days_ago"])).date(),
            data={
                "notes": row["notes"].strip(),
                "outcome": row["outcome"],
                "government_level": row.get("government_level", ""),
                "jurisdiction": row.get("jurisdiction", ""),
                "reason": row.get("reason", ""),
                "evidence_links": "\n".join(row.get("evidence_links", [])),
                "contact": _person(people, row["coalition"], row["contact"]) if row.get("contact") else None,
                "started_on": (now - timedelta(days=steps[0]["days_ago"])).date(),
            },
            outcomes={measures[slug]: Decimal(str(value)) for slug, value in row.get("outcomes", {}).items()}
            if last
            else {},
        )


def seed(*, people, stdout) -> dict[str, Practice]:
    """Create the focus areas, practices, adoptions, comments and report. Returns slug -> Practice."""
    areas, kinds = _curated_lists(people)
    now = timezone.now()
    slugs = [row["slug"] for row in [*PRACTICES, *HISTORY_PRACTICES]]
    practices = {p.slug: p for p in Practice.objects.filter(slug__in=slugs)}
    created = 0
    for row in [*PRACTICES, *(_history_row(h) for h in HISTORY_PRACTICES)]:
        if row["slug"] in practices:
            continue
        practice = _create(row, people=people, areas=areas, kinds=kinds)
        # The demo's slug is its natural key; a title-made slug could differ (e.g. "311-…").
        if practice.slug != row["slug"]:
            Practice.objects.filter(pk=practice.pk).update(slug=row["slug"])
        _back_date(practice, days_ago=row["published_days_ago"], now=now)
        practice.refresh_from_db()
        practices[row["slug"]] = practice
        created += 1

    for row in [*ADOPTIONS, *(_history_story(h) for h in HISTORY_ADOPTIONS)]:
        practice, coalition = practices[row["practice"]], people.coalitions[row["coalition"]]
        if not Adoption.objects.filter(practice=practice, coalition=coalition).exists():
            _record_story(row, practice=practice, coalition=coalition, people=people, now=now)
    for row in COMMENTS:
        practice, author = practices[row["practice"]], _person(people, row["coalition"], row["author"])
        if not Comment.objects.filter(practice=practice, author=author, body=row["body"]).exists():
            services.add_comment(practice=practice, author=author, body=row["body"])
    for row in REPORTS:
        practice, reporter = practices[row["practice"]], _person(people, row["coalition"], row["author"])
        if not Report.objects.filter(practice=practice, reporter=reporter).exists():
            services.report_content(by=reporter, practice=practice, reason=row["reason"], details=row["details"])
    _seed_views(practices, now=now)
    _seed_running(practices, today=timezone.localdate())
    _seed_funding_programs(practices)
    new_contracts = _seed_contracts(practices, today=timezone.localdate())
    stdout.write(
        f"Practices: {len(practices)} ({created} new); focus areas: {len(areas)}; contracts: {new_contracts} new."
    )
    return practices


def _history_row(row: dict) -> dict:
    """A one-line history practice as a full row: its summary is its body."""
    return {**row, "body": row["summary"]}


def _history_story(row: dict) -> dict:
    """A history adoption as a story of one step, started on its day, recorded by the coalition's admin."""
    return {
        **row,
        "outcome": "",
        "steps": [{"stage": row["stage"], "days_ago": row["started_days_ago"]}],
    }


def _seed_views(practices: dict[str, Practice], *, now) -> None:
    """Page views of the last 24 months (``history_views``), added once: each practice's batch carries a
    token of its own, which ``pageviews`` claims (a second run adds nothing)."""
    this_month = now.date().replace(day=1)
    for slug, monthly in HISTORY_VIEWS.items():
        practice = practices[slug]
        counts = {}
        for back in range(HISTORY_MONTHS):
            index = this_month.year * 12 + this_month.month - 1 - back
            month = this_month.replace(year=index // 12, month=index % 12 + 1)
            if month < practice.published_at.date().replace(day=1):
                break
            # Fewer views further back, with a wobble by month so the months differ.
            views = max(3, round(monthly * (1 - back / (HISTORY_MONTHS + 6)) * (0.85 + (index * 7 % 5) / 15)))
            counts[f"{month:%Y-%m}:{slug}"] = views
        # A token of its own per practice, as long as a flush's (32 characters).
        pageviews.add_views(token="demo-" + hashlib.sha256(slug.encode()).hexdigest()[:27], counts=counts)


def _seed_running(practices: dict[str, Practice], *, today) -> None:
    """ "What it takes to run" on a few practices, set by their authors; skipped once a practice states it.
    The save's ``updated`` is put back, so the demo's "recently updated" order stays as seeded."""
    standards = {s.slug: s for s in Standard.objects.all()}
    for row in RUNNING:
        practice = practices[row["practice"]]
        if practice.maintained_by:
            continue
        updated = practice.updated
        days = row.get("maintained_for_days")
        services.update_practice(
            practice=practice,
            by=practice.author,
            data={
                "maintained_by": row["maintained_by"],
                "maintained_until": today + timedelta(days=days) if days else None,
                "dependencies": row.get("dependencies", "").strip(),
                "standards": [standards[slug] for slug in row.get("standards", []) if slug in standards],
                "software_license": row.get("software_license", ""),
                "based_on": practices[row["based_on"]] if row.get("based_on") else None,
            },
        )
        Practice.objects.filter(pk=practice.pk).update(updated=updated)


def _seed_funding_programs(practices: dict[str, Practice]) -> None:
    """The programs that paid for the demo practices, set by their authors; skipped once a practice names
    any. A program missing from a flushed test database is restored first, as its migration made it."""
    for order, (name, slug) in enumerate(SEEDED_PROGRAMS):
        FundingProgram.objects.get_or_create(slug=slug, defaults={"name": name, "order": order})
    programs = {p.slug: p for p in FundingProgram.objects.all()}
    named = set(Practice.funding_programs.through.objects.values_list("practice_id", flat=True))
    for slug, program_slugs in FUNDING_PROGRAMS.items():
        practice = practices[slug]
        if practice.pk in named:
            continue
        updated = practice.updated
        services.update_practice(
            practice=practice, by=practice.author, data={"funding_programs": [programs[s] for s in program_slugs]}
        )
        Practice.objects.filter(pk=practice.pk).update(updated=updated)


def _seed_contracts(practices: dict[str, Practice], *, today) -> int:
    """The demo's cooperative contracts, each added by its practice's author (by contract number)."""
    created = 0
    for row in CONTRACTS:
        practice = practices[row["practice"]]
        if Contract.objects.filter(practice=practice, contract_number=row["contract_number"]).exists():
            continue
        fields = {name: row[name] for name in contracts.CONTRACT_FIELDS if name in row}
        fields["scope"] = fields.get("scope", "").strip()
        fields["awarded_on"] = today - timedelta(days=row["awarded_days_ago"])
        fields["expires_on"] = today + timedelta(days=row["expires_in_days"])
        documents = {kind: contracts.DocumentChange(url=url) for kind, url in row.get("documents", {}).items()}
        contracts.add_contract(practice=practice, by=practice.author, data=fields, documents=documents)
        created += 1
    return created
