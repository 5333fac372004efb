"""An index for a tag page's newest stories: a popular tag is on a good share of a big
archive (see TaggedArticle.Meta)."""

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
    ]
