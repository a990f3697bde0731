"""The few SQL pieces the outcome figures need that Django does not ship, each
written for PostgreSQL and for SQLite, so the figures are computed in the
database on both."""

import statistics

from django.db.models import Aggregate, FloatField, Func, IntegerField

# A Monday long past: day numbers count from it, so whole weeks fall on Mondays.
EPOCH_MONDAY = "2000-01-03"


class DayNumber(Func):
    """Days from EPOCH_MONDAY to a date."""

    output_field = IntegerField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"((%(expressions)s)::date - DATE '{EPOCH_MONDAY}')",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=f"CAST(julianday(%(expressions)s) - julianday('{EPOCH_MONDAY}') AS INTEGER)",
            **extra,
        )


class HoursBetween(Func):
    """Hours from the second timestamp to the first (negative if it is earlier)."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


class Median(Aggregate):
    """The median of the values in each group (NULLs left out), in the database."""

    name = "Median"
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler, connection, **extra):
        # A copy with SQLite's spelling: the FILTER clause is added to the template.
        median = self.copy()
        median.function = SQLITE_MEDIAN
        median.template = "%(function)s(%(expressions)s)"
        return median.as_sql(compiler, connection, **extra)


SQLITE_MEDIAN = "portal_median"


class _SQLiteMedian:
    """SQLite has no median: this aggregate is registered on each connection."""

    def __init__(self):
        self.values = []

    def step(self, value):
        if value is not None:
            self.values.append(value)

    def finalize(self):
        return statistics.median(self.values) if self.values else None


def add_sqlite_median(sender, connection, **kwargs) -> None:
    """Receiver of connection_created: give SQLite connections the median."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SQLiteMedian)
