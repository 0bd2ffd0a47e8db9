import os
import re
import uuid

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
    TrigramSimilarity,
)
from django.db import connections, models
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from coalitions import permissions
from coalitions.models import Coalition, Membership

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


class TaggedPractice(TaggedItemBase):
    """Free tags, in taggit's shared Tag table."""

    content_object = models.ForeignKey("Practice", on_delete=models.CASCADE)


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

    def tagged(self, slug: str):
        return self.filter(Exists(TaggedPractice.objects.filter(content_object=OuterRef("pk"), tag__slug=slug)))

    def search(self, q: str):
        """Full-text search over title, summary, body, kind, tags, focus areas and jurisdiction, with
        web-search syntax (quotes, ``or``, ``-word``) and stemming on both databases, annotated with
        ``rank`` and a ``headline`` snippet (matches between HIGHLIGHT_START and HIGHLIGHT_STOP), best first.

        PostgreSQL: the stored weighted ``search_vector``, ranked by ``ts_rank_cd`` with length
        normalization. SQLite: the FTS5 table, ranked by ``bm25()`` with column weights. A search without
        letters or digits matches nothing.
        """
        q = clean_search_text(q)
        if not has_search_words(q):
            return self.none()
        if self._on_postgres:
            query = SearchQuery(q, search_type="websearch", config=SEARCH_CONFIG)
            return (
                self.filter(search_vector=query)
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
        from .discovery import words

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

    def with_adoption_counts(self):
        """Annotates ``adoption_count`` (a subquery, so it combines with any filter without GROUP BY)."""
        counts = (
            Adoption.objects.filter(practice=OuterRef("pk"))
            .order_by()
            .values("practice")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(adoption_count=Coalesce(Subquery(counts), 0))

    def with_comment_counts(self):
        counts = (
            Comment.objects.filter(practice=OuterRef("pk"), is_hidden=False)
            .order_by()
            .values("practice")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(comment_count=Coalesce(Subquery(counts), 0))

    def for_list(self):
        """Everything a list row shows, in a fixed number of queries: one for the rows, one per tag kind."""
        return (
            self.select_related("kind", "coalition")
            .prefetch_related("focus_areas", "tags")
            .with_adoption_counts()
            .with_comment_counts()
        )

    def sorted_by(self, key: str):
        orderings = {
            "newest": ["-published_at", "-created", "-pk"],
            "adopted": ["-adoption_count", "-published_at", "-pk"],
            "updated": ["-updated", "-pk"],
            "title": ["title", "pk"],
        }
        if key == "relevance":
            return self  # search() already ordered by rank
        return self.order_by(*orderings.get(key, orderings["newest"]))


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
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices, blank=True)
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

    focus_areas = TaggableManager(through=FocusAreaItem, related_name="practices", verbose_name="focus areas")
    tags = TaggableManager(through=TaggedPractice, blank=True, verbose_name="tags")

    objects = PracticeQuerySet.as_manager()
    markdown_fields = {"body": "body_html"}

    class Meta:
        ordering = ["-published_at", "-created"]

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


class Attachment(models.Model):
    """A file on a practice, served only through the permission-checked download view."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=255)
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practices:attachment", args=[self.practice.slug, self.pk])


class Adoption(RendersMarkdown, models.Model):
    """Coalition X is exploring, piloting or has adopted practice P."""

    class Stage(models.TextChoices):
        EXPLORING = "exploring", "Exploring"
        PILOTING = "piloting", "Piloting"
        ADOPTED = "adopted", "Adopted"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="adoptions")
    coalition = models.ForeignKey(Coalition, on_delete=models.CASCADE, related_name="adoptions")
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.EXPLORING)
    notes = models.TextField(blank=True, help_text="What you changed.")
    outcome = models.TextField(blank=True)
    notes_html = SanitizedHTMLField()
    outcome_html = SanitizedHTMLField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)

    markdown_fields = {"notes": "notes_html", "outcome": "outcome_html"}

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["practice", "coalition"], name="one_adoption_per_coalition")]

    def __str__(self):
        return f"{self.coalition} — {self.get_stage_display()} — {self.practice}"


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
