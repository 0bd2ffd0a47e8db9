"""Signed unsubscribe tokens: they carry a user id and a kind, and work without logging in."""

from dataclasses import dataclass

from django.core import signing

SALT = "notifications.unsubscribe"

# The kinds a member can turn off from an email, and how pages name them.
DIGEST = "digest"
REMINDERS = "reminders"
KIND_LABELS = {DIGEST: "the practice digest", REMINDERS: "meeting reminders and follow-ups"}


class InvalidToken(Exception):
    """Forged, altered or about an unknown kind."""


@dataclass(frozen=True)
class UnsubscribeToken:
    user_id: int
    kind: str


def make_unsubscribe_token(*, user_id: int, kind: str) -> str:
    if kind not in KIND_LABELS:
        raise ValueError(f"Unknown unsubscribe kind {kind!r}")
    # signing.dumps signs with a TimestampSigner; the links never expire on purpose: an unsubscribe
    # link in a year-old email must still work.
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT)


def read_unsubscribe_token(token: str) -> UnsubscribeToken:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise InvalidToken("bad signature") from exc
    if not isinstance(data, dict) or data.get("k") not in KIND_LABELS or not isinstance(data.get("u"), int):
        raise InvalidToken("unexpected payload")
    return UnsubscribeToken(user_id=data["u"], kind=data["k"])
