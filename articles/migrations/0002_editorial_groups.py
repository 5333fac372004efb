"""Create the "Writer" and "Editor" groups with their permissions.

Writers create and edit stories and upload photos but cannot publish; editors also publish,
delete, and manage sections and authors.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER = {
    "articles": [
        "add_article", "change_article", "view_article",
        "add_byline", "change_byline", "delete_byline", "view_byline",
        "add_taggedarticle", "change_taggedarticle", "delete_taggedarticle", "view_taggedarticle",
        "add_photo", "change_photo", "view_photo",
        "view_section", "view_author",
    ],
    "taggit": ["add_tag", "view_tag"],
}
EDITOR = {
    "articles": WRITER["articles"] + [
        "delete_article", "publish_article",
        "delete_photo",
        "add_section", "change_section",
        "add_author", "change_author",
    ],
    "taggit": ["add_tag", "change_tag", "view_tag"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in [("Writer", WRITER), ("Editor", EDITOR)]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants.items():
            permissions = Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
            missing = set(codenames) - set(permissions.values_list("codename", flat=True))
            if missing:
                raise RuntimeError(f"Unknown permissions for {name}: {sorted(missing)}")
            group.permissions.add(*permissions)


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
