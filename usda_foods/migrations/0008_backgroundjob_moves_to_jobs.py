# BackgroundJob now lives in focus_lab.jobs (app label "jobs") and keeps this app's table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("usda_foods", "0007_units_and_twelve_percent_answer"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="BackgroundJob")],
            database_operations=[],
        ),
    ]
