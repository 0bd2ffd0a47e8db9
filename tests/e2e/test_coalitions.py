"""A newcomer signs up, confirms their email, asks to join a coalition, and its admin lets them in."""

import re

import pytest
from playwright.sync_api import expect

from coalitions.models import Membership
from tests.e2e.conftest import login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_newcomer_signs_up_confirms_asks_to_join_and_admin_approves(
    page, browser, live_server, mailoutbox, coalition, coalition_admin, viewport, check, console
):
    # Sign up.
    page.goto(f"{live_server.url}/accounts/signup/")
    check(page, "sign-up")
    page.get_by_label("Email").fill("gina@example.org")
    page.get_by_label("Full name").fill("Gina Gomez")
    page.get_by_label("Job title").fill("Open Data Lead, City of Pueblo")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-unusual-pass-2026")
    page.get_by_label("Password (again)").fill("a-long-unusual-pass-2026")
    page.get_by_role("main").get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    check(page, "sign-up-verify-email")

    # Read the verification email and confirm.
    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mailoutbox[0].body).group(0)
    page.goto(link.replace("http://testserver", live_server.url))
    check(page, "confirm-email")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # Ask to join.
    page.goto(f"{live_server.url}/coalitions/colorado/")
    check(page, "coalition-ask-to-join", full_page=True)
    page.get_by_label("Message to the coalition's admins (optional)").fill("Pueblo is opening its transit data.")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.get_by_text("was sent to its admins")).to_be_visible()
    expect(page.get_by_role("heading", name="Request pending")).to_be_visible()
    check(page, "coalition-request-pending")

    # The coalition's admin approves, in a browser of their own.
    admin_context = browser.new_context(viewport=viewport)
    admin_page = console.watch(admin_context.new_page())
    login(admin_page, live_server, coalition_admin.email, PASSWORD)
    admin_page.goto(f"{live_server.url}/coalitions/colorado/manage/")
    expect(admin_page.get_by_text("Pueblo is opening its transit data.")).to_be_visible()
    check(admin_page, "coalition-manage", full_page=True)
    admin_page.get_by_role("button", name="Approve").click()
    expect(admin_page.get_by_text("Gina Gomez is now a member of CSCA.")).to_be_visible()
    check(admin_page, "coalition-approved")
    admin_context.close()

    # The newcomer is in.
    page.reload()
    expect(page.get_by_role("heading", name="You are a member")).to_be_visible()
    check(page, "coalition-member")
    assert Membership.objects.filter(user__email="gina@example.org", coalition=coalition).exists()
    # ...and was told so by email, with a link back to the coalition.
    welcome = [m for m in mailoutbox if m.to == ["gina@example.org"] and "Welcome to" in m.subject]
    assert len(welcome) == 1
    assert "/coalitions/colorado/" in welcome[0].body


def _link(message, path: str, live_server) -> str:
    url = re.search(rf"https?://\S+{path}\S*", message.body).group(0)
    return re.sub(r"^https?://[^/]+", live_server.url, url)


def test_member_resets_a_forgotten_password_and_signs_in_with_the_new_one(page, live_server, mailoutbox, member):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("main input[name=email]", member.email)
    page.locator("main form button[type=submit]").click()
    assert page.get_by_role("heading", name="Password Reset").is_visible()

    page.goto(_link(mailoutbox[-1], "/accounts/password/reset/key/", live_server))
    page.fill("input[name=password1]", "a-brand-new-pass-2026")
    page.fill("input[name=password2]", "a-brand-new-pass-2026")
    page.get_by_role("button", name="Change Password").click()
    assert page.get_by_role("heading", name="Password changed").is_visible()

    page.get_by_role("link", name="Sign in").click()
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", "a-brand-new-pass-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/coalitions/profile/")
    assert page.get_by_role("heading", name="Your profile").is_visible()


def test_member_adds_a_work_address_confirms_it_and_makes_it_primary(page, live_server, mailoutbox, member):
    login(page, live_server, member.email, PASSWORD)
    page.goto(f"{live_server.url}/accounts/email/")
    page.fill("main input[name=email][type=email]", "alice@work.example.org")
    page.locator("main button[name=action_add]").click()
    assert page.get_by_text("Confirmation email sent to alice@work.example.org").is_visible()

    page.goto(_link(mailoutbox[-1], "/accounts/confirm-email/", live_server))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(f"{live_server.url}/accounts/email/")
    page.check("main input[value='alice@work.example.org']")
    page.locator("main button[name=action_primary]").click()

    assert page.get_by_text("Primary email address set.").is_visible()
    member.refresh_from_db()
    assert member.email == "alice@work.example.org"
