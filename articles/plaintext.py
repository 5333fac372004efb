"""Plain text that every output format can carry.

XML 1.0 (feeds, sitemaps) cannot hold most C0 control characters at all, and HTML counts them
as parse errors; they arrive pasted from word processors (a vertical tab for a soft line
break). ``strip_uncarriable`` removes them from every text field of the newsroom's models when
they are saved, whatever the path (admin forms, scripts, fixtures); ``plain_text()`` removes
them again on the way out of the XML formats, for rows written around the ORM.
"""

import re

from django.apps import apps
from django.db import models
from django.db.models.signals import pre_save

# Everything XML 1.0 forbids, except what it allows: tab, line feed, carriage return.
_UNCARRIABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Models whose text readers or editors see: the app's own, tags and staff names.
_MODELS_OUTSIDE_THE_APP = ("taggit.Tag", "auth.User")


def plain_text(value):
    """``value`` without the characters XML and HTML cannot carry."""
    return _UNCARRIABLE.sub("", value)


def strip_uncarriable(sender, instance, **kwargs):
    for field in sender._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and _UNCARRIABLE.search(value):
                setattr(instance, field.attname, plain_text(value))


def connect():
    senders = [
        *apps.get_app_config("articles").get_models(),
        *(apps.get_model(label) for label in _MODELS_OUTSIDE_THE_APP),
    ]
    for sender in senders:
        pre_save.connect(strip_uncarriable, sender=sender, dispatch_uid=f"plaintext-{sender}")
