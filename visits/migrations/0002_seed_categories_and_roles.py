from django.db import migrations

from liaison.roles import sync_operation

CATEGORIES = [
    "城市管理",
    "环境卫生",
    "交通出行",
    "社会治安",
    "民生服务",
    "教育医疗",
    "经济发展",
    "社区建设",
    "其他",
]


def seed(apps, schema_editor):
    Category = apps.get_model("visits", "ConcernCategory")
    for position, name in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop), sync_operation()]
