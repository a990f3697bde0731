"""`IN` for long lists of values."""

from django.db.models.lookups import In


class AnyOf(In):
    """`lhs IN (values)`, sent to PostgreSQL as one array parameter, `lhs = ANY(%s)`.

    With thousands of values (the answers of a batch of clients' kept check-ins,
    say), a placeholder per value costs more to build, send and parse than the
    query takes to run. Elsewhere it is Django's own IN. Use it as a filter
    expression: `.filter(AnyOf(F("checkin_id"), ids))`.
    """

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [value for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)
