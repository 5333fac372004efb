"""The newsroom's roles as Django groups: who may do what.

Writers create stories and edit their own until they are published (checked in
articles.workflow), submit them for review, upload photos and change the photos they uploaded
until a published story shows them (checked in articles.placements). Editors edit any story
and any photo, publish, schedule, unpublish, trash and restore, append corrections, share
previews, curate the homepage and keep the site settings. Administrators also manage users
and groups.

Kept in code so that migrations, demo content and tests share one definition, and an
operator can restore the groups with ``sync_groups()``.
"""

from django.contrib.auth.management import create_permissions

# The permissions the code checks, by name: ``user.has_perm(roles.PUBLISH)``.
CHANGE = "articles.change_article"
EDIT_ANY = "articles.edit_any_article"
PUBLISH = "articles.publish_article"
TRASH = "articles.delete_article"  # deleting a story moves it to the trash
ADD_CORRECTION = "articles.add_correction"
SHARE_PREVIEW = "articles.add_previewlink"
REVOKE_PREVIEW = "articles.change_previewlink"
VIEW = "articles.view_article"
CHANGE_PHOTO = "articles.change_photo"
CHANGE_ANY_PHOTO = "articles.change_any_photo"  # also photos that published stories show

WRITER = {
    "articles": [
        "add_article",
        "change_article",
        "view_article",
        "add_byline",
        "change_byline",
        "delete_byline",
        "view_byline",
        "add_taggedarticle",
        "change_taggedarticle",
        "delete_taggedarticle",
        "view_taggedarticle",
        "add_photo",
        "change_photo",
        "view_photo",
        "view_section",
        "view_author",
        "view_correction",
        "view_auditentry",
        "add_galleryphoto",
        "change_galleryphoto",
        "delete_galleryphoto",
        "view_galleryphoto",
    ],
    "taggit": ["add_tag", "view_tag"],
}
EDITOR = {
    "articles": [
        *WRITER["articles"],
        "delete_article",
        "publish_article",
        "edit_any_article",
        "add_correction",
        "add_previewlink",
        "change_previewlink",
        "view_previewlink",
        "delete_photo",
        "change_any_photo",
        "add_section",
        "change_section",
        "add_author",
        "change_author",
        # Curating the homepage and keeping the site's identity current.
        "view_homepagezone",
        "change_homepagezone",
        "add_zonepin",
        "change_zonepin",
        "delete_zonepin",
        "view_zonepin",
        "view_sitesettings",
        "change_sitesettings",
        "add_socialaccount",
        "change_socialaccount",
        "delete_socialaccount",
        "view_socialaccount",
    ],
    "taggit": ["add_tag", "change_tag", "view_tag"],
}
ADMINISTRATOR = {
    **EDITOR,
    "auth": [
        "add_user",
        "change_user",
        "delete_user",
        "view_user",
        "add_group",
        "change_group",
        "delete_group",
        "view_group",
        "view_permission",
    ],
}
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Administrators": ADMINISTRATOR}


def sync_groups(apps, strict=True):
    """Create the groups and give them exactly their permissions.

    ``apps`` is ``django.apps.apps`` or a migration's app registry. In a migration, models
    added by later migrations do not exist yet, so pass ``strict=False`` to skip their
    permissions; the migration that adds such a model calls this again.
    """
    # Permissions are normally created after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for app_label, codenames in grants.items():
            found = list(
                Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )
            missing = set(codenames) - {p.codename for p in found}
            if missing and strict:
                raise RuntimeError(f"Unknown permissions for {name}: {sorted(missing)}")
            permissions += found
        group.permissions.set(permissions)
