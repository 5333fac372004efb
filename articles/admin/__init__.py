"""The editors' admin, one module per concern; importing them registers their ModelAdmins."""

from django.contrib import admin
from django.utils.functional import lazy

from ..chrome import site_chrome
from . import photos, readership, site, stories, tags, workflow  # noqa: F401 - registration

# Lazy, so a new name in the site settings shows without a restart.
admin.site.site_header = lazy(lambda: f"{site_chrome()['site'].name} newsroom", str)()
admin.site.site_title = lazy(lambda: site_chrome()["site"].name, str)()
admin.site.index_title = "Newsroom"
admin.site.site_url = "/"
