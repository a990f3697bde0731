"""Querysets compiled to SQL once per database connection, then run with new values.

Django compiles a queryset's SQL each time it runs it, which on a hot path (the
check-in submit) costs more than PostgreSQL takes to answer. `Compiled` builds
the queryset with stand-in values, notes where each value lands among the SQL
parameters, and afterwards only swaps the real values in. Rows come back
converted as Django converts them (booleans and dates on SQLite, JSON), as
tuples, or as model instances.

The values must be ones the database driver takes as they are (integers,
dates, strings): they are not passed through a field's preparation.
"""

from collections.abc import Callable
from datetime import date
from weakref import WeakKeyDictionary

from django.db import connections, router
from django.db.models import Model, QuerySet

# Two stand-ins per kind of value, unlike anything a real query would hold.
STAND_INS = {
    int: (-424_242_421, -424_242_423),
    date: (date(1, 2, 3), date(1, 3, 4)),
    str: ("\x00stand-in-a", "\x00stand-in-b"),
}


class Compiled:
    def __init__(self, build: Callable[..., QuerySet], **kinds: type):
        """`build(**values)` makes the queryset; `kinds` names each value's type."""
        self.build = build
        self.kinds = kinds
        self._by_connection: WeakKeyDictionary = WeakKeyDictionary()
        self._model_class: type[Model] | None = None

    def _compile(self, connection):
        compiled = self._by_connection.get(connection)
        if compiled is not None:
            return compiled
        first = {name: STAND_INS[kind][0] for name, kind in self.kinds.items()}
        queryset = self.build(**first)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = {}
        for name, kind in self.kinds.items():
            _, other = (
                self.build(**{**first, name: STAND_INS[kind][1]})
                .query.get_compiler(connection=connection)
                .as_sql()
            )
            slots[name] = [i for i, (a, b) in enumerate(zip(params, other, strict=True)) if a != b]
            if not slots[name]:
                raise ValueError(f"{name} does not reach the SQL parameters")
        self._model_class = queryset.model
        columns = [col for col, _, _ in compiler.select[: compiler.col_count]]
        compiled = (
            sql,
            list(params),
            slots,
            compiler,
            compiler.get_converters(columns),
            [getattr(col, "target", None) for col in columns],
            dict(compiler.annotation_col_map or {}),
        )
        self._by_connection[connection] = compiled
        return compiled

    def rows(self, using: str | None = None, **values) -> list[tuple]:
        if values.keys() != self.kinds.keys():
            raise TypeError(f"Values for {sorted(self.kinds)} are needed, got {sorted(values)}")
        connection = connections[using or router.db_for_read(self._model())]
        sql, params, slots, compiler, converters, *_ = self._compile(connection)
        params = params.copy()
        for name, value in values.items():
            for i in slots[name]:
                params[i] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def instances(self, model: type[Model], using: str | None = None, **values) -> list:
        """The rows as `model` instances, from the columns of `model` (the first ones
        selected; a related row's columns after them are left out), each with the
        queryset's annotations set on it as Django sets them."""
        connection = connections[using or router.db_for_read(model)]
        *_, targets, annotations = self._compile(connection)
        names = []
        for target in targets:
            if target is None or target.model is not model:
                break
            names.append(target.attname)
        n = len(names)
        found = []
        for row in self.rows(using, **values):
            instance = model.from_db(connection.alias, names, row[:n])
            for name, index in annotations.items():
                setattr(instance, name, row[index])
            found.append(instance)
        return found

    def _model(self) -> type[Model]:
        if self._model_class is None:
            stand_ins = {name: STAND_INS[kind][0] for name, kind in self.kinds.items()}
            self._model_class = self.build(**stand_ins).model
        return self._model_class
