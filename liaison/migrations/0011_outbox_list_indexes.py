"""The admin's outbox list (liaison.admin.NotificationAdmin): newest first along an
index, for every office and for one; and its search (liaison.selectors.search_outbox),
on PostgreSQL only: a GIN index on the subject's characters (a one-character term such
as 王 included; no extension needed) and pattern-matching B-tree indexes for "starts
with" on the address and the occasion key. SQLite scans, with the same results."""

from django.db import migrations, models

from liaison.migration_ops import postgres_indexes

SEARCH_INDEXES = {
    "outbox_subject_chars_idx": "USING gin (regexp_split_to_array(upper(subject), ''))"
    " WITH (fastupdate = off)",
    "outbox_address_prefix_idx": "(upper(address) text_pattern_ops)",
    "outbox_dedupe_key_prefix_idx": "(dedupe_key varchar_pattern_ops)",
}


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0010_levels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["-created_at", "-id"], name="outbox_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["office", "-created_at", "-id"], name="outbox_office_newest_idx"
            ),
        ),
        postgres_indexes("liaison_notification", SEARCH_INDEXES),
    ]
