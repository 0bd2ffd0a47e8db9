from django.db import migrations

from practices.migration_operations import PostgresOnlyRunSQL, SQLiteOnlyRunSQL

NAMES = """(SELECT {agg}(t.name, ' ') FROM {through} i JOIN {tags} t ON t.id = i.tag_id
            WHERE i.content_object_id = p.id)"""


def names(agg, through, tags):
    return NAMES.format(agg=agg, through=through, tags=tags)


class Migration(migrations.Migration):
    """Discovery's word indexes. SQLite: an FTS5 table (porter stemming, one column per field, so bm25()
    weighs each), filled from the practices already there and kept current by practices.services.
    PostgreSQL: the stored vector now also holds the practice's kind ("revenue model" finds the
    "Revenue or funding model" practices), so every vector is rewritten once."""

    dependencies = [
        ("practices", "0006_document_vectors"),
    ]

    operations = [
        SQLiteOnlyRunSQL(
            [
                "CREATE VIRTUAL TABLE practices_practice_fts USING fts5("
                "title, summary, kind, focus_areas, tags, jurisdiction, body, "
                "tokenize = 'porter unicode61 remove_diacritics 2')",
                "INSERT INTO practices_practice_fts "
                "(rowid, title, summary, kind, focus_areas, tags, jurisdiction, body) "
                "SELECT p.id, p.title, p.summary, k.name, "
                + names("group_concat", "practices_focusareaitem", "practices_focusarea")
                + ", "
                + names("group_concat", "practices_taggedpractice", "taggit_tag")
                + ", p.jurisdiction, p.body "
                "FROM practices_practice p JOIN practices_practicekind k ON k.id = p.kind_id",
            ],
            "DROP TABLE IF EXISTS practices_practice_fts",
        ),
        PostgresOnlyRunSQL(
            "UPDATE practices_practice p SET search_vector = "
            "setweight(to_tsvector('english', coalesce(p.title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(p.summary, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce((SELECT k.name FROM practices_practicekind k "
            "WHERE k.id = p.kind_id), '')), 'B') || "
            "setweight(to_tsvector('english', coalesce("
            + names("string_agg", "practices_taggedpractice", "taggit_tag")
            + ", '')), 'B') || "
            "setweight(to_tsvector('english', coalesce("
            + names("string_agg", "practices_focusareaitem", "practices_focusarea")
            + ", '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(p.jurisdiction, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(p.body, '')), 'C')",
            migrations.RunSQL.noop,
        ),
    ]
