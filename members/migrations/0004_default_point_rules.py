"""Default point rules from DOMAIN.md's real examples; staff change them in the admin."""

from django.db import migrations

from liaison.roles import sync_operation

RULES = [
    ("activity_attended", 5, "每次", None),
    ("absent_without_leave", -2, "每次", None),
    ("proposal_lead", 15, "每件", None),
    ("proposal_cosigner", 3, "每件", None),
    ("proposal_key", 15, "每件", None),
    ("proposal_excellent", 10, "每件", None),
    ("opinion_adopted_street", 5, "每篇", None),
    ("opinion_adopted_district", 10, "每篇", None),
    ("opinion_adopted_city", 15, "每篇", None),
    ("opinion_adopted_province", 20, "每篇", None),
    ("opinion_adopted_national", 20, "每篇", None),
    ("speech", 5, "每次", 20),
    ("research", 5, "每次", 20),
    ("contribution", 5, "每项", 20),
]


def seed(apps, schema_editor):
    PointRule = apps.get_model("members", "PointRule")
    for kind, points, unit, cap in RULES:
        PointRule.objects.get_or_create(
            kind=kind, defaults={"points": points, "unit": unit, "yearly_cap": cap}
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0003_points")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), sync_operation()]
