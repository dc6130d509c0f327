"""Seed the standard lists (DOMAIN.md "Who is who"); staff edit them in the admin."""

from django.db import migrations

from liaison.roles import sync_operation

SECTORS = [
    "中共", "民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "台盟",
    "无党派人士", "共青团", "工会", "妇联", "工商联", "科协", "台联", "侨联",
    "文化艺术界", "科学技术界", "社会科学界", "经济界", "农业界", "教育界", "体育界",
    "新闻出版界", "医药卫生界", "对外友好界", "社会福利和社会保障界", "少数民族界",
    "宗教界", "特邀",
]

AFFILIATIONS = [
    "中共党员", "中共预备党员", "共青团员", "民革党员", "民盟盟员", "民建会员", "民进会员",
    "农工党党员", "致公党党员", "九三学社社员", "台盟盟员", "无党派人士", "群众",
]

TERMS = [("第十届", 2016, 2021, False), ("第十一届", 2021, 2026, True)]


def seed(apps, schema_editor):
    Sector = apps.get_model("members", "Sector")
    Affiliation = apps.get_model("members", "Affiliation")
    Term = apps.get_model("members", "Term")
    for position, name in enumerate(SECTORS, start=1):
        Sector.objects.get_or_create(name=name, defaults={"position": position})
    for position, name in enumerate(AFFILIATIONS, start=1):
        Affiliation.objects.get_or_create(name=name, defaults={"position": position})
    for name, start, end, current in TERMS:
        Term.objects.get_or_create(
            name=name, defaults={"start_year": start, "end_year": end, "is_current": current}
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial"), ("liaison", "0002_roles_and_calendar")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        sync_operation(),
    ]
