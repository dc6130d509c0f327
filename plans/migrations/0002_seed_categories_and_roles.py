"""The plan's standard headings (DOMAIN.md "The office's work"); staff edit the list.
Then the roles get the new permissions."""

from django.db import migrations

from liaison.roles import sync_operation

CATEGORIES = [
    "与党工委的联系",
    "服务经济发展",
    "服务科学决策",
    "服务民生改善",
    "政情通报",
    "提案与社情民意",
    "走访委员",
    "委员素质提升",
]


def seed(apps, schema_editor):
    PlanCategory = apps.get_model("plans", "PlanCategory")
    for position, name in enumerate(CATEGORIES, start=1):
        PlanCategory.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), sync_operation()]
