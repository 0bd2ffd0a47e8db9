"""Limits on outside submissions, per client address and per email address, in the shared cache.

The client's address is the one allauth's throttles use (``get_ip``: X-Forwarded-For as far as
ALLAUTH_TRUSTED_PROXY_COUNT trusts it, an IPv6 address as its /64), so a visitor behind our proxy is
not confused with everyone else behind it. Fixed windows: a count per key that expires with its window.
"""

import hashlib

from allauth.core.internal.ratelimit import get_ip
from django.conf import settings
from django.core.cache import cache

# (how many, per seconds): a person answers a call a few times at most; a bot a thousand.
DEFAULT_LIMITS = {"address": (10, 3600), "email": (3, 3600)}


def _limits() -> dict:
    return getattr(settings, "CALL_SUBMISSION_LIMITS", DEFAULT_LIMITS)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"calls:submit:{kind}:{digest}"


def _take(kind: str, value: str) -> bool:
    limit, window = _limits()[kind]
    key = _key(kind, value)
    # add() makes the count with its expiry only if absent; incr() is atomic in Redis.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit


def submission_allowed(request, email: str) -> bool:
    """Count this attempt against the client's address and the email address; False once either is over."""
    by_address = _take("address", get_ip(request))
    by_email = _take("email", email) if email else True
    return by_address and by_email
