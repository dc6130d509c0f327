"""The working-day calendar becomes district staff's to edit (office staff keep view):
a calendar day moves every office's working-day deadlines."""

from django.db import migrations

from liaison.roles import sync_operation


class Migration(migrations.Migration):
    dependencies = [("liaison", "0004_input_limits")]

    operations = [sync_operation()]
