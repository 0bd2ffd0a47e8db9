"""The signed link of the yearly "is this adoption still current?" email.

It names the adoption and the admin it was sent to (tampering is refused); the admin signs in, opening
it only shows a page, and the page's POST button confirms (mail scanners open links). The service checks
that whoever presses it runs the adopting coalition.
"""

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse

SALT = "practices.adoption-confirmation"
# A link answers the question it came with; after this long, the admin confirms from the practice page.
MAX_AGE_SECONDS = 90 * 24 * 60 * 60


class InvalidLink(Exception):
    """Forged, altered or expired."""


@dataclass(frozen=True)
class ConfirmationLink:
    adoption_id: int
    user_id: int


def make_token(*, adoption_id: int, user_id: int) -> str:
    return signing.dumps({"a": adoption_id, "u": user_id}, salt=SALT, compress=True)


def read_token(token: str) -> ConfirmationLink:
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature as exc:  # SignatureExpired is one
        raise InvalidLink(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("a"), int) or not isinstance(data.get("u"), int):
        raise InvalidLink("unexpected payload")
    return ConfirmationLink(adoption_id=data["a"], user_id=data["u"])


def confirm_path(*, adoption_id: int, user_id: int) -> str:
    return reverse("practices:adoption_confirm_link", args=[make_token(adoption_id=adoption_id, user_id=user_id)])
