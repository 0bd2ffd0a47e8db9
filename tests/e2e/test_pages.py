"""Every page, as every persona who may see it, has no serious or critical axe-core violation
(WCAG 2.1 A and AA), no phone tap target under 44x44 px and no JavaScript console error, on a
desktop and on a phone.

The pages are those of ``PAGE_CHECKS`` (tests/e2e/pages.py), opened with the sweep's world; which
persona sees a page is asked of the server first (a 200 with HTML), so a page a persona may not
open is passed over for them rather than listed by hand. To keep the run to a few minutes, each
persona checks the first URL of every page it sees; the page's other URLs (a draft, a hidden
practice, a past or cancelled meeting…) are checked once, by the first persona that sees them
(admins come first: they see the most), and a page whose HTML is the same as one already checked
(but for the CSRF token and the visitor's own name) is not checked again. At the phone's width each
page is checked once signed in and once signed out: the same template lays out alike for everyone.
"""

import hashlib
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.pages import ERROR_PAGES, PAGE_CHECKS, PERSONAS, get, is_page, page_urls
from tests.sweep.conftest import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Frank (``other_admin``) is a coalition admin as Bob is: the same pages, for another coalition.
CHECKED_PERSONAS = ["partnership_admin", "coalition_admin", "member", "other_member", "outsider", "anonymous"]
assert set(CHECKED_PERSONAS) == set(PERSONAS) - {"other_admin"}
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|data-csrf=)"[^"]*"')


def _signed_in(browser, live_server, user):
    """A browser context with ``user``'s session (no trip through the login form), and its test client."""
    client = Client()
    context = browser.new_context(viewport=DESKTOP)
    if user is not None:
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return client, context


def _fingerprint(response, user) -> str:
    html = CSRF.sub("", response.content.decode())
    if user is not None:
        html = html.replace(user.profile.display_name, "").replace(user.email, "")
    return hashlib.sha256(html.encode()).hexdigest()


def _check_both_widths(page, check, url: str, name: str, *, phone: bool = True) -> list[str]:
    page.set_viewport_size(DESKTOP)
    page.goto(url)
    found = check.problems(page, name, screenshot=False)
    if not phone:
        return found
    page.set_viewport_size(PHONE)
    found += check.problems(page, name, screenshot=False)
    if name == "home":  # the phone's menu, opened
        page.get_by_role("link", name="Menu", exact=True).click()
        found += check.problems(page, "the phone menu", screenshot=False)
    return found


# The pages are checked in shards, each a test of its own, so that the test processes share them: as one
# test they took six minutes of one process while the other sat idle. A page's checks (its personas, its
# other URLs, its phone width) all fall in the same shard, so each is still checked once.
PAGE_SHARDS = 4


def shard_pages(shard: int) -> list[str]:
    return list(PAGE_CHECKS)[shard::PAGE_SHARDS]


def test_the_shards_check_every_page_once():
    shards = [shard_pages(shard) for shard in range(PAGE_SHARDS)]
    assert sorted(name for names in shards for name in names) == sorted(PAGE_CHECKS)


@pytest.mark.parametrize("shard", range(PAGE_SHARDS), ids=lambda shard: f"shard-{shard + 1}-of-{PAGE_SHARDS}")
def test_every_page_has_no_serious_axe_violation_small_target_or_console_error(
    browser, live_server, check, console, shard
):
    world = build_world()
    names = shard_pages(shard)
    failures, checked, seen, variants_checked, on_phone = [], {}, set(), set(), set()
    for persona in CHECKED_PERSONAS:
        user = world.users.get(persona)
        client, context = _signed_in(browser, live_server, user)
        page = console.watch(context.new_page())
        for name in names:
            for index, url in enumerate(page_urls(name, world)):
                if index > 0 and url in variants_checked:
                    continue
                response = get(client, url)
                if not is_page(response):
                    continue
                checked.setdefault(name, set()).add(persona)
                variants_checked.add(url)
                fingerprint = _fingerprint(response, user)
                if fingerprint in seen:
                    continue
                seen.add(fingerprint)
                # Every distinct page at the desktop width; at the phone's, each page once per URL
                # pattern and persona kind (signed in or not): the same template lays out the same way
                # whoever reads it, and the axe runs are most of this test's minutes.
                phone = (name, user is None) not in on_phone
                on_phone.add((name, user is None))
                found = _check_both_widths(page, check, live_server.url + url, name, phone=phone)
                failures += [f"As {persona}: {problem}" for problem in found]
        for label, where, who in ERROR_PAGES if shard == 0 else ():
            if who == persona:
                url = where if where.startswith("/") else reverse(where, kwargs={"slug": world.coalition.slug})
                assert get(client, url).status_code == int(label)
                failures += _check_both_widths(page, check, live_server.url + url, f"the {label} page")
        context.close()
    assert sorted(checked) == sorted(names), "some pages were opened by no persona"
    print(f"{len(seen)} distinct pages checked at both widths (shard {shard + 1} of {PAGE_SHARDS})")
    assert not failures, "\n\n".join(failures)
