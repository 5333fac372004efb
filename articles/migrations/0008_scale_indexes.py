"""Indexes for what grows with the archive: a popular tag's newest stories (a tag page) and
the scheduled stories (the admin's "Going live next" and the caches' lifetimes). See the models'
Meta."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_scale"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(fields=["tag", "content_object"], name="tag_articles"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("embargo_until__isnull", False)),
                fields=["embargo_until"],
                name="article_embargoed",
            ),
        ),
    ]
