from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_reports"),
    ]

    operations = []
