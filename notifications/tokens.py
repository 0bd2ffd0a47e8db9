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


class RetiredKind(InvalidToken):
    """A genuine link about a kind of email the portal no longer sends: nothing to turn off."""


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
    if not isinstance(data, dict) or not isinstance(data.get("k"), str) or not isinstance(data.get("u"), int):
        raise InvalidToken("unexpected payload")
    if data["k"] not in KIND_LABELS:
        # Signed by us, so once a real kind: links in old emails outlive the kinds they name.
        raise RetiredKind(data["k"])
    return UnsubscribeToken(user_id=data["u"], kind=data["k"])
