"""Demo practices from ``demo.toml``: about thirty, across every focus area and coalition, with
adoptions, comments and one report, each made through ``practices.services`` by the member who would
have clicked. Publication dates are then moved back with plain UPDATEs, as a year of use would have
left them.

Idempotent by natural key: practices by slug, adoptions by (practice, coalition), comments by
(practice, author, body), the report by (practice, reporter). Existing rows are left as they are.
"""

import tomllib
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from . import services
from .models import Adoption, Comment, FocusArea, Practice, PracticeKind, Report
from .tagging import normalize_tags

DATA = tomllib.loads((Path(__file__).with_name("demo.toml")).read_text(encoding="utf-8"))
PRACTICES, ADOPTIONS, COMMENTS, REPORTS = DATA["practice"], DATA["adoption"], DATA["comment"], DATA["report"]


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


def seed(*, people, stdout) -> dict[str, Practice]:
    """Create the focus areas, practices, adoptions, comments and report. Returns slug -> Practice."""
    areas, kinds = _curated_lists(people)
    now = timezone.now()
    practices = {p.slug: p for p in Practice.objects.filter(slug__in=[row["slug"] for row in PRACTICES])}
    created = 0
    for row in PRACTICES:
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

    for row in ADOPTIONS:
        practice, coalition = practices[row["practice"]], people.coalitions[row["coalition"]]
        if not Adoption.objects.filter(practice=practice, coalition=coalition).exists():
            services.record_adoption(
                practice=practice,
                coalition=coalition,
                by=people.admins[row["coalition"]],
                stage=row["stage"],
                notes=row["notes"],
                outcome=row["outcome"],
            )
    for row in COMMENTS:
        practice, author = practices[row["practice"]], _person(people, row["coalition"], row["author"])
        if not Comment.objects.filter(practice=practice, author=author, body=row["body"]).exists():
            services.add_comment(practice=practice, author=author, body=row["body"])
    for row in REPORTS:
        practice, reporter = practices[row["practice"]], _person(people, row["coalition"], row["author"])
        if not Report.objects.filter(practice=practice, reporter=reporter).exists():
            services.report_content(by=reporter, practice=practice, reason=row["reason"], details=row["details"])
    stdout.write(f"Practices: {len(practices)} ({created} new); focus areas: {len(areas)}.")
    return practices
