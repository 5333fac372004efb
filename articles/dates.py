"""How the newsroom writes a moment for people: one format for the story page, the admin's
notes, error messages, revision labels and the audit trail, in the newsroom's time zone; and
one format for machines (``iso_datetime``)."""

from django.utils import dateformat, timezone

# "December 2, 2026, 1:05 PM CET". Cards and headline lists show shorter forms on purpose.
MOMENT_FORMAT = "F j, Y, g:i A T"


def moment(value):
    """``value`` (an aware datetime) in the newsroom's time zone, written out in full."""
    return dateformat.format(timezone.localtime(value), MOMENT_FORMAT)


def clock_time(value):
    """Just the time of day, "1:05 PM", in the newsroom's time zone: for moments of today."""
    return dateformat.format(timezone.localtime(value), "g:i A")


def iso_datetime(value):
    """``value`` in the newsroom's time zone as ISO 8601 to the second, e.g.
    ``2026-11-30T09:15:00-05:00``: for ``<time datetime>``, meta tags and sitemaps.

    Django's ``|date:'c'`` writes microseconds, which HTML's ``datetime`` attribute does not
    allow beyond three digits, so the Nu Html Checker rejects every page that uses it. Seconds
    are all a reader or a crawler needs."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()
