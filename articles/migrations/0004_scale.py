"""Indexes for a million stories.

B-tree indexes for the admin list's sort orders (in Article.Meta), and on PostgreSQL:
trigram indexes so the admin's search (``icontains`` on headline, dek, kicker and slug, which
Django writes as ``UPPER(col::text) LIKE UPPER(%term%)``) does not scan the table, and a
full-text index over the expression the readers' search uses (``articles.views.search_vector``).
"""

from django.db import migrations, models

SEARCH_INDEX = "article_search_vector"

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
    from django.contrib.postgres.indexes import GinIndex

    from articles.views import search_vector

    schema_editor.add_index(
        apps.get_model("articles", "Article"), GinIndex(search_vector(), name=SEARCH_INDEX)
    )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in [*SEARCH_COLUMNS, "search_vector"]:
        schema_editor.execute(f"DROP INDEX IF EXISTS article_{column}_trgm")
    schema_editor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")


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
