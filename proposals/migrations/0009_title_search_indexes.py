"""Indexes for finding proposals by their title or number from a list that refers to
them (the follow-ups' search box: proposals.selectors.proposals_matching), on PostgreSQL
only: a GIN index on the characters of the title (a term of any length, one Chinese
character included, is an index lookup, as for a member's name), a pattern-matching
B-tree index for a number's start and a B-tree index on the serial. SQLite scans, with
the same results."""

from django.db import migrations

from liaison.migration_ops import postgres_indexes

INDEXES = {
    "proposal_title_chars_idx": "USING gin (regexp_split_to_array(upper(title), ''))"
    " WITH (fastupdate = off)",
    "proposal_number_prefix_idx": "(number varchar_pattern_ops)",
    "proposal_serial_idx": "(serial)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("proposals", "0008_todo_index"),
    ]

    operations = [postgres_indexes("proposals_proposal", INDEXES)]
