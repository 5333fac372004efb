"""Aggregates that both databases run."""

from django.db.models import Aggregate, TextField


class Joined(Aggregate):
    """Text values joined with spaces (STRING_AGG on PostgreSQL, GROUP_CONCAT on SQLite)."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(expressions)s, ' ')"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "STRING_AGG(%(expressions)s::text, ' ')"
        return self.as_sql(compiler, connection, template=template, **extra_context)
