"""Tags: django-taggit's admin without its merge tool."""

from django.contrib import admin
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(TaggitTagAdmin):
    """taggit's "Merge selected tags" (an action and a page) re-points taggit's generic
    TaggedItem rows, but stories are tagged through TaggedArticle, so a merge would merge
    nothing; and its page checks no permission, so any staff member could post to it (an
    empty selection was a 500). Both are left out."""

    actions = []

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)
