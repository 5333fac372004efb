"""Side effects of saving, connected in ArticlesConfig.ready()."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .chrome import forget_site_chrome
from .models import Section, SiteSettings, SocialAccount


def forget_chrome_after_commit(**kwargs):
    transaction.on_commit(forget_site_chrome)


def connect():
    for model in (Section, SiteSettings, SocialAccount):
        post_save.connect(forget_chrome_after_commit, sender=model, dispatch_uid=f"chrome-{model}")
        post_delete.connect(
            forget_chrome_after_commit, sender=model, dispatch_uid=f"chrome-del-{model}"
        )
