# Copy each work report's link to its PDF onto the document (see 0002).

from django.db import migrations


def _copy(source, key, target, target_key):
    """For each row of ``source`` whose ``key`` names a ``target`` row, point that row's
    ``target_key`` back at it."""
    for pk, other in source.objects.exclude(**{key: None}).values_list("pk", key):
        target.objects.filter(pk=other).update(**{target_key: pk})


def copy_links(apps, schema_editor):
    WorkReport = apps.get_model("plans", "WorkReport")
    Document = apps.get_model("reports", "Document")
    _copy(WorkReport, "document_id", Document, "work_report_id")


def copy_links_back(apps, schema_editor):
    WorkReport = apps.get_model("plans", "WorkReport")
    Document = apps.get_model("reports", "Document")
    _copy(Document, "work_report_id", WorkReport, "document_id")


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_document_tables_for_reports'),
        ('reports', '0002_document_work_report'),
    ]

    operations = [migrations.RunPython(copy_links, copy_links_back)]
