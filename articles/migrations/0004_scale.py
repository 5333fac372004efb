"""Indexes for the admin at a million stories.

B-tree indexes for the list's sort orders (in Article.Meta), and on PostgreSQL trigram
indexes so the admin's search (``icontains`` on headline, dek, kicker and slug, which Django
writes as ``UPPER(col::text) LIKE UPPER(%term%)``) does not scan the table.
"""

from django.db import migrations, models

SEARCH_COLUMNS = ["headline", "dek", "kicker", "slug"]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCH_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS article_{column}_trgm ON articles_article "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCH_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS article_{column}_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0003_reader_site"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["-published_at"], name="article_published_at"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["headline"], name="article_headline"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
