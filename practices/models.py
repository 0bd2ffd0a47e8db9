import os
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramSimilarity,
)
from django.db import connections, models
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from coalitions import permissions
from coalitions.models import Coalition, Membership

from .government_levels import GovernmentLevel
from .markdown import RendersMarkdown, SanitizedHTMLField

# A search longer than this is cut here: nobody types more, and it bounds the work per query.
SEARCH_MAX_LENGTH = 200
# SearchHeadline wraps matches in these control characters (never typed by people); templates
# escape the snippet, then turn them into <mark>.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_STOP = "\x03"
SEARCH_CONFIG = "english"
# Words ignored by the SQLite fallback of similar_to(); they match everything.
STOP_WORDS = frozenset(
    {"and", "are", "for", "from", "how", "into", "its", "our", "the", "their", "this", "was", "what", "with"}
)


# The rows list pages, feeds and the API show: what each partial index below covers.
LISTED = Q(status="published", is_hidden=False)


class FocusArea(TagBase):
    """The curated vocabulary (cybersecurity, sustainability, …); partnership admins add more."""

    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "focus area"

    def get_absolute_url(self):
        return reverse("practices:focus_area", args=[self.slug])


class FocusAreaItem(TaggedItemBase):
    content_object = models.ForeignKey("Practice", on_delete=models.CASCADE)
    tag = models.ForeignKey(FocusArea, on_delete=models.CASCADE, related_name="items")

    class Meta:
        # "Practices in this area" and the counts per area read (tag, practice) pairs from the index alone.
        indexes = [models.Index(fields=["tag", "content_object"], name="focus_area_item_pair")]


class TaggedPractice(TaggedItemBase):
    """Free tags, in taggit's shared Tag table."""

    content_object = models.ForeignKey("Practice", on_delete=models.CASCADE)

    class Meta:
        indexes = [models.Index(fields=["tag", "content_object"], name="tagged_practice_pair")]


class PracticeKind(models.Model):
    """Case study, RFP template, revenue model… Admins extend the list in Django admin."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class FundingProgram(models.Model):
    """What paid for a practice (ARPA recovery funds, a SMART grant, philanthropy…): a curated list that
    partnership admins extend in the Django admin, like focus areas. A practice names several or none,
    beside its single ``funding_source`` category (see the README on why both stay)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "funding program"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('practices:list')}?program={self.slug}"


# Markdown syntax that reads as noise in a one-line snippet cut from the body.
SNIPPET_MARKUP = [
    (re.compile(r"\[([^\]]*)\]\([^)]*\)?"), r"\1"),  # [text](url) -> text
    (re.compile(r"(^|\n)[ \t]*(#{1,6}|>|[-*+]|\d+\.)(?=\s)"), r"\1"),  # line-start heading, quote, list marks
    (re.compile(r"\*\*|__|`+"), ""),  # bold and code marks
]


def plain_snippet(text: str) -> str:
    """A snippet of Markdown as plain text: link text without its address, no heading or list markers."""
    for pattern, replacement in SNIPPET_MARKUP:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


def highlight_html(headline: str | None) -> SafeString:
    """A search headline as HTML: Markdown marks dropped, escaped, with the matched words in ``<mark>``."""
    html = escape(plain_snippet(headline or "")).replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 — escaped above; only our own <mark> tags added


def clean_search_text(q: str | None) -> str:
    """The search as we will run it: stripped, inner whitespace collapsed, at most SEARCH_MAX_LENGTH."""
    # Control characters (NUL breaks PostgreSQL; \x02/\x03 are our highlight markers) become spaces.
    q = re.sub(r"[\x00-\x1f\x7f]", " ", q or "")
    return " ".join(q.split())[:SEARCH_MAX_LENGTH].strip()


# Control characters other than tab and new lines: Word pastes \x0b for a line break, and XML 1.0 (feeds)
# cannot carry any of them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub(" ", text or "")


def has_search_words(q: str) -> bool:
    return bool(re.search(r"\w", q))


def _search_alternatives(q: str) -> list[list[tuple[bool, str]]]:
    """The SQLite fallback's reading of web-search syntax: "quoted phrases", -excluded words, and `or`
    between alternatives. As in PostgreSQL's tsquery, `and` binds tighter: ``a b or c`` means
    (a and b) or c. Returns the alternatives, each a list of ``(negated, text)`` terms that must all match.
    """
    alternatives: list[list[tuple[bool, str]]] = [[]]
    for negated, phrase, word in re.findall(r'(-?)(?:"([^"]+)"|(\S+))', q):
        if not negated and word.lower() == "or":
            alternatives.append([])
            continue
        text = " ".join(re.findall(r"\w+", phrase or word))
        if text:
            alternatives[-1].append((bool(negated), text))
    return [terms[:12] for terms in alternatives if terms][:6]


def _managed_q(user) -> Q:
    """The rule of ``Practice.is_managed_by`` as a filter (partnership admins aside)."""
    return Q(author_id=user.pk, coalition_id__in=permissions.coalition_ids(user)) | Q(
        coalition_id__in=permissions.admin_coalition_ids(user)
    )


class PracticeQuerySet(models.QuerySet):
    """Reads used by views, feeds, the API, digests and other apps; filters only, no side effects."""

    @property
    def _on_postgres(self) -> bool:
        return connections[self.db].vendor == "postgresql"

    def published(self):
        """Published and not hidden by moderators: what may appear in lists, feeds and digests."""
        return self.filter(status=Practice.Status.PUBLISHED, is_hidden=False)

    def visible_to(self, user):
        """What ``user`` may open: anonymous visitors and outsiders see public published practices,
        members also members-only ones; drafts, archived and hidden practices only to their author
        and that coalition's admins; partnership admins see everything."""
        if permissions.is_partnership_admin(user):
            return self
        audience = Q(status=Practice.Status.PUBLISHED, is_hidden=False)
        if not permissions.is_member(user):
            return self.filter(audience, visibility=Practice.Visibility.PUBLIC)
        return self.filter(audience | _managed_q(user))

    def members_only(self):
        return self.filter(visibility=Practice.Visibility.MEMBERS)

    def count_up_to(self, limit: int) -> int:
        """How many rows, counting no further than ``limit`` + 1 (a page says "1,000+", never scans all)."""
        return self.order_by().values("pk")[: limit + 1].count()

    def managed_by(self, user):
        """What ``user`` manages as its author (while a member of its coalition) or as that coalition's
        admin: the rows for which ``Practice.is_managed_by`` holds, less the partnership admins'
        everything."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_managed_q(user))

    def in_focus_area(self, slug: str):
        return self.filter(Exists(FocusAreaItem.objects.filter(content_object=OuterRef("pk"), tag__slug=slug)))

    def funded_by(self, slug: str):
        return self.filter(
            Exists(Practice.funding_programs.through.objects.filter(practice=OuterRef("pk"), fundingprogram__slug=slug))
        )

    def tagged(self, slug: str):
        return self.filter(Exists(TaggedPractice.objects.filter(content_object=OuterRef("pk"), tag__slug=slug)))

    def search(self, q: str):
        """Full-text search over title, summary, body, kind, tags, focus areas and jurisdiction, with
        web-search syntax (quotes, ``or``, ``-word``) and stemming on both databases, annotated with
        ``rank`` and a ``headline`` snippet (matches between HIGHLIGHT_START and HIGHLIGHT_STOP), best first.

        PostgreSQL: the stored weighted ``search_vector``, ranked by ``ts_rank_cd`` with length
        normalization. SQLite: the FTS5 table, ranked by ``bm25()`` with column weights. A search without
        letters or digits matches nothing. Bounded on both: a common word ranks its newest
        ``discovery.words.SEARCH_CANDIDATES`` + 1 matches, not all of them (a page says "1,000+"), so the
        cost of a search does not grow with the catalogue.
        """
        q = clean_search_text(q)
        if not has_search_words(q):
            return self.none()
        from .discovery import words

        if self._on_postgres:
            query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
            return (
                self.filter(pk__in=words.search_candidates(self.filter(search_vector=query)))
                .annotate(
                    # Cover density, divided by 1 + log(length) (1) and mapped into [0, 1) (32).
                    rank=SearchRank(F("search_vector"), query, cover_density=True, normalization=Value(1 | 32)),
                    headline=SearchHeadline(
                        # A new line between them: the body's first "## heading" starts a line, as in Markdown.
                        Concat("summary", Value("\n"), "body", output_field=models.TextField()),
                        query,
                        config=SEARCH_CONFIG,
                        start_sel=HIGHLIGHT_START,
                        stop_sel=HIGHLIGHT_STOP,
                        max_words=35,
                        min_words=15,
                        max_fragments=2,
                    ),
                )
                .order_by("-rank", "-published_at", "-pk")
            )
        match = words.fts_query(_search_alternatives(q))
        if not match:  # only "or"s or exclusions: nothing to look for, as on PostgreSQL
            return self.none()
        return words.sqlite_search(self, match, start=HIGHLIGHT_START, stop=HIGHLIGHT_STOP)

    def similar_to(self, title: str, focus_area_ids=(), exclude=None):
        """Practices that look like one being written: best first, annotated with ``score``.

        PostgreSQL: trigram similarity of titles plus full-text rank of the title's words, with a
        bonus for a shared focus area. SQLite: counts the title's words found in titles and summaries.
        """
        title = clean_search_text(title)
        words = [w for w in re.findall(r"\w+", title.lower()) if len(w) > 2 and w not in STOP_WORDS][:12]
        if not words:
            return self.none()
        qs = self.exclude(pk=exclude.pk if hasattr(exclude, "pk") else exclude) if exclude else self
        # Sharing a focus area is a (small) reason to show a practice even when no title word matches.
        # An IN (subquery) rather than a correlated EXISTS: PostgreSQL hashes it once (4x faster in bench/).
        in_shared_area = FocusAreaItem.objects.filter(tag_id__in=list(focus_area_ids)).values("content_object_id")
        shared_area = Case(
            When(pk__in=in_shared_area, then=Value(0.1)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        if self._on_postgres:
            query = SearchQuery(" or ".join(words), search_type="websearch", config=SEARCH_CONFIG)
            similarity = TrigramSimilarity("title", title)
            rank = SearchRank(F("search_vector"), query)
            # Title and word matches can use an index: the trigram GIN index on title, the GIN on search_vector.
            return (
                qs.annotate(shared_area=shared_area)
                .filter(Q(title__trigram_similar=title) | Q(search_vector=query) | Q(shared_area__gt=0))
                .annotate(score=similarity + rank + F("shared_area"))
                .order_by("-score", "-published_at")
            )
        word_hits = sum(
            (
                Case(When(title__icontains=w, then=Value(1.0)), default=Value(0.0), output_field=FloatField())
                + Case(When(summary__icontains=w, then=Value(0.5)), default=Value(0.0), output_field=FloatField())
                for w in words
            ),
            Value(0.0, output_field=FloatField()),
        )
        return (
            qs.annotate(word_score=word_hits, shared_area=shared_area)
            .filter(Q(word_score__gt=0) | Q(shared_area__gt=0))
            .annotate(score=F("word_score") / len(words) + F("shared_area"))
            .order_by("-score", "-published_at")
        )

    def with_open_contract(self, day=None):
        """Practices with a contract another public body can buy from on ``day`` (today by default)."""
        day = day or timezone.localdate()
        return self.filter(Exists(Contract.objects.open_on(day).filter(practice=OuterRef("pk"))))

    def for_list(self):
        """Everything a list row shows, in a fixed number of queries: one for the rows, one per tag kind."""
        # Adoption and comment counts are columns kept by practices.receivers, not subqueries per row.
        return self.select_related("kind", "coalition").prefetch_related("focus_areas", "tags")

    def sorted_by(self, key: str):
        orderings = {
            # Each order ends in the primary key, so it is total: keyset pages (practices.pagination) need it.
            "newest": ["-published_at", "-pk"],
            "adopted": ["-adoption_count", "-published_at", "-pk"],
            "confirmed": ["-confirmed_adoption_count", "-published_at", "-pk"],
            "updated": ["-updated", "-pk"],
            "title": ["title", "pk"],
        }
        if key == "relevance":
            return self  # search() already ordered by rank
        return self.order_by(*orderings.get(key, orderings["newest"]))


class Maintenance(models.TextChoices):
    """Who keeps a practice's solution working."""

    IN_HOUSE = "in_house", "In-house staff"
    VENDOR = "vendor", "A vendor, under contract"
    COMMUNITY = "community", "An open-source or peer community"
    NONE = "none", "Nobody: it is not maintained"


DEPENDENCIES_MAX_LENGTH = 2000


class Standard(models.Model):
    """A data, interface or security standard a practice supports (GTFS, MDS, NIST CSF, CJIS…).

    A curated list, not free tags: "GTFS", "gtfs" and "GTFS static" must be one entry for "every
    practice that speaks GTFS" to find them all, and each entry says what it is. The data migration
    starts the list; partnership admins extend it in Django admin.
    """

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Practice(RendersMarkdown, models.Model):
    class Maturity(models.TextChoices):
        IDEA = "idea", "Idea"
        PILOT = "pilot", "Pilot"
        PRODUCTION = "production", "In production"
        SCALED = "scaled", "Scaled"

    class FundingSource(models.TextChoices):
        FEDERAL = "federal", "Federal grant or stimulus"
        STATE = "state", "State grant"
        LOCAL = "local", "Local budget"
        PPP = "ppp", "Public-private partnership"
        PHILANTHROPY = "philanthropy", "Philanthropy"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    class Visibility(models.TextChoices):
        MEMBERS = "members", "Members only"
        PUBLIC = "public", "Public"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.TextField(max_length=1000)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = SanitizedHTMLField()
    kind = models.ForeignKey(PracticeKind, on_delete=models.PROTECT, related_name="practices")
    maturity = models.CharField(max_length=12, choices=Maturity.choices, default=Maturity.IDEA)
    jurisdiction = models.CharField(max_length=200, blank=True, help_text='e.g. "City of Dallas"')
    # Beside the free-text jurisdiction, the level lists and the API filter by. Blank only for rows written
    # by code that does not set it (the forms require it on new practices; the migration adding it filled the rest).
    government_level = models.CharField(max_length=10, choices=GovernmentLevel.choices, blank=True)
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices, blank=True)
    # The named programs that paid for it (optional, several): lists, the API and insights filter by them.
    funding_programs = models.ManyToManyField(FundingProgram, blank=True, related_name="practices")
    coalition = models.ForeignKey(Coalition, on_delete=models.PROTECT, related_name="practices")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="practices")
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS)
    # Set by moderation: hidden content leaves lists, search, feeds, the API and digests.
    is_hidden = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Title, summary, tags, jurisdiction and body, weighted; rewritten by practices.services on every save.
    # Its GIN index is created by a PostgreSQL-only migration (SQLite has no tsvector).
    search_vector = SearchVectorField(null=True, editable=False)
    # What list rows show and the "most adopted" sort orders by, kept by practices.receivers on every
    # adoption and comment change (comment_count counts visible comments only): a list page reads them
    # from the row instead of counting for every row it skips.
    adoption_count = models.PositiveIntegerField(default=0, editable=False)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Of adoption_count (adoptions not stopped), those the adopting coalition's admins confirmed: lists and
    # cards show both ("2 confirmed, 1 claimed"), and the "most confirmed adoptions" sort orders by it.
    confirmed_adoption_count = models.PositiveIntegerField(default=0, editable=False)
    # The day its first adoption (not stopped) started: its "started on" date, else the day it was recorded.
    # Kept with the counts; insights measure the time from publication to first adoption by it.
    first_adopted_on = models.DateField(null=True, blank=True, editable=False)

    # What it takes to run (all optional): who keeps it working and until when, what it depends on,
    # the standards it speaks, its licence, and the practice it was adapted from.
    maintained_by = models.CharField(max_length=12, choices=Maintenance.choices, blank=True)
    maintained_until = models.DateField(null=True, blank=True)
    dependencies = models.TextField(max_length=DEPENDENCIES_MAX_LENGTH, blank=True)
    standards = models.ManyToManyField("Standard", blank=True, related_name="practices")
    software_license = models.CharField(max_length=100, blank=True)
    based_on = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="adaptations")

    focus_areas = TaggableManager(through=FocusAreaItem, related_name="practices", verbose_name="focus areas")
    tags = TaggableManager(through=TaggedPractice, blank=True, verbose_name="tags")

    objects = PracticeQuerySet.as_manager()
    markdown_fields = {"body": "body_html"}

    class Meta:
        ordering = ["-published_at", "-created"]
        # One index per sort and filter the list pages and the API offer, over listed rows only (published,
        # not hidden): a page reads its 50 rows from the index in order, at any depth (keyset pages).
        indexes = [
            models.Index(fields=list(fields), name=name, condition=LISTED)
            for name, fields in (
                ("practice_listed_newest", ("-published_at", "-id")),
                ("practice_listed_adopted", ("-adoption_count", "-published_at", "-id")),
                ("practice_listed_confirmed", ("-confirmed_adoption_count", "-published_at", "-id")),
                ("practice_listed_updated", ("-updated", "-id")),
                ("practice_listed_kind", ("kind", "-published_at", "-id")),
                ("practice_listed_maturity", ("maturity", "-published_at", "-id")),
                ("practice_listed_coalition", ("coalition", "-published_at", "-id")),
                ("practice_listed_funding", ("funding_source", "-published_at", "-id")),
                ("practice_listed_gov_level", ("government_level", "-published_at", "-id")),
            )
        ] + [
            # The insights figures join listed practices by id and read only these columns: from this narrow
            # index (an index-only scan) rather than the wide rows with their bodies and search vectors.
            # SQLite has no INCLUDE and gets an index on published_at alone.
            models.Index(
                fields=["published_at"],
                include=["id", "coalition", "government_level", "visibility", "first_adopted_on", "adoption_count"],
                name="practice_listed_insights",
                condition=LISTED,
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("practices:detail", args=[self.slug])

    @property
    def is_live(self) -> bool:
        """Published and not hidden: open to comments, adoptions and reports."""
        return self.status == self.Status.PUBLISHED and not self.is_hidden

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @staticmethod
    def can_post_for(user, coalition_id: int) -> bool:
        """Members post for their own coalitions; partnership admins for any."""
        return permissions.is_partnership_admin(user) or permissions.is_member_of(user, coalition_id)

    def is_managed_by(self, user) -> bool:
        """The author (while still a member of the coalition), that coalition's admins, partnership admins."""
        if not user.is_authenticated:
            return False
        if permissions.is_coalition_admin(user, self.coalition_id):
            return True
        return self.author_id == user.pk and permissions.is_member_of(user, self.coalition_id)

    def can_view(self, user) -> bool:
        if self.is_managed_by(user):
            return True
        return self.is_live and (self.is_public or permissions.is_member(user))

    def can_edit(self, user) -> bool:
        return self.is_managed_by(user)

    def can_comment(self, user) -> bool:
        return self.is_live and permissions.is_member(user)

    def can_report(self, user) -> bool:
        return self.is_live and permissions.is_member(user)

    def adopting_coalition_ids(self, user) -> set[int]:
        """Coalitions ``user`` may record an adoption for: their own, except the one that shared it."""
        if not self.is_live:
            return set()
        return permissions.coalition_ids(user) - {self.coalition_id}

    def can_adopt(self, user) -> bool:
        return bool(self.adopting_coalition_ids(user))


def attachment_upload_to(instance, filename):
    # A random name: the original name is kept in the row, never trusted as a path.
    ext = os.path.splitext(filename)[1].lower()
    return f"practices/{instance.practice_id}/{uuid.uuid4().hex}{ext}"


class StoredFile(models.Model):
    """What the portal keeps of an uploaded file (checked by ``practices.uploads``): served only through a
    permission-checked download view, never from the media folder. Concrete models add what it is on and
    ``file`` with their own folder."""

    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created", "pk"]

    def __str__(self):
        return self.name


class Attachment(StoredFile):
    """A file on a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)

    def get_absolute_url(self):
        return reverse("practices:attachment", args=[self.practice.slug, self.pk])


class OutcomeMeasure(models.Model):
    """One outcome adopters report in a fixed unit, so figures add up and compare across coalitions.

    A short curated list (RFP preparation time saved, cost versus an own procurement…) that partnership
    admins extend in the Django admin; a measure no longer offered is made inactive, never deleted, so the
    figures already reported keep their meaning.
    """

    class Unit(models.TextChoices):
        WEEKS = "weeks", "weeks"
        PERCENT = "percent", "%"
        HOURS_PER_YEAR = "hours_year", "hours a year"
        PEOPLE = "people", "people"
        DOLLARS = "dollars", "US dollars"
        COUNT = "count", "count"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    unit = models.CharField(max_length=12, choices=Unit.choices)
    # How the practice page's summary reads it after the median: "6 weeks" + " of RFP work saved".
    summary_label = models.CharField(max_length=100, help_text='After the figure, e.g. "of RFP work saved".')
    # A cost difference may be negative (cheaper than buying alone); time saved or people served may not.
    allows_negative = models.BooleanField(default=False)
    help_text = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Offered on the adoption form.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_unit_display()})"

    def format(self, value) -> str:
        """A figure with its unit: "6 weeks", "-12%", "1,200 hours a year"."""
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
        if self.unit == self.Unit.PERCENT:
            return f"{number}%"
        if self.unit == self.Unit.DOLLARS:
            return f"${number}"
        if self.unit == self.Unit.COUNT:
            return number
        unit = self.get_unit_display()
        if value == 1 and unit.startswith("weeks"):
            unit = "week"
        return f"{number} {unit}"


class AdoptionQuerySet(models.QuerySet):
    def counted(self):
        """The adoptions a practice's counters count: every record but the stopped ones."""
        return self.exclude(stage=Adoption.Stage.STOPPED)

    def confirmed(self):
        return self.filter(confirmation=Adoption.Confirmation.CONFIRMED)

    def due_for_reconfirmation(self, now):
        """Confirmed a year ago or more and not asked since: the yearly question is due (indexed)."""
        return self.filter(
            confirmation=Adoption.Confirmation.CONFIRMED,
            confirmed_at__lte=now - ADOPTION_RECONFIRM_AFTER,
        ).filter(Q(confirmation_asked_at__isnull=True) | Q(confirmation_asked_at__lt=F("confirmed_at")))

    def unanswered(self, now):
        """Asked whether still current, and not answered within ADOPTION_ANSWER_WITHIN: they lapse."""
        return self.filter(
            confirmation=Adoption.Confirmation.CONFIRMED,
            confirmation_asked_at__gt=F("confirmed_at"),
            confirmation_asked_at__lte=now - ADOPTION_ANSWER_WITHIN,
        )


# The adopting coalition's admins are asked once a year whether an adoption is still current; an
# answer is expected within 30 days, after which the page says "not confirmed since …".
ADOPTION_RECONFIRM_AFTER = timedelta(days=365)
ADOPTION_ANSWER_WITHIN = timedelta(days=30)
# Chips, counts and lists read best with the strongest proof first.
STAGE_ORDER = ("adopted", "piloting", "exploring", "stopped")


class Adoption(RendersMarkdown, models.Model):
    """Coalition X is exploring, piloting, has adopted or stopped using practice P: its story.

    ``stage`` is the latest step of the timeline (``AdoptionStep``). ``confirmation``: "claimed" until an
    admin of the adopting coalition confirms it, "confirmed" after, and "lapsed" when the yearly question
    went unanswered for 30 days (the page then says "not confirmed since ``confirmed_at``").
    """

    class Stage(models.TextChoices):
        EXPLORING = "exploring", "Exploring"
        PILOTING = "piloting", "Piloting"
        ADOPTED = "adopted", "Adopted"
        STOPPED = "stopped", "Stopped"

    class Confirmation(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        CONFIRMED = "confirmed", "Confirmed"
        LAPSED = "lapsed", "Not confirmed recently"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="adoptions")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.EXPLORING)
    # The adopting government: who, and its level (blank when the adopter did not say).
    jurisdiction = models.CharField(max_length=200, blank=True, help_text='e.g. "City of Plano"')
    government_level = models.CharField(max_length=10, choices=GovernmentLevel.choices, blank=True)
    notes = models.TextField(blank=True, help_text="What you changed.")
    reason = models.TextField(blank=True, help_text="Why you changed it.")
    outcome = models.TextField(blank=True)
    stopped_reason = models.TextField(blank=True)
    notes_html = SanitizedHTMLField()
    reason_html = SanitizedHTMLField()
    outcome_html = SanitizedHTMLField()
    # Someone who will take a call: shown to signed-in members only, never in the API or feeds.
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One address a line (reports, council minutes, dashboards), each checked by the form.
    evidence_links = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    confirmation = models.CharField(max_length=10, choices=Confirmation.choices, default=Confirmation.CLAIMED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When the yearly "is this still current?" went out; later than confirmed_at while unanswered.
    confirmation_asked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    markdown_fields = {"notes": "notes_html", "reason": "reason_html", "outcome": "outcome_html"}

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["practice", "coalition"], name="one_adoption_per_coalition")]
        # The daily confirmation tick selects on these.
        indexes = [models.Index(fields=["confirmation", "confirmed_at"], name="adoption_confirmation_idx")]

    def __str__(self):
        return f"{self.coalition} — {self.get_stage_display()} — {self.practice}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmation == self.Confirmation.CONFIRMED

    @property
    def is_lapsed(self) -> bool:
        return self.confirmation == self.Confirmation.LAPSED

    @property
    def stage_rank(self) -> int:
        return STAGE_ORDER.index(self.stage)

    @property
    def evidence_link_list(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]

    def can_withdraw(self, user) -> bool:
        """Members of the adopting coalition, and partnership admins, withdraw its record."""
        return permissions.is_partnership_admin(user) or permissions.is_member_of(user, self.coalition_id)

    def can_confirm(self, user) -> bool:
        """Admins of the adopting coalition (and partnership admins) vouch for it."""
        return user.is_authenticated and permissions.is_coalition_admin(user, self.coalition_id)


class AdoptionStep(models.Model):
    """One dated step of an adoption's timeline: it reached ``stage`` on ``on`` (with why, when stopped)."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="steps")
    stage = models.CharField(max_length=10, choices=Adoption.Stage.choices)
    on = models.DateField()
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "created", "pk"]

    def __str__(self):
        return f"{self.get_stage_display()} on {self.on}"


def adoption_file_upload_to(instance, filename):
    # A random name, as for attachments: the original name is kept in the row, never trusted as a path.
    ext = os.path.splitext(filename)[1].lower()
    return f"adoptions/{instance.adoption_id}/{uuid.uuid4().hex}{ext}"


class AdoptionFile(StoredFile):
    """Evidence an adopter uploads (a council report, an award notice)."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=adoption_file_upload_to, max_length=255)

    def get_absolute_url(self):
        return reverse("practices:adoption_file", args=[self.adoption.practice.slug, self.pk])


class AdoptionOutcome(models.Model):
    """A figure an adopter reports on one measure, in the measure's unit."""

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="outcomes")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.PROTECT, related_name="outcomes")
    value = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["measure__order", "measure__name"]
        constraints = [models.UniqueConstraint(fields=["adoption", "measure"], name="one_figure_per_measure")]

    def __str__(self):
        return f"{self.measure.name}: {self.value}"

    @property
    def display(self) -> str:
        return self.measure.format(self.value)


class CommentQuerySet(models.QuerySet):
    def for_discussion(self):
        """The comments a practice page shows, oldest first, each with its author's profile and
        ``author_coalition``: the short name of the coalition they joined first (a subquery, so the
        whole discussion is one query)."""
        first_coalition = (
            Membership.objects.filter(user=OuterRef("author")).order_by("joined").values("coalition__short_name")[:1]
        )
        return (
            self.filter(is_hidden=False)
            .select_related("author__profile")
            .annotate(author_coalition=Subquery(first_coalition))
        )


class Comment(RendersMarkdown, models.Model):
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_comments")
    body = models.TextField(max_length=5000)
    body_html = SanitizedHTMLField()
    is_hidden = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    markdown_fields = {"body": "body_html"}

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created"]

    def __str__(self):
        return f"Comment by {self.author} on {self.practice}"

    def get_absolute_url(self):
        return f"{self.practice.get_absolute_url()}#comment-{self.pk}"

    def can_edit(self, user) -> bool:
        """Its author, the practice's coalition admins and partnership admins."""
        if not user.is_authenticated:
            return False
        return self.author_id == user.pk or permissions.is_coalition_admin(user, self.practice.coalition_id)

    @property
    def was_edited(self) -> bool:
        return (self.updated - self.created).total_seconds() > 60


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Report.Status.OPEN)


class Report(models.Model):
    """A member flags a practice (``comment`` empty) or one of its comments for moderators."""

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        ABUSIVE = "abusive", "Abusive or offensive"
        CONFIDENTIAL = "confidential", "Confidential or personal information"
        MISLEADING = "misleading", "Inaccurate or misleading"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HIDDEN = "hidden", "Content hidden"
        DISMISSED = "dismissed", "Dismissed"
        RESTORED = "restored", "Content restored"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    created = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["created", "pk"]
        constraints = [
            # A second report by the same member on the same thing updates the open one.
            models.UniqueConstraint(
                fields=["reporter", "practice"],
                condition=Q(status="open", comment__isnull=True),
                name="one_open_practice_report_per_member",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="one_open_comment_report_per_member",
            ),
        ]

    def __str__(self):
        return f"Report on {self.target} ({self.get_reason_display()})"

    @property
    def target(self):
        return self.comment if self.comment_id else self.practice

    @property
    def target_is_hidden(self) -> bool:
        return self.target.is_hidden


class DocumentVector(models.Model):
    """A document's meaning as the discovery model embeds it: one row per (kind of document, id).

    Generic on purpose: practices store theirs under ``doc_type="practice"``, and a higher app (calls'
    shared needs) stores its own under another type without this app knowing it. ``vector`` is the
    float32 bytes of an L2-normalized embedding made by ``model``; rows of another model are ignored
    until ``rebuild_discovery_index`` re-makes them. ``updated`` lets each process's in-memory index
    fetch only what changed since it last looked.
    """

    doc_type = models.CharField(max_length=40)
    doc_id = models.BigIntegerField()
    model = models.CharField(max_length=60)
    vector = models.BinaryField()
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["doc_type", "doc_id"], name="one_vector_per_document")]
        indexes = [models.Index(fields=["doc_type", "updated"], name="document_vector_changes")]

    def __str__(self):
        return f"{self.doc_type} {self.doc_id} ({self.model})"


class SimilarPractice(models.Model):
    """One entry of a practice's stored "similar practices": ``similar`` is its ``position``-th best match.

    Made by ``practices.discovery.refresh_similar`` in a task after a practice changes (never on a page
    view), for every published practice whatever its visibility; the page keeps the entries its viewer
    may see, in one query. More are stored than a page shows, so a visitor who sees only public practices
    still gets a full list.
    """

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="similar_entries")
    similar = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="listed_as_similar")
    position = models.PositiveSmallIntegerField()
    score = models.FloatField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["practice", "position"]
        constraints = [models.UniqueConstraint(fields=["practice", "similar"], name="one_entry_per_similar_pair")]

    def __str__(self):
        return f"{self.practice_id} ~ {self.similar_id} (#{self.position})"


# --- Cooperative contracts ---------------------------------------------------------------------------

CONTRACT_NUMBER_MAX_LENGTH = 100
CONTRACT_SCOPE_MAX_LENGTH = 2000


class ContractQuerySet(models.QuerySet):
    def open_on(self, day):
        """Contracts another public body can buy from on ``day``: in their term and open to joining."""
        return self.filter(awarded_on__lte=day, expires_on__gte=day).exclude(joining=Contract.Joining.CLOSED)

    def expiring_between(self, first_day, last_day):
        """Contracts whose last day falls in ``[first_day, last_day]`` (the reminders' indexed read)."""
        return self.filter(expires_on__gte=first_day, expires_on__lte=last_day)


class Contract(models.Model):
    """A contract under which other governments can buy what a practice describes.

    Its owners are the practice's managers (``Practice.is_managed_by``): the author while a member,
    the sharing coalition's admins and the partnership's admins.
    """

    class Vehicle(models.TextChoices):
        COOPERATIVE = "cooperative", "Cooperative purchasing program"
        STATE = "state", "State contract"
        LOCAL = "local", "Local contract with a cooperative clause"

    class LeadAgencyKind(models.TextChoices):
        PUBLIC = "public", "A public agency (city, county, state, authority)"
        NONPROFIT = "nonprofit", "A non-profit cooperative or association"
        PRIVATE = "private", "A private company"

    class Joining(models.TextChoices):
        ADDENDUM = "addendum", "By a participating addendum"
        PIGGYBACK = "piggyback", "By its piggyback clause"
        INTERLOCAL = "interlocal", "By an interlocal or joint-powers agreement"
        CLOSED = "closed", "Not open to other public bodies"

    # No index of its own: the (practice, expires_on) index below starts with it.
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="contracts", db_index=False)
    lead_agency = models.CharField(max_length=200, help_text="Who competed and awarded it.")
    lead_agency_kind = models.CharField(max_length=10, choices=LeadAgencyKind.choices, default=LeadAgencyKind.PUBLIC)
    vehicle = models.CharField(max_length=12, choices=Vehicle.choices)
    program = models.CharField(max_length=100, blank=True, help_text="e.g. NASPO ValuePoint, Sourcewell.")
    contract_number = models.CharField(max_length=CONTRACT_NUMBER_MAX_LENGTH)
    supplier = models.CharField(max_length=200)
    scope = models.TextField(max_length=CONTRACT_SCOPE_MAX_LENGTH, blank=True)
    awarded_on = models.DateField()
    expires_on = models.DateField()
    is_competitively_bid = models.BooleanField(default=False)
    has_cooperative_clause = models.BooleanField(default=False)
    joining = models.CharField(max_length=10, choices=Joining.choices, default=Joining.ADDENDUM)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["-expires_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gte=F("awarded_on")), name="contract_expires_after_award"),
        ]
        indexes = [
            # "Can buy now" (an EXISTS per practice) and the expiry reminders' daily range read.
            models.Index(fields=["practice", "expires_on"], name="contract_practice_expiry"),
            models.Index(fields=["expires_on"], name="contract_expiry"),
        ]

    def __str__(self):
        return f"{self.contract_number} — {self.supplier}"

    def get_absolute_url(self):
        return f"{self.practice.get_absolute_url()}#contract-{self.pk}"

    def is_expired_on(self, day) -> bool:
        return self.expires_on < day

    def is_open_on(self, day) -> bool:
        return self.awarded_on <= day <= self.expires_on and self.joining != self.Joining.CLOSED


def contract_document_upload_to(instance, filename):
    ext = os.path.splitext(filename)[1].lower()
    return f"practices/{instance.contract.practice_id}/contracts/{uuid.uuid4().hex}{ext}"


class ContractDocument(models.Model):
    """One source document of a contract, as a stored file or a link: one per kind."""

    class Kind(models.TextChoices):
        SOLICITATION = "solicitation", "Solicitation"
        AWARD = "award", "Award"
        PRICING = "pricing", "Pricing"

    # No index of its own: the (contract, kind) unique constraint starts with it.
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="documents", db_index=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=contract_document_upload_to, max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind"], name="one_contract_document_per_kind"),
            models.CheckConstraint(
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")), name="contract_document_file_or_url"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.contract}"

    def get_absolute_url(self):
        if not self.is_file:
            return self.url
        return reverse("practices:contract_document", args=[self.contract.practice.slug, self.contract_id, self.pk])

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class PracticeViewCount(models.Model):
    """How often a practice's page was served in a month (UTC), counted in the shared cache and added here by
    ``practices.pageviews.flush_practice_views``: no row is written per view, and nobody's identity is kept."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="view_counts", db_index=False)
    month = models.DateField(help_text="The first day of the month.")
    views = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["practice", "month"], name="one_view_count_per_month")]
        # Insights sum a range of months.
        indexes = [models.Index(fields=["month"], include=["practice", "views"], name="view_count_month_idx")]

    def __str__(self):
        return f"{self.practice_id} {self.month:%Y-%m}: {self.views}"


class ViewCountBatch(models.Model):
    """A batch of counted views taken from the shared cache and added to ``PracticeViewCount``: its token,
    claimed in the same transaction that adds it, so a batch is added once however often a flush retries."""

    token = models.CharField(max_length=32, unique=True)
    applied = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.token
