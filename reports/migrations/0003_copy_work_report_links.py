# Copy each work report's link to its PDF onto the document (see 0002).

from django.db import migrations


def copy_links(apps, schema_editor):
    WorkReport = apps.get_model("plans", "WorkReport")
    Document = apps.get_model("reports", "Document")
    linked = WorkReport.objects.filter(document_id__isnull=False)
    for report_id, document_id in linked.values_list("pk", "document_id"):
        Document.objects.filter(pk=document_id).update(work_report_id=report_id)


def copy_links_back(apps, schema_editor):
    WorkReport = apps.get_model("plans", "WorkReport")
    Document = apps.get_model("reports", "Document")
    linked = Document.objects.filter(work_report_id__isnull=False)
    for document_id, report_id in linked.values_list("pk", "work_report_id"):
        WorkReport.objects.filter(pk=report_id).update(document_id=document_id)


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_document_tables_for_reports'),
        ('reports', '0002_document_work_report'),
    ]

    operations = [migrations.RunPython(copy_links, copy_links_back)]
