"""A Content-Security-Policy on every page, nothing inline that it would block, no Server header.

The suite runs with the development settings (report-only); production enforces the same policy
(tests/test_settings.py checks which header each mode sets).
"""

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)
REQUIRED = ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'")


def policy_of(response) -> str:
    return response.headers.get("Content-Security-Policy") or response.headers.get(
        "Content-Security-Policy-Report-Only", ""
    )


def directives(policy: str) -> set[str]:
    return {part.strip() for part in policy.split(";")}


@pytest.mark.parametrize(
    "path",
    ["/", "/practices/", "/meetings/", "/accounts/login/", "/accounts/signup/", "/no-such-page/"],
)
def test_public_pages_carry_the_policy(client, path):
    response = client.get(path)
    assert response.status_code in (200, 404)
    assert set(REQUIRED) <= directives(policy_of(response))
    assert "unsafe-inline" not in policy_of(response)


def test_member_pages_carry_the_policy(member_client):
    for name in ("meetings:calendar", "coalitions:profile", "notifications:preferences"):
        response = member_client.get(reverse(name))
        assert response.status_code == 200, name
        assert set(REQUIRED) <= directives(policy_of(response)), name


def test_production_setting_enforces_the_policy(client, settings):
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None

    response = client.get("/")

    assert set(REQUIRED) <= directives(response.headers["Content-Security-Policy"])
    assert "Content-Security-Policy-Report-Only" not in response.headers


def template_files() -> list[Path]:
    """Every template the portal renders as a page: ours, and those of our apps (emails excepted:
    a mail client, not a browser with our policy, shows them)."""
    folders = [BASE_DIR / "templates"]
    ours = [Path(app.path) for app in apps.get_app_configs() if "site-packages" not in Path(app.path).parts]
    folders += [path / "templates" for path in ours]
    files = [path for folder in folders if folder.is_dir() for path in folder.rglob("*.html")]
    return [path for path in files if "emails" not in path.relative_to(BASE_DIR).parts]


INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I),
    "inline handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "javascript: link": re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I),
    "inline style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
}


def test_no_template_has_inline_scripts_handlers_or_styles():
    files = template_files()
    assert len(files) > 40  # the walk found the templates
    found = [
        f"{path.relative_to(BASE_DIR)}: {what}"
        for path in files
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_the_scan_would_catch_what_the_calendar_page_used_to_do():
    before = """<input id="feed-url" onclick="this.select()"><button onclick="return confirm('x')">"""
    assert INLINE["inline handler"].search(before)
    assert INLINE["inline script"].search("<script>alert(1)</script>")
    assert not INLINE["inline script"].search('<script src="/static/js/menu.js" defer></script>')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_sends_no_server_header(tmp_path):
    # A real gunicorn, started the way the README says, from the project folder (where it finds
    # gunicorn.conf.py), answering the sign-in page (no database needed for an anonymous GET).
    port = free_port()
    env = {
        "PATH": str(Path(sys.executable).parent),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
                    headers = response.headers
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "Server" not in headers, stderr
    assert "Content-Security-Policy-Report-Only" in headers


def test_only_the_staff_email_preview_allows_inline_style_attributes(partnership_admin_client, member):
    preview = partnership_admin_client.get(reverse("notifications:preview_digest", args=[member.pk]))
    assert "style-src-attr 'unsafe-inline'" in directives(policy_of(preview))
    assert "style-src 'self'" in directives(policy_of(preview))
    assert "unsafe-inline" not in policy_of(partnership_admin_client.get("/"))
