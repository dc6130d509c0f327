"""Indexes for the roster search (members.selectors.search_members), on PostgreSQL only:
GIN indexes on the characters of the name and the employer (a term of any length, one
Chinese character included, is an index lookup; no extension needed) and
pattern-matching B-tree indexes for "starts with" on the mobile number, the office phone
and the member number (whatever the database's collation). SQLite scans, with the same
results."""

from django.db import migrations

from liaison.migration_ops import postgres_indexes

INDEXES = {
    "member_name_chars_idx": "USING gin (regexp_split_to_array(upper(name), ''))"
    " WITH (fastupdate = off)",
    "member_employer_chars_idx": "USING gin (regexp_split_to_array(upper(employer), ''))"
    " WITH (fastupdate = off)",
    "member_mobile_prefix_idx": "(mobile varchar_pattern_ops)",
    "member_office_phone_prefix_idx": "(office_phone varchar_pattern_ops)",
    "member_no_prefix_idx": "(member_no varchar_pattern_ops)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_point_kind_choices"),
    ]

    operations = [postgres_indexes("members_member", INDEXES)]
