"""The few SQL pieces the outcome figures need that Django does not ship, each
written for PostgreSQL and for SQLite, so the figures are computed in the
database on both."""

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import FloatField, Func, IntegerField, QuerySet

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


@dataclass(frozen=True)
class Agg:
    """One aggregate over the rows of `summarize`: COUNT (of rows), DISTINCT (count
    of distinct values), SUM, MAX or MEDIAN of a column, over the rows where
    `where` holds. `where` is SQL over the rows' columns, with constants only."""

    function: str
    column: str = ""
    where: str = ""

    def sql(self, vendor: str) -> str:
        column = connection.ops.quote_name(self.column) if self.column else ""
        if self.function == "COUNT":
            expression = "COUNT(*)"
        elif self.function == "DISTINCT":
            expression = f"COUNT(DISTINCT {column})"
        elif self.function == "MEDIAN" and vendor == "postgresql":
            expression = f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {column})"
        elif self.function == "MEDIAN":
            expression = f"{SQLITE_MEDIAN}({column})"
        else:
            assert self.function in ("SUM", "MAX"), self.function
            expression = f"{self.function}({column})"
        return f"{expression} FILTER (WHERE {self.where})" if self.where else expression


# The key of the row for all rows together, among the groups.
EVERYONE = "everyone"


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def summarize(
    rows: QuerySet,
    *,
    by: str,
    aggregates: dict[str, Agg],
    everyone: dict[str, Agg] | None = None,
    keep: str = "",
) -> dict:
    """Aggregates over `rows` (a `values()` queryset, one row per thing counted)
    grouped by its column `by`, and over all of them together (with `everyone`'s
    aggregates where they differ), in one statement.

    Each row is computed once, its subqueries included, and then aggregated:
    Django's grouped `annotate()` would repeat a subquery inside every aggregate
    that reads it, once per row and aggregate. `keep` filters the rows the same
    way (SQL over their columns).
    """
    vendor = connection.vendor
    quote = connection.ops.quote_name
    names = list(aggregates)
    everyone = {**aggregates, **(everyone or {})}
    inner, params = rows.query.sql_with_params()
    where = f" WHERE {keep}" if keep else ""

    def select(spec):
        return ", ".join(f"{spec[name].sql(vendor)} AS {quote(name)}" for name in names)

    # Built from the queryset's own SQL (its values travel as parameters), quoted
    # column names and aggregates written in code: nothing a person typed.
    sql = (
        f"WITH rows AS ({inner}) "  # noqa: S608
        f"SELECT 0, {quote(by)}, {select(aggregates)} FROM rows{where} GROUP BY {quote(by)} "
        f"UNION ALL SELECT 1, NULL, {select(everyone)} FROM rows{where}"
    )
    result = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for whole, group, *values in cursor.fetchall():
            key = EVERYONE if whole else group
            result[key] = {name: _number(v) for name, v in zip(names, values, strict=True)}
    return result
