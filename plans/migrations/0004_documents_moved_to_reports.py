# Documents now belong to reports (reports/migrations/0001 to 0003): plans forgets the
# models, keeping their tables, and drops the work report's link to its PDF, which
# reports has copied to the document. Then the roles get reports' permissions.

from django.db import migrations

from liaison.roles import sync_operation


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0003_document_tables_for_reports'),
        ('reports', '0003_copy_work_report_links'),
    ]

    operations = [
        migrations.RemoveField(model_name='historicalworkreport', name='document'),
        migrations.RemoveField(model_name='workreport', name='document'),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='DocumentIssue'),
                migrations.DeleteModel(name='Document'),
            ],
            database_operations=[],
        ),
        sync_operation(),
    ]
