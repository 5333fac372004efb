"""Indexes for the admin list's sort orders at a million stories (see Article.Meta).

Searching (readers' and the admin's) uses the GIN-indexed search vector of migration 0004.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_photo_pipeline"),
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
    ]
