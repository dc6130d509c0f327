from django.db import migrations

from liaison.roles import sync_operation
from liaison.workdays import seed_calendar


def seed_working_day_calendar(apps, schema_editor):
    seed_calendar(apps.get_model("liaison", "CalendarDay"))


class Migration(migrations.Migration):
    dependencies = [
        ("liaison", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        sync_operation(),
        migrations.RunPython(seed_working_day_calendar, migrations.RunPython.noop),
    ]
