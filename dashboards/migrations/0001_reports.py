from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partnership", "0002_api_tokens"),
        ("outcomes", "0001_initial"),
    ]

    operations = []
