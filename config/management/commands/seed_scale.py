"""A national-scale portal in bulk: ``python manage.py seed_scale --coalitions 300 --members 50000
--practices 100000 --meetings 600`` (every size an option), for benchmarks and for trying pages at scale.

Benchmarks import the same generator (one generator, here):

    from config.management.commands.seed_scale import fill_practices
    report = fill_practices(100_000, seed=2026, progress=print)
    report.rare_words(max_documents=3)   # words only a few practices contain, for search timings

Text reads like the portal's: titles such as "Curb management: pilot in City of Tempe", summaries and
Markdown bodies built from sentence templates about each focus area's topics, with numbers, departments,
outcomes and a long tail of proper names (vendors, programs, neighborhoods) drawn from a Zipf law, so a
few words are in most practices and most names in one or two, as in a real catalogue.

Around the practices: coalitions, members (user, profile, membership with a join date spread over five
years), adoptions and comments with Markdown notes, attachments' metadata (no stored files), and meetings
with agenda items linking practices and RSVPs from members.

Rows go in with ``bulk_create`` in batches, with every stored HTML column rendered as ``save()`` renders
it; then each batch's derived columns are written by the services' own functions
(``practices.services.update_search_vectors`` for the search vector or FTS rows,
``refresh_practice_counters`` for the adoption and comment counts), so they are exactly what a member's
clicks make. Embeddings are the discovery module's: ``--embeddings`` makes them here in bulk (slow: see
the README), otherwise ``rebuild_discovery_index --missing`` makes them later.
"""

import random
import string
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module
from itertools import accumulate

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

# --- What practices are about ----------------------------------------------------------------------

TOPICS = {
    "connectivity": [
        "broadband mapping",
        "public Wi-Fi",
        "digital navigators",
        "fiber to the home",
        "small cell permits",
        "dig once conduit",
        "open-access fiber",
        "hotspot lending",
        "device refurbishment",
        "CBRS private LTE",
        "digital equity planning",
        "low-cost internet enrollment",
        "fixed wireless",
        "pole attachments",
        "middle-mile fiber",
        "tower leasing",
        "LoRaWAN gateways",
        "speed test campaigns",
        "library Wi-Fi",
        "public housing internet",
    ],
    "cybersecurity": [
        "incident response",
        "ransomware recovery",
        "immutable backups",
        "multi-factor authentication",
        "phishing simulations",
        "tabletop exercises",
        "endpoint detection",
        "cyber insurance",
        "vendor risk reviews",
        "security operations",
        "SCADA segmentation",
        "election security",
        ".gov migration",
        "vulnerability disclosure",
        "DMARC enforcement",
        "penetration testing",
        "privileged access",
        "surveillance oversight",
        "security awareness",
        "IoT device security",
    ],
    "sustainability": [
        "heat sensors",
        "fleet electrification",
        "EV charging",
        "smart water meters",
        "LED streetlights",
        "building benchmarking",
        "air quality monitoring",
        "flood sensors",
        "solar power purchase",
        "waste bin sensors",
        "tree canopy mapping",
        "greenhouse gas inventory",
        "food waste diversion",
        "green bonds",
        "cool pavement",
        "energy management systems",
        "smart irrigation",
        "microgrids",
        "water loss audits",
        "cooling centers",
    ],
    "transportation": [
        "parking occupancy",
        "curb management",
        "transit signal priority",
        "Vision Zero",
        "e-scooter permits",
        "mobility data sharing",
        "autonomous shuttles",
        "adaptive signals",
        "speed cameras",
        "microtransit",
        "parking pricing",
        "first and last mile",
        "probe data",
        "near-miss analytics",
        "snowplow tracking",
        "pavement condition",
        "fare capping",
        "bike share",
        "curb inventory",
        "emergency vehicle preemption",
    ],
}
KINDS = {  # slug -> (weight, how titles of that kind read)
    "case-study": (30, ["{topic} in {place}", "How {place} rolled out {topic}", "{topic}: what we learned"]),
    "rfp-template": (12, ["{topic} RFP template", "Scope of work for {topic}", "Procuring {topic}"]),
    "revenue-model": (10, ["Paying for {topic}", "{topic} funded by {funding}", "A revenue model for {topic}"]),
    "call-for-solutions": (8, ["Call for solutions: {topic}", "{topic} challenge results"]),
    "policy": (12, ["{topic} policy", "{topic} ordinance for {place}", "Rules for {topic}"]),
    "vendor-evaluation": (10, ["{topic} vendors compared", "Evaluating {topic} products", "{vendor} for {topic}"]),
    "playbook": (18, ["{topic} playbook", "A step-by-step guide to {topic}", "Starting {topic} in a small city"]),
}
PLACES = [
    "City of Tempe",
    "City of Mesa",
    "City of Chandler",
    "City of Scottsdale",
    "City of Tucson",
    "City of Flagstaff",
    "Maricopa County",
    "City and County of Denver",
    "City of Boulder",
    "City of Aurora",
    "City of Fort Collins",
    "City of Longmont",
    "City of Arvada",
    "Larimer County",
    "Weld County",
    "City of Dallas",
    "City of Fort Worth",
    "City of Arlington",
    "City of Plano",
    "City of Frisco",
    "City of Denton",
    "City of Irving",
    "City of Garland",
    "City of McKinney",
    "Tarrant County",
    "City of Kansas City, Missouri",
    "City of Overland Park",
    "City of Olathe",
    "City of Independence",
    "City of Lee's Summit",
    "Johnson County",
    "Jackson County",
    "City of Tampa",
    "City of Orlando",
    "City of Gainesville",
    "City of St. Petersburg",
    "City of Tallahassee",
    "City of Jacksonville",
    "Miami-Dade County",
    "Pinellas County",
    "Alachua County",
    "City of Chicago",
    "City of Evanston",
    "City of Naperville",
    "City of Peoria",
    "City of Champaign",
    "City of Rockford",
    "City of Springfield",
    "Cook County",
    "Village of Oak Park",
]
DEPARTMENTS = [
    "IT",
    "Public Works",
    "Transportation",
    "Finance",
    "Legal",
    "the Office of Innovation",
    "Parks",
    "Libraries",
    "Police",
    "Fire",
    "the Water Utility",
    "Sustainability",
    "Procurement",
    "Planning",
    "Economic Development",
]
PEOPLE = ["residents", "council", "small businesses", "students", "seniors", "drivers", "riders", "crews", "vendors"]
FUNDING = ["federal grants", "a state grant", "energy savings", "a public-private partnership", "user fees", "bonds"]
OUTCOMES = [
    "cut costs by {pct}%",
    "saved {n} staff hours a year",
    "reached {n} households",
    "halved response times",
    "cut complaints by {pct}%",
    "paid for itself in {years} years",
    "covered {pct}% of the city",
    "raised ${n},000 a year",
    "doubled participation",
    "found {n} problems we did not know about",
]
SUMMARIES = [
    "{place} {verb} {topic} with {dept} and {vendor}. In {years} years it {outcome}.",
    "How {dept} in {place} {verb} {topic} for {people}, what it cost, and what we would change.",
    "A {kind_word} for {topic}: scope, budget, and the lessons from {n} sites in {place}.",
    "{people} asked for {topic}. We {verb} it across {n} sites with {funding} and it {outcome}.",
]
SENTENCES = [
    "We {verb} {topic} at {n} sites with {dept}.",
    "{vendor} supplied the platform; {dept} ran the {program} program day to day.",
    "The pilot {outcome} within {years} years, measured against the {program} baseline.",
    "{people} were consulted in {n} sessions before the council vote.",
    "Funding came from {funding}, with a local match from {dept}.",
    "Our biggest mistake was underestimating {topic} maintenance; budget {pct}% more than you think.",
    "Data from {topic} now feeds the {program} dashboard, updated every {n} minutes.",
    "Legal review of the {vendor} contract took {n} weeks longer than planned.",
    "Neighbors in {neighborhood} saw the first results; {people} asked for more.",
    "We compared {vendor}, {vendor2} and an in-house option before choosing.",
    "Next year we extend {topic} to {neighborhood} and {neighborhood2}.",
    "Ask {dept} in {place} for the {program} scoring sheet; it is attached here.",
]
VERBS = ["rolled out", "piloted", "procured", "scaled", "tested", "launched", "replaced", "funded"]
KIND_WORDS = ["template", "guide", "policy", "comparison", "case study", "funding model"]

# Proper names in the long tail: vendors, programs, neighborhoods. Syllables make them readable.
ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr", "qu", "r",
          "s", "sh", "st", "t", "tr", "v", "w", "z"]  # fmt: skip
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "ay"]
CODAS = ["", "", "n", "r", "l", "x", "th", "nd", "m", "ck", "sk"]
VENDOR_SUFFIXES = ["Systems", "Networks", "Labs", "Analytics", "Technologies", "Group", "Mobility", "Energy"]
NEIGHBORHOOD_SUFFIXES = ["Heights", "Park", "Hills", "Crossing", "Flats", "Ridge", "Gardens"]

# A ranked list of this many names, drawn by a Zipf law: the first few are everywhere, most are rare.
NAME_COUNT = 60_000
ZIPF_EXPONENT = 1.1


def make_names(rng: random.Random, count: int = NAME_COUNT) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        syllables = rng.choice((2, 2, 3))
        name = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))
        if name not in seen and 5 <= len(name) <= 14:
            seen.add(name)
            names.append(name.capitalize())
    return names


class TextGenerator:
    """Deterministic practice text for a seed: the same seed, the same catalogue."""

    def __init__(self, seed: int = 2026):
        self.rng = random.Random(seed)
        self.names = make_names(random.Random(seed + 1))
        self._cum_weights = list(accumulate(1 / (rank**ZIPF_EXPONENT) for rank in range(1, len(self.names) + 1)))
        self.name_documents: Counter = Counter()  # name -> practices containing it (lowercase)
        self._kinds = list(KINDS)
        self._kind_weights = [KINDS[k][0] for k in self._kinds]

    def name(self) -> str:
        r = self.rng.random() * self._cum_weights[-1]
        return self.names[bisect_left(self._cum_weights, r)]

    def fill(self, template: str, *, areas: list[str] | None = None, topic: str = "", used: set | None = None) -> str:
        """One sentence from ``template``: a topic of ``areas`` (mostly ``topic``), places, departments, numbers,
        and long-tail names (each added to ``used``, lowercase)."""
        rng = self.rng
        areas = areas or [rng.choice(list(TOPICS))]
        topic = topic or rng.choice(TOPICS[areas[0]])

        def name() -> str:
            n = self.name()
            if used is not None:
                used.add(n.lower())
            return n

        values = {
            "place": rng.choice(PLACES),
            "topic": topic if rng.random() < 0.7 else rng.choice(TOPICS[rng.choice(areas)]),
            "dept": rng.choice(DEPARTMENTS),
            "people": rng.choice(PEOPLE),
            "funding": rng.choice(FUNDING),
            "verb": rng.choice(VERBS),
            "kind_word": rng.choice(KIND_WORDS),
            "n": rng.choice((3, 4, 6, 8, 12, 14, 20, 26, 40, 120, 300, 1200)),
            "pct": rng.randint(5, 70),
            "years": rng.randint(2, 6),
        }
        if "{outcome}" in template:
            values["outcome"] = rng.choice(OUTCOMES).format(**values)
        for slot, make in (
            ("vendor", lambda: f"{name()} {rng.choice(VENDOR_SUFFIXES)}"),
            ("vendor2", lambda: f"{name()} {rng.choice(VENDOR_SUFFIXES)}"),
            ("program", lambda: name()),
            ("neighborhood", lambda: f"{name()} {rng.choice(NEIGHBORHOOD_SUFFIXES)}"),
            ("neighborhood2", lambda: f"{name()} {rng.choice(NEIGHBORHOOD_SUFFIXES)}"),
        ):
            if "{" + slot + "}" in template:
                values[slot] = make()
        text = template.format(**values)
        return text[:1].upper() + text[1:]

    def practice(self) -> dict:
        """One practice's fields: title, summary, body, kind and focus-area slugs, tags, and the rest."""
        rng = self.rng
        areas = rng.sample(list(TOPICS), rng.choice((1, 1, 1, 2)))
        topic = rng.choice(TOPICS[areas[0]])
        kind = rng.choices(self._kinds, self._kind_weights)[0]
        used: set[str] = set()

        def fill(template: str) -> str:
            return self.fill(template, areas=areas, topic=topic, used=used)

        title = fill(rng.choice(KINDS[kind][1]))[:200]
        summary = fill(rng.choice(SUMMARIES))
        sections = []
        for heading in ("Background", "What we did", "Results"):
            sentences = " ".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4)))
            sections.append(f"## {heading}\n\n{sentences}")
        tags = {t.lower() for t in rng.sample(TOPICS[areas[0]], 2)}
        if rng.random() < 0.3:
            tag = self.name().lower()
            used.add(tag)
            tags.add(tag)
        self.name_documents.update(used)
        return {
            "title": title,
            "summary": summary,
            "body": "\n\n".join(sections),
            "kind": kind,
            "focus_areas": areas,
            "tags": sorted(tags),
            "jurisdiction": rng.choice(PLACES),
            "maturity": rng.choice(("idea", "pilot", "pilot", "production", "production", "scaled")),
            "funding_source": rng.choice(("federal", "state", "local", "local", "ppp", "philanthropy", "")),
            "visibility": rng.choice(("public", "public", "members")),
        }


# --- Into the database ------------------------------------------------------------------------------

COMMENT_LINES = [
    "How long did procurement take for {topic}?",
    "We are scoping {topic} in {place}; could you share the **scoring sheet**?",
    "Thanks, this saved us weeks. Did {dept} need extra staff?",
    "What did {vendor} charge per site after the first year?",
    "We tried {topic} too and {outcome}. Happy to compare notes.",
    "Did residents push back on {topic}? Our council is asking.",
]
ADOPTION_NOTES = [
    "We changed the scope to fit {place} and ran it with {dept}.",
    "Piloting in {n} sites first; {vendor} is our partner.",
    "Same model, funded by {funding} instead.",
    "",
]
ADOPTION_STAGE_WEIGHTS = {"exploring": 3, "piloting": 3, "adopted": 5, "stopped": 1}
STOPPED_REASONS = [
    "The pilot in {place} ended when {funding} ran out.",
    "{vendor} could not support our older systems; we went back to the old process.",
    "Council moved {topic} to next year's budget.",
]
FILE_KINDS = [
    ("pdf", "application/pdf"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("png", "image/png"),
]
FIRST_NAMES = ["Ana", "Ben", "Carla", "Dev", "Elena", "Femi", "Grace", "Hiro", "Ines", "Jamal", "Kai", "Lena", "Marco",
               "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Victor", "Wen", "Yara"]  # fmt: skip
LAST_NAMES = ["Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Johnson", "Khan",
              "Lopez", "Morris", "Nguyen", "Okafor", "Patel", "Reyes", "Singh", "Torres", "Walker"]  # fmt: skip
JOB_TITLES = ["CIO", "Smart city lead", "GIS analyst", "Procurement officer", "Sustainability manager",
              "Traffic engineer", "CISO", "Innovation fellow", "Broadband coordinator", "Budget analyst"]  # fmt: skip
STATES = ["AZ", "CO", "TX", "MO", "KS", "FL", "IL", "WA", "OR", "GA", "NC", "OH", "MI", "MN", "NY", "CA"]
ZONES = ["America/Phoenix", "America/Denver", "America/Chicago", "America/New_York", "America/Los_Angeles"]


@dataclass
class FillReport:
    practice_ids: list[int] = field(default_factory=list)
    name_documents: Counter = field(default_factory=Counter)
    member: object = None  # a member of the first coalition: sees every published practice

    def rare_words(self, *, max_documents: int = 3, count: int = 20) -> list[str]:
        """Names found in at least one and at most ``max_documents`` practices, for rare-word searches."""
        rare = [word for word, n in self.name_documents.items() if n <= max_documents]
        return sorted(rare)[:count]


def _unique_slug(name: str, taken: set[str]) -> str:
    """taggit's slug for a new tag: the name slugified, with ``-2``, ``-3``… when already taken."""
    base = slugify(name)[:90] or "tag"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _assign_pks(model, objects, key: str) -> list:
    """bulk_create sets primary keys on PostgreSQL and SQLite; on a backend that does not, look them up."""
    if objects and objects[0].pk is None:
        by_key = dict(model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in objects]}).values_list(key, "pk"))
        for o in objects:
            o.pk = by_key[getattr(o, key)]
    return objects


def ensure_coalitions(count: int = 6):
    """``count`` coalitions (existing ones first) and one member each to write their practices."""
    from coalitions.models import Coalition, Membership, Profile

    coalitions = list(Coalition.objects.order_by("pk")[:count])
    rng = random.Random(count)
    new = [
        Coalition(
            name=f"Regional Coalition {i + 1}",
            slug=f"regional-{i + 1}",
            short_name=f"RC{i + 1}",
            region=rng.choice(STATES),
        )
        for i in range(len(coalitions), count)
    ]
    coalitions += _assign_pks(Coalition, Coalition.objects.bulk_create(new), "slug")
    User = get_user_model()
    emails = {c.pk: f"scale-{c.slug}@example.org" for c in coalitions}
    existing = dict(User.objects.filter(email__in=emails.values()).values_list("email", "pk"))
    missing = [e for e in emails.values() if e not in existing]
    users = _assign_pks(
        User, User.objects.bulk_create(User(username=e, email=e, password="!") for e in missing), "username"
    )
    Profile.objects.bulk_create([Profile(user=u) for u in users], ignore_conflicts=True)
    existing.update((u.email, u.pk) for u in users)
    Membership.objects.bulk_create(
        [Membership(user_id=existing[emails[c.pk]], coalition=c) for c in coalitions], ignore_conflicts=True
    )
    authors = dict(User.objects.in_bulk([existing[emails[c.pk]] for c in coalitions]).items())
    return coalitions, {c.pk: authors[existing[emails[c.pk]]] for c in coalitions}


def fill_members(count: int, coalitions, *, seed: int = 2026, batch_size: int = 5000, bar=None) -> dict[int, list[int]]:
    """``count`` members spread over ``coalitions`` (bigger ones first, as in life), with profiles and join
    dates over five years; one in twenty is a coalition admin. Returns {coalition id: [user ids]}."""
    from coalitions.models import Membership, Profile

    User = get_user_model()
    rng = random.Random(seed + 2)
    weights = [1 / (rank**0.8) for rank in range(1, len(coalitions) + 1)]
    now = timezone.now()
    members: dict[int, list[int]] = {c.pk: [] for c in coalitions}
    token = "".join(random.Random(seed).choices(string.ascii_lowercase, k=4))
    for start in range(0, count, batch_size):
        n = min(batch_size, count - start)
        with transaction.atomic():
            users = [
                User(
                    username=f"member{start + i}-{token}@scale.example.org",
                    email=f"member{start + i}-{token}@scale.example.org",
                    password="!",  # unusable: these accounts sign in only through a test's session
                    date_joined=now - timedelta(minutes=rng.randrange(5 * 365 * 24 * 60)),
                )
                for i in range(n)
            ]
            users = _assign_pks(User, User.objects.bulk_create(users), "username")
            Profile.objects.bulk_create(
                Profile(
                    user=u,
                    full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    job_title=rng.choice(JOB_TITLES),
                    time_zone=rng.choice(ZONES) if rng.random() < 0.3 else "",
                )
                for u in users
            )
            rows = []
            for u in users:
                coalition = rng.choices(coalitions, weights)[0]
                members[coalition.pk].append(u.pk)
                role = Membership.Role.ADMIN if rng.random() < 0.05 else Membership.Role.MEMBER
                rows.append(Membership(user=u, coalition=coalition, role=role, joined=u.date_joined))
            Membership.objects.bulk_create(rows)
        if bar is not None:
            bar.update(n)
    return members


def fill_practices(
    count: int,
    *,
    seed: int = 2026,
    batch_size: int = 2000,
    coalitions: int = 6,
    members: dict[int, list[int]] | None = None,
    progress: Callable[[str], None] | None = None,
    bar=None,
) -> FillReport:
    """Create ``count`` published practices with focus areas and tags, in batches, and their search vectors
    through the services' own function. Returns their ids, the long-tail names used and a member.

    ``members``: {coalition id: user ids} to draw authors from (else each coalition's one seeded author).
    """
    from taggit.models import Tag

    from practices.models import FocusArea, FocusAreaItem, Practice, PracticeKind, TaggedPractice
    from practices.services import update_search_vectors

    # The curated focus areas and kinds (a flushed test database has lost the data migration's rows).
    import_module("practices.migrations.0004_default_focus_areas_and_kinds").create_defaults(django_apps, None)
    areas = {a.slug: a for a in FocusArea.objects.all()}
    kinds = {k.slug: k for k in PracticeKind.objects.all()}
    coalition_rows, authors = ensure_coalitions(coalitions)
    generator = TextGenerator(seed)
    rng = random.Random(seed + 3)
    tags: dict[str, int] = dict(Tag.objects.values_list("name", "pk"))
    tag_slugs: set[str] = set(Tag.objects.values_list("slug", flat=True))
    report = FillReport(member=authors[coalition_rows[0].pk])
    now = timezone.now()
    token = "".join(random.Random(seed).choices(string.ascii_lowercase, k=4))
    for start in range(0, count, batch_size):
        rows = [generator.practice() for _ in range(min(batch_size, count - start))]
        with transaction.atomic():
            new_tags = sorted({t for row in rows for t in row["tags"]} - set(tags))
            Tag.objects.bulk_create([Tag(name=t, slug=_unique_slug(t, tag_slugs)) for t in new_tags])
            tags.update(Tag.objects.filter(name__in=new_tags).values_list("name", "pk"))
            practices = []
            for i, row in enumerate(rows, start=start):
                coalition = coalition_rows[i % len(coalition_rows)]
                pool = (members or {}).get(coalition.pk)
                author_id = rng.choice(pool) if pool else authors[coalition.pk].pk
                published = now - timedelta(minutes=i * 7 % (5 * 365 * 24 * 60))
                practices.append(
                    Practice(
                        title=row["title"],
                        slug=f"{slugify(row['title'])[:190]}-{token}{i}",
                        summary=row["summary"],
                        body=row["body"],
                        kind=kinds[row["kind"]],
                        maturity=row["maturity"],
                        jurisdiction=row["jurisdiction"],
                        funding_source=row["funding_source"],
                        coalition=coalition,
                        author_id=author_id,
                        status=Practice.Status.PUBLISHED,
                        visibility=row["visibility"],
                        created=published - timedelta(days=2),
                        published_at=published,
                    )
                )
            for practice in practices:  # what save() does and bulk_create skips: the body's stored HTML
                practice.render_markdown_fields()
            practices = _assign_pks(Practice, Practice.objects.bulk_create(practices), "slug")
            FocusAreaItem.objects.bulk_create(
                FocusAreaItem(content_object_id=p.pk, tag=areas[slug])
                for p, row in zip(practices, rows, strict=True)
                for slug in row["focus_areas"]
            )
            TaggedPractice.objects.bulk_create(
                TaggedPractice(content_object_id=p.pk, tag_id=tags[t])
                for p, row in zip(practices, rows, strict=True)
                for t in row["tags"]
            )
            ids = [p.pk for p in practices]
            # The same function a member's save runs: the search vector (and whatever else it keeps) as in production.
            update_search_vectors(practice_ids=ids)
        report.practice_ids.extend(ids)
        if progress:
            progress(f"{len(report.practice_ids):,} / {count:,} practices")
        if bar is not None:
            bar.update(len(ids))
    _analyze()
    report.name_documents = generator.name_documents
    return report


def _analyze() -> None:
    # Fresh statistics, as autovacuum would gather them before long: without them the planner guesses
    # from an empty table (a hash of every tag to update one practice's vector).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _vacuum() -> None:
    # What autovacuum does after bulk inserts, before long: statistics, and the visibility map without which
    # PostgreSQL cannot answer a list's bounded count from an index alone (a heap block read per row).
    # VACUUM cannot run in a transaction (a test's); ANALYZE alone then.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


def fill_activity(
    practice_ids: list[int],
    members: dict[int, list[int]],
    *,
    seed: int = 2026,
    batch_size: int = 2000,
    bar=None,
) -> dict[str, int]:
    """Adoptions (most practices none, a few many), comments and attachments' metadata for these practices,
    then their stored counts through ``refresh_practice_counters``. Returns how many of each were made."""
    from practices.models import Adoption, Attachment, Comment, Practice
    from practices.services import refresh_practice_counters

    rng = random.Random(seed + 4)
    generator = TextGenerator(seed + 5)
    coalition_ids = [pk for pk, users in members.items() if users]
    everyone = [u for users in members.values() for u in users]
    made = Counter()
    now = timezone.now()
    for start in range(0, len(practice_ids), batch_size):
        ids = practice_ids[start : start + batch_size]
        practices = Practice.objects.filter(pk__in=ids).values_list("pk", "coalition_id", "published_at", "author_id")
        adoptions, comments, attachments = [], [], []
        for pk, coalition_id, published, author_id in practices:
            since = max((now - published).total_seconds(), 3600)

            def after_publication() -> datetime:
                return published + timedelta(seconds=rng.uniform(60, since))  # noqa: B023

            def text(templates) -> str:
                return generator.fill(rng.choice(templates))

            n_adoptions = min(int(rng.paretovariate(1.6)) - 1, 12)
            for adopter in rng.sample(coalition_ids, min(n_adoptions, len(coalition_ids))):
                if adopter == coalition_id:
                    continue
                # Most carry on; about one in twelve stopped, with its reason. Over half are confirmed
                # by their coalition's admins, the rest claimed, as the adoption stories record them.
                stage = rng.choices(
                    Adoption.Stage.values, weights=[ADOPTION_STAGE_WEIGHTS[v] for v in Adoption.Stage.values]
                )[0]
                created = after_publication()
                confirmed = rng.random() < 0.6
                adoptions.append(
                    Adoption(
                        practice_id=pk,
                        coalition_id=adopter,
                        stage=stage,
                        notes=text(ADOPTION_NOTES),
                        stopped_reason=text(STOPPED_REASONS) if stage == Adoption.Stage.STOPPED else "",
                        confirmation=Adoption.Confirmation.CONFIRMED if confirmed else Adoption.Confirmation.CLAIMED,
                        confirmed_at=created if confirmed else None,
                        created_by_id=rng.choice(members[adopter]),
                        created=created,
                    )
                )
            for _ in range(rng.choice((0, 0, 0, 1, 1, 2, 3, 5))):
                comments.append(
                    Comment(
                        practice_id=pk,
                        author_id=rng.choice(everyone),
                        body=text(COMMENT_LINES),
                        is_hidden=rng.random() < 0.02,
                        created=after_publication(),
                    )
                )
            for _ in range(rng.choice((0, 0, 1, 1, 2))):
                ext, content_type = rng.choice(FILE_KINDS)
                name = f"{generator.name()} {rng.choice(('scope', 'budget', 'results', 'contract', 'map'))}.{ext}"
                attachments.append(
                    Attachment(
                        practice_id=pk,
                        file=f"practices/{pk}/{rng.getrandbits(128):032x}.{ext}",
                        name=name,
                        content_type=content_type,
                        size=rng.randint(20_000, 8_000_000),
                        uploaded_by_id=author_id,
                        created=after_publication(),
                    )
                )
        for row in (*adoptions, *comments):
            row.render_markdown_fields()
        with transaction.atomic():
            Adoption.objects.bulk_create(adoptions)
            Comment.objects.bulk_create(comments)
            Attachment.objects.bulk_create(attachments)
            refresh_practice_counters(practice_ids=ids)
        made.update(adoptions=len(adoptions), comments=len(comments), attachments=len(attachments))
        if bar is not None:
            bar.update(len(ids))
    return dict(made)


def fill_meetings(
    count: int, coalitions, members: dict[int, list[int]], practice_ids: list[int], *, seed: int = 2026, bar=None
) -> dict[str, int]:
    """``count`` one-off meetings over three years (two past for one upcoming), hosted by coalitions, each
    with two to five agenda items presenting practices, and RSVPs from members."""
    from meetings.models import RSVP, AgendaItem, Meeting

    rng = random.Random(seed + 6)
    generator = TextGenerator(seed + 7)
    everyone = [u for users in members.values() for u in users]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    made = Counter()
    for start in range(0, count, 200):
        n = min(200, count - start)
        meetings = []
        for _ in range(n):
            host = rng.choice(coalitions)
            begins = now + timedelta(hours=rng.randint(-2 * 365 * 24, 365 * 24))
            area = rng.choice(list(TOPICS))
            meetings.append(
                Meeting(
                    title=f"{area.capitalize()} working group: {rng.choice(TOPICS[area])}",
                    description=generator.fill(rng.choice(SENTENCES)),
                    start=begins,
                    end=begins + timedelta(minutes=rng.choice((45, 60, 90))),
                    time_zone=rng.choice(ZONES),
                    video_link=f"https://meet.example.org/{rng.getrandbits(48):012x}",
                    host_coalition=host,
                    status=Meeting.Status.CANCELLED if rng.random() < 0.03 else Meeting.Status.SCHEDULED,
                    minutes=generator.fill(rng.choice(SENTENCES)) if begins < now and rng.random() < 0.6 else "",
                    created_by_id=(members.get(host.pk) or everyone)[0],
                )
            )
        for meeting in meetings:
            meeting.render_markdown_fields()
        with transaction.atomic():
            meetings = Meeting.objects.bulk_create(meetings)
            items, rsvps = [], []
            for meeting in meetings:
                for order in range(rng.randint(2, 5)):
                    practice_id = rng.choice(practice_ids) if practice_ids else None
                    items.append(
                        AgendaItem(
                            meeting=meeting,
                            order=order,
                            title=f"{rng.choice(('Presentation', 'Discussion', 'Update', 'Demo'))}: "
                            f"{rng.choice(TOPICS[rng.choice(list(TOPICS))])}",
                            duration_minutes=rng.choice((10, 15, 20, 30)),
                            presenting_coalition=rng.choice(coalitions),
                            practice_id=practice_id,
                            notes=generator.fill(rng.choice(SENTENCES)) if rng.random() < 0.5 else "",
                        )
                    )
                for user_id in rng.sample(everyone, min(len(everyone), rng.randint(5, 120))):
                    rsvps.append(RSVP(meeting=meeting, user_id=user_id, answer=rng.choice(RSVP.Answer.values)))
            for item in items:
                item.render_markdown_fields()
            AgendaItem.objects.bulk_create(items)
            RSVP.objects.bulk_create(rsvps)
        made.update(meetings=n, agenda_items=len(items), rsvps=len(rsvps))
        if bar is not None:
            bar.update(n)
    return dict(made)


def embed(practice_ids: list[int], *, batch_size: int = 64, bar=None) -> bool:
    """Meaning vectors for these practices through discovery's own bulk function; False without the model."""
    from practices import discovery
    from practices.discovery import embeddings

    if embeddings.get_model() is None:
        return False
    for start in range(0, len(practice_ids), batch_size * 8):
        chunk = practice_ids[start : start + batch_size * 8]
        discovery.embed_practices(chunk, batch_size=batch_size)
        if bar is not None:
            bar.update(len(chunk))
    return True


class Command(BaseCommand):
    help = (
        "Fill the database with a national-scale partnership (bulk inserts, derived columns as the services make them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--coalitions", type=int, default=300)
        parser.add_argument("--members", type=int, default=50_000)
        parser.add_argument("--practices", type=int, default=100_000)
        parser.add_argument("--meetings", type=int, default=600)
        parser.add_argument("--seed", type=int, default=2026, help="the same seed makes the same text")
        parser.add_argument(
            "--embeddings",
            action="store_true",
            help="also embed every new practice now (slow; otherwise run rebuild_discovery_index --missing later)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bars (logs, CI)")

    def handle(self, *args, coalitions, members, practices, meetings, seed, embeddings, no_progress, **options):
        for name, value in (("coalitions", coalitions), ("members", members), ("practices", practices)):
            if value < (1 if name == "coalitions" else 0):
                raise CommandError(f"--{name} must be at least {1 if name == 'coalitions' else 0}.")
        if meetings < 0:
            raise CommandError("--meetings must be at least 0.")
        started = time.monotonic()
        timings = {}

        def step(name, total, unit):
            return tqdm(total=total, desc=name, unit=unit, disable=no_progress or not total, file=self.stderr)

        coalition_rows, authors = ensure_coalitions(coalitions)
        with step("members", members, "member") as bar:
            t = time.monotonic()
            member_ids = fill_members(members, coalition_rows, seed=seed, bar=bar)
            timings["members"] = time.monotonic() - t
        for c in coalition_rows:  # the seeded author of each coalition writes and comments too
            member_ids[c.pk].append(authors[c.pk].pk)
        with step("practices", practices, "practice") as bar:
            t = time.monotonic()
            report = fill_practices(practices, seed=seed, coalitions=coalitions, members=member_ids, bar=bar)
            timings["practices"] = time.monotonic() - t
        with step("activity", practices, "practice") as bar:
            t = time.monotonic()
            made = fill_activity(report.practice_ids, member_ids, seed=seed, bar=bar)
            timings["adoptions, comments, files"] = time.monotonic() - t
        with step("meetings", meetings, "meeting") as bar:
            t = time.monotonic()
            made.update(fill_meetings(meetings, coalition_rows, member_ids, report.practice_ids, seed=seed, bar=bar))
            timings["meetings"] = time.monotonic() - t
        _vacuum()
        if embeddings:
            with step("embeddings", practices, "practice") as bar:
                t = time.monotonic()
                if not embed(report.practice_ids, bar=bar):
                    self.stderr.write("The meaning model could not be loaded; no vectors made.")
                timings["embeddings"] = time.monotonic() - t
        self.stdout.write(
            f"Seeded {coalitions:,} coalitions, {members:,} members, {practices:,} practices, "
            + ", ".join(f"{n:,} {what.replace('_', ' ')}" for what, n in made.items())
            + f" in {time.monotonic() - started:.0f} s ("
            + ", ".join(f"{what} {seconds:.0f} s" for what, seconds in timings.items())
            + ")."
        )
        if not embeddings and practices:
            self.stdout.write("Meaning vectors: run `python manage.py rebuild_discovery_index --missing`.")
