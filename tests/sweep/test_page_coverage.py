"""Every page the portal renders is checked in a browser: by the page checks or by a journey.

The browser checks themselves (axe-core at two widths, console errors) run in ``tests/e2e/``;
this test needs no browser, so it runs in every pass and fails as soon as a page is added without
being covered.
"""

import pytest

from tests.e2e.pages import JOURNEY_PAGES, PAGE_CHECKS, PERSONAS, all_page_names, is_page, page_urls
from tests.sweep.outcomes import isolated

# One process builds the world and asks for every page once, for both tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("page-coverage")]


def _renders_a_page(name, world, clients) -> bool:
    for url in page_urls(name, world):
        for persona in PERSONAS:
            response = isolated(lambda client=clients[persona], url=url: client.get(url)).response
            if response is not None and is_page(response):
                return True
    return False


@pytest.fixture(scope="module")
def pages(world, persona_clients) -> set[str]:
    """The URL names that render a page for at least one persona (a 200 with HTML to a plain GET)."""
    return {name for name in all_page_names() if _renders_a_page(name, world, persona_clients)}


def test_every_page_is_covered_by_the_page_checks_or_a_journey(pages):
    covered = set(PAGE_CHECKS) | set(JOURNEY_PAGES)
    uncovered = sorted(pages - covered)
    stale = sorted(covered - set(all_page_names()))
    problems = []
    if uncovered:
        problems += [
            "These URL patterns render a page that no browser check opens. Add each to PAGE_CHECKS in",
            "tests/e2e/pages.py (it is then checked with axe-core as every persona who sees it, at both widths),",
            "or to JOURNEY_PAGES with the journey that reaches it:",
            *(f'    "{name}",' for name in uncovered),
        ]
    if stale:
        problems += ["These covered names are no URL pattern any more; remove them:", *stale]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_every_page_check_opens_a_page(pages):
    """A name in PAGE_CHECKS that no persona can open would be checked by nothing."""
    assert sorted(set(PAGE_CHECKS) - pages) == []
