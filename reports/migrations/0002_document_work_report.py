# The link between a work report and its issued PDF moves from the report
# (plans.WorkReport.document, dropped by plans/migrations/0004) to the document, so that
# plans knows nothing of documents. Existing links are copied by 0003, in a migration of
# its own: PostgreSQL refuses to alter a table in the transaction that updated rows
# referencing it (pending foreign-key trigger events), which unapplying would do.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_document_tables_for_reports'),
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='work_report',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='document', to='plans.workreport', verbose_name='工作报告'),
        ),
    ]
