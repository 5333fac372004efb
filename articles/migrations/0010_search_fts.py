"""Full-text search on SQLite: an FTS5 index of the stories' plain text (see articles/search.py).

PostgreSQL keeps its GIN-indexed search vector (0004); on PostgreSQL this migration does
nothing. On SQLite it creates ``articles_article_search_text`` (a story's search text, field by
field, deleted with the story), the external-content FTS5 table ``articles_article_search``
over it with triggers that keep the two in step, and fills both from the stories already there.
"""

from django.db import migrations

TEXT_TABLE = "articles_article_search_text"
FTS_TABLE = "articles_article_search"
FIELDS = ["headline", "dek", "tags", "authors", "captions", "body"]

_new = ", ".join(f"new.{name}" for name in FIELDS)
_old = ", ".join(f"old.{name}" for name in FIELDS)
_names = ", ".join(FIELDS)

CREATE = [
    f"""CREATE TABLE {TEXT_TABLE} (
        article_id INTEGER PRIMARY KEY REFERENCES articles_article (id) ON DELETE CASCADE,
        {", ".join(f"{name} TEXT NOT NULL DEFAULT ''" for name in FIELDS)}
    )""",
    f"""CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
        {_names},
        content='{TEXT_TABLE}', content_rowid='article_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    f"""CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON {TEXT_TABLE} BEGIN
        INSERT INTO {FTS_TABLE} (rowid, {_names}) VALUES (new.article_id, {_new});
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON {TEXT_TABLE} BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {_names})
        VALUES ('delete', old.article_id, {_old});
    END""",
    f"""CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE ON {TEXT_TABLE} BEGIN
        INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, {_names})
        VALUES ('delete', old.article_id, {_old});
        INSERT INTO {FTS_TABLE} (rowid, {_names}) VALUES (new.article_id, {_new});
    END""",
]

# The stories' text as it stood at this migration (later code gathers it in search.story_text).
EXISTING = """
    SELECT a.id, a.headline, a.dek,
        COALESCE((SELECT GROUP_CONCAT(t.name, ' ') FROM articles_taggedarticle ta
                  JOIN taggit_tag t ON t.id = ta.tag_id WHERE ta.content_object_id = a.id), ''),
        COALESCE((SELECT GROUP_CONCAT(au.name, ' ') FROM articles_byline b
                  JOIN articles_author au ON au.id = b.author_id WHERE b.article_id = a.id), ''),
        TRIM(a.lead_photo_caption || ' ' || COALESCE(p.caption, '') || ' ' ||
             COALESCE((SELECT GROUP_CONCAT(g.caption || ' ' || gp.caption, ' ')
                       FROM articles_galleryphoto g JOIN articles_photo gp ON gp.id = g.photo_id
                       WHERE g.article_id = a.id), '') || ' ' ||
             COALESCE((SELECT GROUP_CONCAT(bp.caption, ' ')
                       FROM articles_bodyphoto b JOIN articles_photo bp ON bp.id = b.photo_id
                       WHERE b.article_id = a.id), '')),
        a.body
    FROM articles_article a LEFT JOIN articles_photo p ON p.id = a.lead_photo_id
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from articles.search import text_of_html

    for statement in CREATE:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(EXISTING)
        rows = [(*row[:-1], text_of_html(row[-1])) for row in cursor.fetchall()]
        cursor.executemany(
            f"INSERT INTO {TEXT_TABLE} (article_id, {_names}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TEXT_TABLE}")  # and its triggers


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_body_photos"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
