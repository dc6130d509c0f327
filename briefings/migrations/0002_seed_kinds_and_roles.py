from django.db import migrations

from liaison.roles import sync_operation

# (name, is_briefing, is_major_by_default, records_outputs) — DOMAIN.md, "Activities".
KINDS = [
    ("政情通报会", True, True, False),
    ("专题协商", False, True, False),
    ("对口协商", False, False, False),
    ("界别协商", False, False, False),
    ("视察", False, True, False),
    ("调研", False, False, False),
    ("考察", False, True, False),
    ("学习", False, False, False),
    ("主题活动", False, False, True),
    ("捐赠", False, False, True),
]


def seed(apps, schema_editor):
    Kind = apps.get_model("briefings", "ActivityKind")
    for position, (name, briefing, major, outputs) in enumerate(KINDS, start=1):
        Kind.objects.get_or_create(
            name=name,
            defaults={
                "position": position,
                "is_briefing": briefing,
                "is_major_by_default": major,
                "records_outputs": outputs,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("briefings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), sync_operation()]
