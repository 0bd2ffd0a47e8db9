"""Signed-in lists take their rows and filter form from the shared cache (practices.fragments).

A row is the practice's own: which practices a page lists is still each reader's query, so a cached row
never shows a practice to someone who may not open it. Any change to the practice, its tags or focus
areas, an adoption or a comment shows at once, to its editor first; the publication day follows each
reader's time zone and the snippet each search.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from practices import fragments
from practices.models import Practice
from practices.services import set_content_hidden
from tests.factories import (
    AdoptionFactory,
    CoalitionFactory,
    CommentFactory,
    MembershipFactory,
    PracticeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("practices:list")
MEMBERS = Practice.Visibility.MEMBERS
PUBLIC = Practice.Visibility.PUBLIC


@pytest.fixture
def practice(coalition, member, cybersecurity, kind):
    return PracticeFactory(
        title="Original title",
        summary="Sensors on poles measure parking and loading.",
        coalition=coalition,
        author=member,
        kind=kind,
        focus_areas=[cybersecurity],
        tags=["curbs"],
        visibility=MEMBERS,
    )


def get(client, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params or {})
    assert response.status_code == 200
    return response, len(queries)


def rows(response) -> str:
    return "".join(response.context["rows"])


def test_a_second_visit_renders_no_row_and_loads_no_tags(member_client, practice, other_coalition):
    PracticeFactory.create_batch(3, coalition=other_coalition, tags=["other"], visibility=PUBLIC)
    AdoptionFactory(practice=practice, coalition=other_coalition)
    first, cold = get(member_client)
    # Another URL of the same list: the rows are kept, but not the page's main part.
    again, warm = get(member_client, {"page": "1"})
    assert rows(again) == rows(first) and "Original title" in rows(again)
    assert warm == cold - 4  # no focus areas, tags or adopters read for cached rows, nor the kept count


def _member_of(coalition):
    user = UserFactory(profile__full_name="Hana Hill")
    MembershipFactory(user=user, coalition=coalition)
    return user


def test_a_members_second_visit_reads_the_page_from_its_kept_main_part(
    member_client, practice, coalition, django_assert_max_num_queries
):
    other = Client()
    other.force_login(_member_of(coalition))  # before the first visit: a new profile renews the generation
    get(other, {"page": "2"})  # the new reader's first visit records it (their last-seen time)
    first, cold = get(member_client)
    again, warm = get(other)
    assert again.context["main"] == first.context["main"] and "Original title" in again.context["main"]
    assert "Hana Hill" in again.content.decode()  # the header is the reader's own
    assert "rows" not in again.context  # the page's rows were neither read nor rendered
    assert warm < cold


def test_the_kept_main_part_follows_the_readers_time_zone_and_rights(member_client, practice, coalition):
    first, _ = get(member_client)
    west = _member_of(coalition)
    west.profile.time_zone = "America/Phoenix"
    west.profile.save()
    other = Client()
    other.force_login(west)
    phoenix, _ = get(other)
    assert "rows" in phoenix.context  # made for Phoenix, not read from Denver's
    staff = Client()
    staff.force_login(UserFactory(is_staff=True))
    assert reverse("practices:moderation") in get(staff)[0].content.decode()
    assert reverse("practices:moderation") not in get(member_client)[0].content.decode()


def test_a_search_note_is_said_again_from_the_kept_main_part(member_client, practice, coalition):
    long = "parking " * 40
    other = Client()
    other.force_login(_member_of(coalition))  # before the first visit: a new profile renews the generation
    assert "first 200 characters" in get(member_client, {"q": long})[0].content.decode()
    again, _ = get(other, {"q": long})
    assert "rows" not in again.context and "first 200 characters" in again.content.decode()


def test_an_edit_shows_at_once_to_its_editor(member_client, practice):
    get(member_client)
    data = {
        "title": "Changed title",
        "summary": practice.summary,
        "body": practice.body,
        "focus_areas": ["cybersecurity"],
        "tags": "curbs, lidar",
        "kind": practice.kind_id,
        "maturity": practice.maturity,
        "jurisdiction": "",
        "funding_source": "",
        "contact": "",
        "visibility": practice.visibility,
        "action": "save",
    }
    assert member_client.post(reverse("practices:edit", args=[practice.slug]), data).status_code == 302
    html = rows(get(member_client)[0])
    assert "Changed title" in html and "Original title" not in html
    assert reverse("practices:tag", args=["lidar"]) in html


def test_adoptions_and_comments_show_at_once(member_client, practice, other_coalition):
    assert "1 comment" not in rows(get(member_client)[0])
    AdoptionFactory(practice=practice, coalition=other_coalition)
    CommentFactory(practice=practice)
    html = rows(get(member_client)[0])
    assert other_coalition.short_name in html and "1 comment" in html


def test_a_cached_row_never_lists_a_practice_to_a_reader_who_may_not_open_it(
    client, member_client, outsider_client, partnership_admin, practice
):
    assert "Original title" in rows(get(member_client)[0])  # cached now, as a members-only row
    for reader in (client, outsider_client):
        assert "Original title" not in get(reader)[0].content.decode()
    set_content_hidden(by=partnership_admin, target=practice, hidden=True)
    assert "Original title" not in get(member_client)[0].content.decode()


def test_a_practice_opened_to_the_public_loses_its_badge_at_once(client, member_client, practice):
    assert "Members only" in rows(get(member_client)[0])
    practice.visibility = PUBLIC
    practice.save()
    assert "Members only" not in rows(get(member_client)[0])
    assert "Original title" in rows(get(client)[0])


def test_the_publication_day_follows_each_readers_time_zone(coalition, practice):
    practice.published_at = dt.datetime(2026, 12, 8, 3, 0, tzinfo=dt.UTC)  # 7 Dec in Los Angeles
    practice.save()
    days = {}
    for zone in ("America/Los_Angeles", "Europe/Berlin"):
        reader = UserFactory(profile__time_zone=zone)
        MembershipFactory(user=reader, coalition=coalition)
        browser = Client()
        browser.force_login(reader)
        days[zone] = rows(get(browser)[0])
    assert "Mon 7 Dec 2026" in days["America/Los_Angeles"] and "Tue 8 Dec 2026" in days["Europe/Berlin"]


def test_each_search_shows_its_own_snippet(member_client, practice):
    for word, other in (("parking", "loading"), ("loading", "parking")):
        html = rows(get(member_client, {"q": word})[0])
        assert f"<mark>{word}</mark>" in html.lower() and f"<mark>{other}</mark>" not in html.lower()


def test_the_filter_form_shows_each_readers_values_and_new_choices(member_client, practice):
    def form(params):
        return str(get(member_client, params)[0].context["filter_form"])

    assert '<option value="pilot" selected>' in form({"maturity": "pilot"})
    html = form({"maturity": "idea"})
    assert '<option value="idea" selected>' in html and '<option value="pilot" selected>' not in html
    CoalitionFactory(name="Prairie Smart Cities", slug="prairie")
    assert "Prairie Smart Cities" in form({"maturity": "idea"})
    assert "is not one of the available choices" in form({"maturity": "nonsense"})


def test_without_a_shared_cache_every_row_is_rendered(member_client, practice, monkeypatch):
    monkeypatch.setattr(fragments.selectors, "shared_cache", lambda: None)
    first, cold = get(member_client)
    again, warm = get(member_client)
    assert warm == cold and rows(again) == rows(first)


def test_the_count_is_kept_per_audience_and_renewed_by_a_change(
    member_client, outsider_client, coalition, practice, django_assert_num_queries
):
    PracticeFactory.create_batch(2, coalition=coalition, visibility=PUBLIC)
    first, cold = get(member_client)
    assert first.context["page_obj"].count == 3
    again, warm = get(member_client, {"sort": "updated"})  # another order, the same rows: the count is kept
    assert again.context["page_obj"].count == 3 and warm == cold - 4  # rows (3) and count (1) not read
    assert get(outsider_client)[0].context["page_obj"].count == 2  # the public audience: its own count
    PracticeFactory(coalition=coalition, visibility=PUBLIC)
    assert get(member_client)[0].context["page_obj"].count == 4
    assert get(member_client, {"maturity": "scaled"})[0].context["page_obj"].count == 0  # other filters
