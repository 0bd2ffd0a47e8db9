"""Free-tag input: people type "Open Data, open data ,  RFP" and mean two tags."""

import re

from django.core.exceptions import ValidationError

MAX_TAGS = 20
MAX_TAG_LENGTH = 50


def normalize_tags(raw: str) -> list[str]:
    """Split a comma-separated string (new lines count as commas) into clean tags: stripped, inner spaces
    collapsed, lowercase, duplicates dropped, first-seen order kept.

    Raises ``ValidationError`` for a tag without a letter or digit (it would have no page address),
    a tag over MAX_TAG_LENGTH characters, or more than MAX_TAGS tags.
    """
    tags: list[str] = []
    for piece in re.split(r"[,\n]", raw or ""):
        tag = " ".join(piece.split()).lower()
        if not tag or tag in tags:
            continue
        if not re.search(r"\w", tag):
            raise ValidationError("“%(tag)s” is not a tag: use letters or numbers.", params={"tag": tag})
        if len(tag) > MAX_TAG_LENGTH:
            raise ValidationError(
                "“%(tag)s…” is too long: tags may have at most %(max)s characters.",
                params={"tag": tag[:20], "max": MAX_TAG_LENGTH},
            )
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError("Use at most %(max)s tags.", params={"max": MAX_TAGS})
    return tags


def tags_to_text(names) -> str:
    return ", ".join(names)
