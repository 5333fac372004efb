"""Create the "Writer" and "Editor" groups with their permissions (see articles/roles.py).

Writers create and edit stories and upload photos but cannot publish; editors also publish,
delete, and manage sections and authors.
"""

from django.db import migrations

from articles.roles import sync_groups


def create_groups(apps, schema_editor):
    sync_groups(apps, strict=False)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Writer", "Editor"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
