"""Meaning: stored vectors and the in-process index every web and worker process searches.

Generic over kinds of document: a vector is stored under ``(doc_type, doc_id)``, and
``VectorIndex(doc_type)`` ranks the ids of that type by cosine similarity to a query's vector.

Each process keeps its own float32 matrix (rows L2-normalized, so a dot product is the cosine):
384 × 4 bytes = 1.5 kB per document, about 154 MB at 100,000. It stays correct across processes by
asking the database, at most once a second, for the newest ``updated`` of that type (one indexed
query); anything newer than what it holds is fetched and written into the matrix. Rows are fetched
with a ten-second overlap, so a vector committed late with an earlier timestamp is not missed.
Deleted documents may linger in the matrix: callers filter ids through their own querysets.
"""

import threading
import time
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from . import embeddings

CHECK_INTERVAL_SECONDS = 1.0
OVERLAP = timedelta(seconds=10)


def store_vectors(doc_type: str, vectors: dict[int, np.ndarray], using: str = "default") -> None:
    """Write (or replace) the stored vectors of these documents, in bulk."""
    from ..models import DocumentVector

    if not vectors:
        return
    now = timezone.now()
    rows = [
        DocumentVector(
            doc_type=doc_type,
            doc_id=doc_id,
            model=embeddings.MODEL_NAME,
            vector=np.asarray(vector, dtype=np.float32).tobytes(),
            updated=now,
        )
        for doc_id, vector in vectors.items()
    ]
    with transaction.atomic(using=using):
        DocumentVector.objects.using(using).bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["doc_type", "doc_id"],
            update_fields=["model", "vector", "updated"],
            batch_size=500,
        )


def embed_documents(doc_type: str, texts: dict[int, str], using: str = "default", batch_size: int = 32) -> int:
    """Embed these documents' texts and store the vectors; returns how many were stored (0 without a model)."""
    stored = 0
    items = list(texts.items())
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        vectors = embeddings.embed_passages([text for _, text in batch])
        if vectors is None:
            return stored
        store_vectors(doc_type, {doc_id: vectors[i] for i, (doc_id, _) in enumerate(batch)}, using)
        stored += len(batch)
    return stored


class VectorIndex:
    """The vectors of one kind of document, in this process's memory, searched with numpy."""

    def __init__(self, doc_type: str, using: str = "default"):
        self.doc_type = doc_type
        self.using = using
        self._lock = threading.Lock()
        self._clear()

    def _clear(self):
        # Capacity grows by doubling, so one new practice does not copy the whole matrix.
        self._matrix = np.zeros((0, embeddings.DIMENSIONS), dtype=np.float32)
        self._ids = np.zeros(0, dtype=np.int64)
        self._size = 0
        self._row_of: dict[int, int] = {}
        self._seen = None  # newest ``updated`` loaded
        self._checked = 0.0

    @property
    def memory_bytes(self) -> int:
        return self._matrix.nbytes + self._ids.nbytes + 100 * len(self._row_of)  # + the id -> row dict

    def __len__(self):
        return len(self._row_of)

    def refresh(self, *, force: bool = False) -> None:
        """Fetch vectors written since the last look (by any process); at most once a second."""
        from ..models import DocumentVector

        now = time.monotonic()
        if not force and now - self._checked < CHECK_INTERVAL_SECONDS:
            return
        with self._lock:
            self._checked = now
            rows = DocumentVector.objects.using(self.using).filter(doc_type=self.doc_type, model=embeddings.MODEL_NAME)
            if self._seen is not None:
                newest = rows.aggregate(newest=Max("updated"))["newest"]
                if newest is None:
                    self._clear()
                    self._checked = now
                    return
                if newest <= self._seen:
                    return
                rows = rows.filter(updated__gte=self._seen - OVERLAP)
            # The first look loads everything in one query and notes the newest change it saw.
            seen = self._add(rows.values_list("doc_id", "vector", "updated").iterator(chunk_size=2000))
            if seen is not None:
                self._seen = max(seen, self._seen) if self._seen else seen

    def _add(self, rows):
        """Write these ``(doc_id, vector bytes, updated)`` rows into the matrix; returns the newest ``updated``."""
        new_ids, new_vectors, newest = [], [], None
        for doc_id, blob, updated in rows:
            newest = updated if newest is None or updated > newest else newest
            vector = np.frombuffer(bytes(blob), dtype=np.float32)
            if vector.shape != (embeddings.DIMENSIONS,):
                continue
            row = self._row_of.get(doc_id)
            if row is None:
                new_ids.append(doc_id)
                new_vectors.append(vector)
            else:
                self._matrix[row] = vector
        if new_ids:
            start, end = self._size, self._size + len(new_ids)
            if end > len(self._ids):
                capacity = max(end, 2 * len(self._ids)) if self._size else end
                matrix = np.zeros((capacity, embeddings.DIMENSIONS), dtype=np.float32)
                matrix[:start] = self._matrix[:start]
                ids = np.zeros(capacity, dtype=np.int64)
                ids[:start] = self._ids[:start]
                self._matrix, self._ids = matrix, ids
            self._matrix[start:end] = np.stack(new_vectors)
            self._ids[start:end] = new_ids
            self._size = end
            for offset, doc_id in enumerate(new_ids):
                self._row_of[doc_id] = start + offset
        return newest

    def search(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` ids nearest to ``query`` (a normalized vector), with their cosine, best first."""
        self.refresh()
        size = self._size
        matrix, ids = self._matrix[:size], self._ids[:size]
        if not size:
            return []
        scores = matrix @ query
        limit = min(limit, len(ids))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top]

    def vectors_of(self, doc_ids) -> dict[int, np.ndarray]:
        self.refresh()
        return {doc_id: self._matrix[self._row_of[doc_id]] for doc_id in doc_ids if doc_id in self._row_of}


_indexes: dict[tuple[str, str], VectorIndex] = {}
_indexes_lock = threading.Lock()


def index_for(doc_type: str, using: str = "default") -> VectorIndex:
    with _indexes_lock:
        index = _indexes.get((doc_type, using))
        if index is None:
            index = _indexes[(doc_type, using)] = VectorIndex(doc_type, using)
        return index


def reset() -> None:
    """Drop every in-process index (tests, where rolled-back ids are reused)."""
    with _indexes_lock:
        _indexes.clear()
