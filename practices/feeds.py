"""Atom feeds of newly published public practices, overall and per focus area.

Links are built from SITE_URL, never from the request's Host header.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

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


class PracticesFeed(Feed):
    feed_type = Atom1Feed
    title = f"New practices — {settings.SITE_NAME}"
    subtitle = "Public smart-city practices newly shared by the partnership's coalitions."

    def link(self):
        return f"{settings.SITE_URL}{reverse('practices:list')}"

    def feed_url(self):
        return f"{settings.SITE_URL}{reverse('practices:feed')}"

    def items(self):
        return public_practices()[:FEED_SIZE]

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
        return get_object_or_404(FocusArea, slug=slug)

    def title(self, obj):
        return f"New {obj.name.lower()} practices — {settings.SITE_NAME}"

    def subtitle(self, obj):
        return without_control_characters(obj.description)

    def link(self, obj):
        return f"{settings.SITE_URL}{obj.get_absolute_url()}"

    def feed_url(self, obj):
        return f"{settings.SITE_URL}{reverse('practices:focus_area_feed', args=[obj.slug])}"

    def items(self, obj):
        return public_practices().in_focus_area(obj.slug)[:FEED_SIZE]
