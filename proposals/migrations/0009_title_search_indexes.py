"""Indexes for finding proposals by their title or number from the lists that hold them
(the follow-ups' and the assignments' search boxes: proposals.selectors.
proposals_matching), on PostgreSQL only: a GIN index on the characters of the title (a
term of any length, one Chinese character included, is an index lookup, as for a
member's name) and pattern-matching B-tree indexes for a number's start and for its
serial. SQLite scans, with the same results."""

from django.db import migrations

INDEXES = {
    "proposal_title_chars_idx": "USING gin (regexp_split_to_array(upper(title), ''))"
    " WITH (fastupdate = off)",
    "proposal_number_prefix_idx": "(number varchar_pattern_ops)",
    "proposal_serial_idx": "(serial)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON proposals_proposal {definition}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0008_todo_index"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
