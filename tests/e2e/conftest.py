"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Every page a journey or the page checks open is also checked for accessibility with axe-core
(WCAG 2.1 A and AA rules; a serious or critical violation fails the test) and watched for
JavaScript console errors (any one fails the test). Tests that take the ``viewport`` fixture run
twice: on a desktop (1280x800) and on a phone (390x844).
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# axe-core comes from the npm registry: `.ci/run` installs it here (npm install --prefix .ci/npm axe-core).
AXE_JS = Path(settings.BASE_DIR) / ".ci" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
# The live server serves it as a static file of the tests' own (see ``check``), so a page loads it like
# its own scripts: the browser keeps it and its compiled code between pages, where handing the page the
# source (0.5 MB) made Chromium read and compile it again on every page (a quarter of a page check).
AXE_STATIC_PREFIX = "tests-axe-core"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
# Screenshots of every checked page, at each width (gitignored with the rest of var/).
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}

# live_server runs Django in a thread next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# `.ci/run` sets it: there a missing browser or axe-core is a failure, not a reason to skip.
REQUIRED = os.environ.get("REQUIRE_BROWSER_CHECKS") == "1"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or REQUIRED:
        return
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


def pytest_generate_tests(metafunc):
    if "viewport" in metafunc.fixturenames:
        metafunc.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args, request):
    if "viewport" in request.fixturenames:
        return {**browser_context_args, "viewport": request.getfixturevalue("viewport")}
    return browser_context_args


def login(page, live_server, email, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")


# --- Console errors ----------------------------------------------------------------------------


class ConsoleWatch:
    """JavaScript errors and console errors of the pages it watches (a failed request logs one too)."""

    def __init__(self):
        self.errors: list[str] = []

    def watch(self, page):
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))
        return page

    def _console(self, page, message):
        where = message.location.get("url") or page.url
        # The document's own status (a 404 page answering 404) is the test's business, not a script's.
        if message.type == "error" and not (message.text.startswith("Failed to load resource") and where == page.url):
            self.errors.append(f"{page.url}: {message.text} ({where})")

    def take(self) -> list[str]:
        errors, self.errors = self.errors, []
        return errors


@pytest.fixture
def console(request):
    """Watches the test's ``page`` (and any page handed to ``console.watch``); fails on any console error."""
    watch = ConsoleWatch()
    if "page" in request.fixturenames:
        watch.watch(request.getfixturevalue("page"))
    yield watch
    errors = watch.take()
    assert not errors, "JavaScript console errors:\n" + "\n".join(errors)


# --- axe-core ----------------------------------------------------------------------------------


# Pages where every text colour must be measurable: axe-core's "needs review" (incomplete) answer for
# color-contrast, given when text sits on a background image or gradient it cannot measure, fails
# there as a violation would. The landing page's hero is the one place the portal ever put text on one.
MEASURED_CONTRAST_PAGES = {"home"}


def axe_violations(page, *, measured_contrast: bool = False) -> list[str]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is laid out now;
    with ``measured_contrast``, also each text whose colour contrast axe could not measure."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=f"{settings.STATIC_URL}{AXE_STATIC_PREFIX}/{AXE_JS.name}")
    result_types = ["violations", "incomplete"] if measured_contrast else ["violations"]
    # Only the lists read below come back: axe-core's whole result (every rule that passed or did not
    # apply, with a node each) is tens of kilobytes for Chromium, Playwright and Python to pass along.
    result = page.evaluate(
        "([tags, types]) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: types})"
        ".then(r => ({violations: r.violations, incomplete: types.includes('incomplete') ? r.incomplete : []}))",
        [AXE_TAGS, result_types],
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        found.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n" + _nodes(violation))
    if measured_contrast:
        for unmeasured in result["incomplete"]:
            if unmeasured["id"] != "color-contrast":
                continue
            # A symbol (the header's ◆) has no text contrast to measure; every other reason does.
            nodes = [node for node in unmeasured["nodes"] if _reason(node) != "nonBmp"]
            if nodes:
                found.append(
                    f"  [needs review] color-contrast: {unmeasured['help']}, not measurable\n"
                    + _nodes({"nodes": nodes})
                )
    return found


def _reason(node: dict) -> str:
    """Why axe-core could not decide on ``node`` (bgImage, bgGradient, bgOverlap, nonBmp…)."""
    for check in node.get("any", []):
        key = (check.get("data") or {}).get("messageKey") if isinstance(check.get("data"), dict) else None
        if key:
            return key
    return ""


def _nodes(result: dict) -> str:
    lines = []
    for node in result["nodes"][:5]:
        summary = (node.get("failureSummary") or "").strip().splitlines()
        lines.append(f"      {' '.join(node['target'])}: {summary[-1].strip() if summary else ''}")
    return "\n".join(lines)


# Phones: buttons, button-styled links, the menu and checkboxes or radios (with their label) that are
# smaller than 44x44 px. Links inside text are exempt (WCAG 2.5.5), as are hidden elements.
SMALL_TARGETS_JS = """
() => {
  const selector = 'button, a.button, input[type=submit], .menu-link, .site-nav a, .pagination a, '
    + 'input[type=checkbox], input[type=radio]';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const style = getComputedStyle(el);
    if (!el.getClientRects().length || style.visibility === 'hidden') continue;
    let box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden
    if (el.matches('input[type=checkbox], input[type=radio]')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
      if (label) {
        const l = label.getBoundingClientRect();
        const left = Math.min(box.left, l.left), top = Math.min(box.top, l.top);
        box = {width: Math.max(box.right, l.right) - left, height: Math.max(box.bottom, l.bottom) - top};
      }
    }
    if (box.width < 43.5 || box.height < 43.5) {
      const name = (el.innerText || el.value || el.name || el.id || '').trim().slice(0, 40);
      small.push(`${el.tagName.toLowerCase()} "${name}": ${Math.round(box.width)}x${Math.round(box.height)} px`);
    }
  }
  return small;
}
"""
PHONE_MAX_WIDTH = 600


def small_targets(page) -> list[str]:
    if page.viewport_size["width"] > PHONE_MAX_WIDTH:
        return []
    return page.evaluate(SMALL_TARGETS_JS)


def screenshot_name(name: str, page) -> Path:
    width = page.viewport_size["width"]
    return SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower()).strip('-')}-{width}.png"


class Checker:
    """``check(page, "name")``: axe-core on the page as shown now, a screenshot, and the console so far."""

    def __init__(self, console: ConsoleWatch):
        self.console = console

    def problems(self, page, name: str, *, screenshot: bool = True, full_page: bool = False) -> list[str]:
        page.wait_for_load_state()
        if screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot_name(name, page), full_page=full_page)
        violations = axe_violations(page, measured_contrast=name in MEASURED_CONTRAST_PAGES)
        small = small_targets(page)
        errors = self.console.take()
        width = page.viewport_size["width"]
        report = []
        if violations:
            report.append(f"axe-core on {name} ({page.url}, {width} px wide):\n" + "\n".join(violations))
        if small:
            report.append(
                f"Tap targets under 44x44 px on {name} ({page.url}, {width} px wide):\n  " + "\n  ".join(small)
            )
        if errors:
            report.append(f"JavaScript console errors on {name} ({width} px wide):\n" + "\n".join(errors))
        return report

    def __call__(self, page, name: str, **options) -> None:
        report = self.problems(page, name, **options)
        assert not report, "\n".join(report)


@pytest.fixture
def check(console, settings):
    if not AXE_JS.exists():
        reason = f"axe-core is not installed: `npm install --prefix .ci/npm axe-core@4.14.1` (looked for {AXE_JS})"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    # The live server serves static files through the finders, so this folder is found under its prefix.
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, (AXE_STATIC_PREFIX, str(AXE_JS.parent))]
    return Checker(console)
