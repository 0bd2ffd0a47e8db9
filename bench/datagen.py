"""Realistic practices in bulk, for benchmarks at scale (and the seed command that will grow from it).

    from bench.datagen import fill_practices
    report = fill_practices(100_000, seed=2026, progress=print)
    report.rare_words(max_documents=3)   # words only a few practices contain, for search timings

Text reads like the portal's: titles such as "Curb management: pilot in City of Tempe", summaries and
Markdown bodies built from sentence templates about each focus area's topics, with numbers, departments,
outcomes and a long tail of proper names (vendors, programs, neighborhoods) drawn from a Zipf law, so a
few words are in most practices and most names in one or two, as in a real catalogue.

Rows go in with ``bulk_create`` in batches (tens of thousands a minute on PostgreSQL), with the body's
stored HTML rendered as ``save()`` renders it; then every batch's search vectors are written by the
services' own function (``practices.services.update_search_vectors``), so the derived columns are exactly
what a member's save makes. Embeddings are not made here: they are the discovery module's, re-made by
its own command.
"""

import random
import string
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from itertools import accumulate

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

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

    def practice(self) -> dict:
        """One practice's fields: title, summary, body, kind and focus-area slugs, tags, and the rest."""
        rng = self.rng
        areas = rng.sample(list(TOPICS), rng.choice((1, 1, 1, 2)))
        topic = rng.choice(TOPICS[areas[0]])
        kind = rng.choices(self._kinds, self._kind_weights)[0]
        used: set[str] = set()

        def name() -> str:
            n = self.name()
            used.add(n.lower())
            return n

        def fill(template: str) -> str:
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
            return text[0].upper() + text[1:]

        title = fill(rng.choice(KINDS[kind][1]))[:200]
        summary = fill(rng.choice(SUMMARIES))
        sections = []
        for heading in ("Background", "What we did", "Results"):
            sentences = " ".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4)))
            sections.append(f"## {heading}\n\n{sentences}")
        tags = {t.lower() for t in rng.sample(TOPICS[areas[0]], 2)}
        if rng.random() < 0.3:
            tags.add(name().lower())
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


def ensure_coalitions(count: int = 6):
    """``count`` coalitions (existing ones first) and one member each to write their practices."""
    from coalitions.models import Coalition, Membership

    coalitions = list(Coalition.objects.order_by("pk")[:count])
    for i in range(len(coalitions), count):
        coalitions.append(
            Coalition.objects.create(
                name=f"Regional Coalition {i + 1}", slug=f"regional-{i + 1}", short_name=f"RC{i + 1}", region="US"
            )
        )
    authors = {}
    for coalition in coalitions:
        email = f"scale-{coalition.slug}@example.org"
        user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
        Membership.objects.get_or_create(user=user, coalition=coalition)
        authors[coalition.pk] = user
    return coalitions, authors


def fill_practices(
    count: int,
    *,
    seed: int = 2026,
    batch_size: int = 2000,
    progress: Callable[[str], None] | None = None,
) -> FillReport:
    """Create ``count`` published practices with focus areas and tags, in batches, and their search vectors
    through the services' own function. Returns their ids, the long-tail names used and a member."""
    from taggit.models import Tag

    from practices.models import FocusArea, FocusAreaItem, Practice, PracticeKind, TaggedPractice
    from practices.services import update_search_vectors

    # The curated focus areas and kinds (a flushed test database has lost the data migration's rows).
    import_module("practices.migrations.0004_default_focus_areas_and_kinds").create_defaults(django_apps, None)
    areas = {a.slug: a for a in FocusArea.objects.all()}
    kinds = {k.slug: k for k in PracticeKind.objects.all()}
    coalitions, authors = ensure_coalitions()
    generator = TextGenerator(seed)
    tags: dict[str, int] = dict(Tag.objects.values_list("name", "pk"))
    tag_slugs: set[str] = set(Tag.objects.values_list("slug", flat=True))
    report = FillReport(member=authors[coalitions[0].pk])
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
                coalition = coalitions[i % len(coalitions)]
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
                        author=authors[coalition.pk],
                        status=Practice.Status.PUBLISHED,
                        visibility=row["visibility"],
                        created=published - timedelta(days=2),
                        published_at=published,
                    )
                )
            for practice in practices:  # what save() does and bulk_create skips: the body's stored HTML
                practice.render_markdown_fields()
            practices = Practice.objects.bulk_create(practices)
            if practices[0].pk is None:
                slugs = [p.slug for p in practices]
                by_slug = dict(Practice.objects.filter(slug__in=slugs).values_list("slug", "pk"))
                for p in practices:
                    p.pk = by_slug[p.slug]
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
    # Fresh statistics, as autovacuum would gather them before long: without them the planner guesses
    # from an empty table (a hash of every tag to update one practice's vector).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report.name_documents = generator.name_documents
    return report
