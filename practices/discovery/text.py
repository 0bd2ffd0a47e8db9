"""Text as discovery reads it: cut to a bounded length, split into content words.

Shared by both databases and both signals, so a query means the same thing everywhere.
"""

import re

# A field pasted whole (10 kB of minutes) is cut here, not refused: the start says what it is about.
MAX_FIELD_CHARS = 2000
# Words sent to the database per query; the rest add little and cost a term each.
MAX_QUERY_WORDS = 24

# PostgreSQL's English stop words (Snowball's list), dropped on both databases so that a query has the
# same words on each; rarity (IDF) weighs down the rest of the common words.
STOP_WORDS = frozenset(
    " ".join(
        [
            "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her",
            "hers herself it its itself they them their theirs themselves what which who whom this that these",
            "those am is are was were be been being have has had having do does did doing a an the and but if or",
            "because as until while of at by for with about against between into through during before after",
            "above below to from up down in out on off over under again further then once here there when where",
            "why how all any both each few more most other some such no nor not only own same so than too very s",
            "t can will just don should now",
        ]
    ).split()
)

# Letters and digits only: underscores and punctuation separate words, as both full-text parsers do.
WORD = re.compile(r"[^\W_]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean(text: str | None, limit: int = MAX_FIELD_CHARS) -> str:
    """One line of text, control characters gone, at most ``limit`` characters (cut at a word)."""
    text = " ".join(CONTROL.sub(" ", text or "").split())
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0]
    return text


def content_words(text: str, limit: int = MAX_QUERY_WORDS) -> list[str]:
    """Lower-cased content words in order of first appearance, without stop words or repeats."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        if word in STOP_WORDS or (len(word) < 2 and word.isascii() and not word.isdigit()) or word in seen:
            continue
        seen[word] = None
        if len(seen) == limit:
            break
    return list(seen)
