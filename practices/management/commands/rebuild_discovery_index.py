"""Re-make discovery's indexes: every practice's words and, in bulk, its meaning vector.

Run it after changing the model (vectors of another model are ignored until re-made) or to repair an
index. ``--missing`` embeds only practices without a vector of the current model; ``--words-only``
skips embedding. Last, every practice's stored "similar practices" is made again (``--similar-only``: just
that).
"""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from practices import discovery
from practices.discovery import embeddings, words
from practices.models import DocumentVector, Practice


class Command(BaseCommand):
    help = "Rewrite the full-text index and re-embed practices (with a progress bar)."

    def add_arguments(self, parser):
        parser.add_argument("--missing", action="store_true", help="embed only practices without a current vector")
        parser.add_argument("--words-only", action="store_true", help="rewrite the full-text index only")
        parser.add_argument("--similar-only", action="store_true", help="re-make the stored similar lists only")
        parser.add_argument("--batch-size", type=int, default=64)

    def handle(self, *args, missing=False, words_only=False, similar_only=False, batch_size=64, **options):
        ids = list(Practice.objects.order_by("pk").values_list("pk", flat=True))
        if similar_only:
            self._similar(ids)
            return
        started = time.monotonic()
        for start in tqdm(range(0, len(ids), 2000), desc="words", unit="batch", disable=not ids):
            words.index_practice_words(ids[start : start + 2000])
        self.stdout.write(f"Full-text index: {len(ids)} practices in {time.monotonic() - started:.1f} s.")
        if words_only:
            return
        if embeddings.get_model() is None:
            self.stderr.write(
                "The meaning model could not be loaded (see the warning above); vectors left as they are."
            )
            self._similar(ids)
            return
        if missing:
            current = set(
                DocumentVector.objects.filter(doc_type=discovery.PRACTICE, model=embeddings.MODEL_NAME).values_list(
                    "doc_id", flat=True
                )
            )
            ids = [pk for pk in ids if pk not in current]
        started = time.monotonic()
        with tqdm(total=len(ids), desc="vectors", unit="practice") as bar:
            for start in range(0, len(ids), batch_size * 8):
                chunk = ids[start : start + batch_size * 8]
                discovery.embed_practices(chunk, batch_size=batch_size)
                bar.update(len(chunk))
        seconds = time.monotonic() - started
        self.stdout.write(f"Vectors: {len(ids)} practices embedded with {embeddings.MODEL_NAME} in {seconds:.1f} s.")
        self._similar(Practice.objects.order_by("pk").values_list("pk", flat=True))

    def _similar(self, ids):
        ids = list(ids)
        started = time.monotonic()
        for start in tqdm(range(0, len(ids), 100), desc="similar", unit="batch", disable=not ids):
            # Each list whole; its neighbours are in ``ids`` too, so they are not refreshed twice over.
            discovery.refresh_similar(ids[start : start + 100], neighbours=False)
        self.stdout.write(f"Similar practices: {len(ids)} lists in {time.monotonic() - started:.1f} s.")
