# Documents move to the reports app (reports/migrations/0001_initial.py takes them over
# without touching the database). Their tables are renamed first, here, while plans
# still owns the models, so that the rows stay where they are under reports' names.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_seed_categories_and_roles")]

    operations = [
        migrations.AlterModelTable(name="document", table="reports_document"),
        migrations.AlterModelTable(name="documentissue", table="reports_documentissue"),
    ]
