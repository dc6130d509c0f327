"""Stroke keys now follow mainland stroke orders (members/strokes.py); recompute them."""

from django.db import migrations


def recompute(apps, schema_editor):
    from members.strokes import stroke_sort_key

    Member = apps.get_model("members", "Member")
    batch = []
    for member in Member.objects.only("pk", "name").iterator(chunk_size=2000):
        member.stroke_key = stroke_sort_key(member.name)
        batch.append(member)
        if len(batch) >= 2000:
            Member.objects.bulk_update(batch, ["stroke_key"])
            batch = []
    Member.objects.bulk_update(batch, ["stroke_key"])


class Migration(migrations.Migration):
    dependencies = [("members", "0004_default_point_rules")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
