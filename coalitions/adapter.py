"""How allauth signs people in and mails them here (ACCOUNT_ADAPTER).

Four departures from allauth's defaults, each for a reason it cannot be configured:
- the failed-login throttle's per-account key also names the client's address, so the limit is
  per (account, address) pair: allauth offers per address, per account and per signed-in user,
  and a per-account limit lets anyone who knows a member's address keep them out from anywhere;
- a request with fewer X-Forwarded-For entries than ALLAUTH_TRUSTED_PROXY_COUNT is answered, not
  a 500: allauth raises ImproperlyConfigured for it;
- links in its emails start with SITE_URL, as every other link the portal mails does, instead of
  the Host header of whichever request triggered the email;
- confirming a new account's address leads on to asking to join a coalition: signed in at once
  (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION, in the browser that signed up) and sent to the list of
  coalitions, or, from another browser, to log in and then to that list.
"""

import logging
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.urls import reverse

logger = logging.getLogger(__name__)


def welcome_url() -> str:
    """The list of coalitions, with a word on what comes next for a newly confirmed account."""
    return reverse("coalitions:list") + "?welcome=1"


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth hashes this into its "key" throttle (5 failures in 5 minutes, ACCOUNT_RATE_LIMITS)
        # and clears it after a password reset from the same address. With the address in it,
        # failures for a member's account from one place never refuse them somewhere else; the
        # per-address throttle ("ip") still bounds how many accounts one place can try.
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        # get_ip is the address allauth's own "ip" throttle uses (an IPv6 address as its /64).
        return f"{account_key}@{get_ip(request)}"

    def get_client_ip(self, request) -> str:
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            # It did not pass through all of our proxies (or the count is set too high): the peer
            # that connected is the only address we know.
            logger.warning("X-Forwarded-For has fewer entries than ALLAUTH_TRUSTED_PROXY_COUNT")
            address = request.META.get("REMOTE_ADDR")
            if not address:
                raise PermissionDenied("Unable to determine client IP address") from None
            return address

    def get_signup_redirect_url(self, request) -> str:
        # Where a new account lands once its address is confirmed (verification is mandatory, so
        # the sign-in that follows the confirmation link uses this): the coalitions, to ask to join.
        # A sign-up that came with ``next`` (an invitation link) returns there instead.
        return welcome_url()

    def get_email_verification_redirect_url(self, email_address) -> str:
        if not self.request.user.is_authenticated:
            # Confirmed in another browser than the one that signed up: log in, then ask to join.
            return f"{reverse('account_login')}?next={quote(welcome_url())}"
        return super().get_email_verification_redirect_url(email_address)

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The "unknown account" and "account already exists" emails carry links allauth builds from
        # the request outside the two hooks above.
        if "signup_url" in context:
            context = {**context, "signup_url": site_url(reverse("account_signup"))}
        if template_prefix == "account/email/account_already_exists":
            context = {**context, "password_reset_url": site_url(reverse("account_reset_password"))}
        super().send_mail(template_prefix, email, context)
