"""Re-render the stored HTML of every Markdown field in the portal, e.g. after a sanitizer rule changed.

Each model that keeps rendered Markdown (``practices.markdown.RendersMarkdown``) is found among the
installed apps, so apps above this one (meetings) are covered without importing them.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from practices.markdown import RendersMarkdown, render_stored_html


def markdown_models() -> list:
    return [model for model in apps.get_models() if issubclass(model, RendersMarkdown)]


class Command(BaseCommand):
    help = "Re-render the stored HTML of every Markdown field (practices, comments, adoptions, meetings…)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--model",
            action="append",
            metavar="APP.MODEL",
            help="Only this model (repeatable), e.g. practices.Practice.",
        )
        parser.add_argument("--chunk-size", type=int, default=500, help="Rows read and written at a time.")

    def handle(self, *args, model=None, chunk_size=500, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        models = markdown_models()
        if model:
            wanted = {label.lower() for label in model}
            known = {m._meta.label_lower for m in models}
            if unknown := wanted - known:
                raise CommandError(
                    f"No Markdown fields on {', '.join(sorted(unknown))}. Choose from: {', '.join(sorted(known))}."
                )
            models = [m for m in models if m._meta.label_lower in wanted]
        total = 0
        for markdown_model in models:
            queryset = markdown_model._base_manager.all()
            with tqdm(
                total=queryset.count(), desc=markdown_model._meta.label, unit="row", file=self.stdout
            ) as progress:
                total += render_stored_html(
                    queryset, markdown_model.markdown_fields, chunk_size=chunk_size, progress=progress
                )
        self.stdout.write(self.style.SUCCESS(f"Rendered {total} rows."))
