"""How the newsroom writes a moment for people: one format for the story page, the admin's
notes, error messages, revision labels and the audit trail, in the newsroom's time zone."""

from django.utils import dateformat, timezone

# "December 2, 2026, 1:05 PM CET". Cards and headline lists show shorter forms on purpose.
MOMENT_FORMAT = "F j, Y, g:i A T"


def moment(value):
    """``value`` (an aware datetime) in the newsroom's time zone, written out in full."""
    return dateformat.format(timezone.localtime(value), MOMENT_FORMAT)
