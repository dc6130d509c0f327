from django.db import migrations

from liaison.roles import sync_operation

CATEGORIES = ["经济发展", "社会稳定", "社区建设", "城市管理", "节能减排", "教科文卫", "其他"]


def seed(apps, schema_editor):
    Category = apps.get_model("proposals", "ProposalCategory")
    for position, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), sync_operation()]
