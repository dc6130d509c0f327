"""Migration operations more than one app's migrations use."""

from django.db import migrations


def postgres_indexes(table: str, indexes: dict[str, str]) -> migrations.RunPython:
    """Create ``indexes`` (name → what follows ``ON table`` in ``CREATE INDEX``) on
    ``table``, on PostgreSQL only, and drop them when migrating back: expression and
    operator-class indexes (a GIN over a column's characters, ``varchar_pattern_ops``)
    that serve the search boxes there. SQLite scans instead, with the same results."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, definition in indexes.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
