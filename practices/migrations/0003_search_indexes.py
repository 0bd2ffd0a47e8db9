from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from practices.migration_operations import PostgresOnlyRunSQL


class Migration(migrations.Migration):
    """PostgreSQL only (no-ops on SQLite): pg_trgm, a GIN index on the stored search vector, and a
    trigram GIN index on titles for "similar practices"."""

    dependencies = [
        ("practices", "0002_attachments_reports_search"),
    ]

    operations = [
        TrigramExtension(),
        PostgresOnlyRunSQL(
            "CREATE INDEX practices_practice_search_vector_gin ON practices_practice USING gin (search_vector);",
            "DROP INDEX IF EXISTS practices_practice_search_vector_gin;",
        ),
        PostgresOnlyRunSQL(
            "CREATE INDEX practices_practice_title_trgm ON practices_practice USING gin (title gin_trgm_ops);",
            "DROP INDEX IF EXISTS practices_practice_title_trgm;",
        ),
    ]
