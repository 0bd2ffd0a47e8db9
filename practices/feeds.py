"""Atom feeds of newly published public practices, overall and per focus area, each narrowed by
``?government_level=county`` and ``?contract=open`` (a contract others can buy from now) when asked.

Links are built from SITE_URL, never from the request's Host header.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .filters import CONTRACT_OPEN
from .government_levels import FEED_NAMES, UNKNOWN_LEVEL_MESSAGE, GovernmentLevel
from .models import FocusArea, Practice, without_control_characters

FEED_SIZE = 30


def public_practices():
    return (
        Practice.objects.published()
        .filter(visibility=Practice.Visibility.PUBLIC)
        .select_related("coalition", "kind")
        .prefetch_related("focus_areas")
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True)
class FeedScope:
    """What a feed lists: public practices, of one focus area or all, of one level of government or all."""

    area: FocusArea | None = None
    level: str = ""
    contract: str = ""

    @classmethod
    def from_request(cls, request, area=None) -> "FeedScope":
        return cls(area=area, level=request.GET.get("government_level", ""), contract=request.GET.get("contract", ""))

    def practices(self):
        practices = public_practices()
        if self.area:
            practices = practices.in_focus_area(self.area.slug)
        if self.contract:
            practices = practices.with_open_contract()
        return practices.filter(government_level=self.level) if self.level else practices

    def query(self) -> str:
        params = {
            name: value for name, value in (("government_level", self.level), ("contract", self.contract)) if value
        }
        return f"?{urlencode(params)}" if params else ""

    def adjective(self) -> str:
        """``"county "`` in "New county practices"; empty for every level."""
        return f"{FEED_NAMES[self.level]} " if self.level else ""

    def qualifier(self) -> str:
        """`` with a contract others can buy from`` when the feed lists only those."""
        return " with a contract others can buy from" if self.contract else ""


class PracticesFeed(Feed):
    feed_type = Atom1Feed
    subtitle = "Public smart-city practices newly shared by the partnership's coalitions."

    def __call__(self, request, *args, **kwargs):
        # A feed reader shows the status and body it got: an unknown level says which exist, never a 500.
        level = request.GET.get("government_level", "")
        if level and level not in GovernmentLevel.values:
            message = UNKNOWN_LEVEL_MESSAGE % {"value": " ".join(level.split())[:60]}
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        contract = request.GET.get("contract", "")
        if contract and contract != CONTRACT_OPEN:
            message = "Unknown contract filter; use contract=open (practices with a contract others can buy from now)."
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        return FeedScope.from_request(request)

    def title(self, scope):
        return f"New {scope.adjective()}practices{scope.qualifier()} — {settings.SITE_NAME}"

    def link(self, scope):
        return f"{settings.SITE_URL}{reverse('practices:list')}{scope.query()}"

    def feed_url(self, scope):
        return f"{settings.SITE_URL}{reverse('practices:feed')}{scope.query()}"

    def items(self, scope):
        return scope.practices()[:FEED_SIZE]

    # Text written by people passes through without_control_characters(): one pasted \x0b would
    # otherwise make the whole feed unserializable (a 500 for every reader).
    def item_title(self, item):
        return without_control_characters(item.title)

    def item_description(self, item):
        return without_control_characters(item.summary)

    def item_link(self, item):
        return f"{settings.SITE_URL}{item.get_absolute_url()}"

    def item_guid(self, item):
        return f"{settings.SITE_URL}/practices/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated

    def item_author_name(self, item):
        return without_control_characters(item.coalition.name)

    def item_categories(self, item):
        return [
            without_control_characters(name) for name in [*(a.name for a in item.focus_areas.all()), item.kind.name]
        ]


class FocusAreaFeed(PracticesFeed):
    def get_object(self, request, slug):
        area = get_object_or_404(FocusArea, slug=slug)
        return FeedScope.from_request(request, area=area)

    def title(self, scope):
        return f"New {scope.adjective()}{scope.area.name.lower()} practices{scope.qualifier()} — {settings.SITE_NAME}"

    def subtitle(self, scope):
        return without_control_characters(scope.area.description)

    def link(self, scope):
        return f"{settings.SITE_URL}{scope.area.get_absolute_url()}{scope.query()}"

    def feed_url(self, scope):
        return f"{settings.SITE_URL}{reverse('practices:focus_area_feed', args=[scope.area.slug])}{scope.query()}"
