"""Browsing: the filters that combine, the sort orders and the search box, shared by pages and the API."""

import django_filters
from django import forms
from django.db.models import F, IntegerField, Value

from coalitions.models import Coalition

from .government_levels import UNKNOWN_LEVEL_MESSAGE, GovernmentLevel
from .models import SEARCH_MAX_LENGTH, FocusArea, FundingProgram, Practice, PracticeKind, clean_search_text

SORTS = [
    ("newest", "Newest"),
    ("adopted", "Most adopted"),
    ("confirmed", "Most confirmed adoptions"),
    ("updated", "Recently updated"),
]
RELEVANCE = ("relevance", "Best match")
# ``?contract=open``: practices with a cooperative contract in its term that other public bodies may join.
CONTRACT_OPEN = "open"


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """Focus areas, kinds, coalitions and funding programs for the filter form, as (slug, name) choices.

    One UNION query instead of four: the list pages must stay within a fixed query budget
    (12 with a signed-in member, whose session, time zone and roles already cost six).
    """

    def rows(model, group, order_field=None):
        sort_key = F(order_field) if order_field else Value(0, output_field=IntegerField())
        return model.objects.order_by().annotate(group=Value(group), sort_key=sort_key)

    union = (
        rows(FocusArea, "focus_area")
        .values_list("group", "sort_key", "name", "slug")
        .union(
            rows(PracticeKind, "kind", "order").values_list("group", "sort_key", "name", "slug"),
            rows(Coalition, "coalition").values_list("group", "sort_key", "name", "slug"),
            rows(FundingProgram, "program", "order").values_list("group", "sort_key", "name", "slug"),
            all=True,
        )
    )
    options: dict[str, list[tuple[str, str]]] = {"focus_area": [], "kind": [], "coalition": [], "program": []}
    for group, _, name, slug in sorted(union, key=lambda row: (row[1], row[2].lower())):
        options[group].append((slug, name))
    return options


# What no list row shows: left in the database (the search vector alone is kilobytes a row).
LONG_FIELDS = ("body", "body_html", "search_vector", "dependencies")


def listed_practices(user):
    """What list pages and the API start from: published, visible to ``user``, list-ready."""
    return Practice.objects.published().visible_to(user).for_list()


class PracticeFilter(django_filters.FilterSet):
    """``?q=&focus_area=&kind=&maturity=&coalition=&tag=&funding=&program=&government_level=&adoptions=``
    ``&contract=&sort=``; every filter combines.

    ``fixed`` names filters a page already applies (the focus-area page fixes ``focus_area``);
    they leave the form. Unknown choices become form errors and are ignored, never a 500.
    """

    q = django_filters.CharFilter(
        method="filter_search",
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Words, “a phrase”, -exclude"}),
    )
    focus_area = django_filters.ChoiceFilter(
        method="filter_focus_area", label="Focus area", empty_label="All focus areas"
    )
    kind = django_filters.ChoiceFilter(field_name="kind__slug", label="Kind", empty_label="All kinds")
    maturity = django_filters.ChoiceFilter(
        choices=Practice.Maturity.choices, label="Maturity", empty_label="Any maturity"
    )
    coalition = django_filters.ChoiceFilter(
        field_name="coalition__slug", label="Coalition", empty_label="All coalitions"
    )
    tag = django_filters.CharFilter(method="filter_tag", label="Tag", widget=forms.HiddenInput)
    funding = django_filters.ChoiceFilter(
        field_name="funding_source",
        choices=Practice.FundingSource.choices,
        label="Funding source",
        empty_label="Any funding",
    )
    program = django_filters.ChoiceFilter(
        method="filter_program",
        label="Funding program",
        empty_label="Any program",
        error_messages={"invalid_choice": "“%(value)s” is not one of the funding programs."},
    )
    government_level = django_filters.ChoiceFilter(
        choices=GovernmentLevel.choices,
        label="Level of government",
        empty_label="Any level",
        error_messages={"invalid_choice": UNKNOWN_LEVEL_MESSAGE},
    )
    adoptions = django_filters.ChoiceFilter(
        method="filter_adoptions",
        choices=[("confirmed", "With confirmed adoptions"), ("any", "With any adoption")],
        label="Adoptions",
        empty_label="Adopted or not",
    )
    contract = django_filters.ChoiceFilter(
        method="filter_contract",
        choices=[(CONTRACT_OPEN, "Has a contract others can buy from now")],
        label="Contracts",
        empty_label="With or without a contract",
        error_messages={"invalid_choice": "“%(value)s” is not a contract filter; use contract=open."},
    )
    sort = django_filters.ChoiceFilter(method="keep", choices=SORTS, label="Sort by", empty_label=None)

    class Meta:
        model = Practice
        fields: list[str] = []

    def __init__(self, data=None, *args, fixed=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        options = filter_options()
        for name in ("focus_area", "kind", "coalition", "program"):
            self.filters[name].extra["choices"] = options[name]
        if self.search_text:
            self.filters["sort"].extra["choices"] = [RELEVANCE, *SORTS]
        for name in fixed:
            self.filters.pop(name, None)

    @property
    def active_filter_count(self) -> int:
        """Filters narrowing the list (not the search box or the sort order), for the folded panel."""
        data = self.data or {}
        return sum(1 for name in self.filters if name not in ("q", "sort") and data.get(name))

    @property
    def raw_search(self) -> str:
        return (self.data or {}).get("q", "") or ""

    @property
    def search_text(self) -> str:
        return clean_search_text(self.raw_search)

    @property
    def search_was_truncated(self) -> bool:
        return len(" ".join(self.raw_search.split())) > SEARCH_MAX_LENGTH

    @property
    def sort_key(self) -> str:
        default = RELEVANCE[0] if self.search_text else "newest"
        if not self.is_bound:
            return default
        self.form.is_valid()  # invalid fields are left out of cleaned_data, and so ignored
        return self.form.cleaned_data.get("sort") or default

    def filter_search(self, queryset, name, value):
        return queryset.search(value) if clean_search_text(value) else queryset

    def filter_focus_area(self, queryset, name, value):
        return queryset.in_focus_area(value)

    def filter_program(self, queryset, name, value):
        return queryset.funded_by(value)

    def filter_adoptions(self, queryset, name, value):
        # The stored counters (practices.receivers keeps them), so the filter reads a column, not a join.
        if value == "confirmed":
            return queryset.filter(confirmed_adoption_count__gt=0)
        return queryset.filter(adoption_count__gt=0)

    def filter_tag(self, queryset, name, value):
        return queryset.tagged(value.strip())

    def filter_contract(self, queryset, name, value):
        return queryset.with_open_contract()

    def keep(self, queryset, name, value):
        return queryset  # applied after every filter, in sorted_queryset()

    def filter_queryset_without_search(self, queryset):
        """``queryset`` narrowed by every filter but the search box (where meaning-only matches come from)."""
        if not self.is_bound:
            return self.filter_queryset(queryset)
        self.form.is_valid()  # invalid fields are left out of cleaned_data, and so ignored
        search = self.form.cleaned_data.pop("q", None)
        try:
            return self.filter_queryset(queryset)
        finally:
            if search is not None:
                self.form.cleaned_data["q"] = search

    def sorted_queryset(self):
        return self.qs.sorted_by(self.sort_key)
