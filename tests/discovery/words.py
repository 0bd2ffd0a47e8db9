"""Content words of a text, stemmed: how the evaluation set decides that two titles share a word.

English Snowball stemming (``snowballstemmer``, the stemmer PostgreSQL's ``english`` configuration and
SQLite's porter tokenizer descend from) after dropping the Snowball English stop words, so "Schools" and
"school", "deliveries" and "delivery" count as one word while "the" and "for" count as none.
"""

import re
from functools import cache

import snowballstemmer

# The Snowball project's English stop list, plus "can", "will" and "just" (the words NLTK adds to it).
_STOP_LIST = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
    herself it its itself they them their theirs themselves what which who whom this that these those am is
    are was were be been being have has had having do does did doing would should could ought i'm you're
    he's she's it's we're they're i've you've we've they've i'd you'd he'd she'd we'd they'd i'll you'll
    he'll she'll we'll they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't won't
    wouldn't shan't shouldn't can't cannot couldn't mustn't let's that's who's what's here's there's when's
    where's why's how's a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over under again
    further then once here there when where why how all any both each few more most other some such no nor
    not only own same so than too very can will just
"""
STOP_WORDS = frozenset(_STOP_LIST.split())

# Letters and digits, with an inner apostrophe kept ("can't", "intruder's"); hyphens and dots split words.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


@cache
def _stemmer():
    return snowballstemmer.stemmer("english")


def content_words(text: str) -> list[str]:
    """Lowercase words of ``text`` that carry meaning: stop words, possessive ``'s`` and one-letter
    fragments ("e" of "e-scooter") dropped."""
    words = []
    for word in WORD.findall(text.lower().replace("’", "'")):
        if word in STOP_WORDS:
            continue
        word = re.sub(r"'s$", "", word)
        if len(word) > 1 and word not in STOP_WORDS:
            words.append(word)
    return words


def content_stems(text: str) -> set[str]:
    """The stems of ``text``'s content words."""
    return set(_stemmer().stemWords(content_words(text)))


def shared_stems(a: str, b: str) -> set[str]:
    return content_stems(a) & content_stems(b)
