import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_reports"),
        ("outcomes", "0001_initial"),
        ("partnership", "0002_api_tokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicReportCard",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("enabled", models.BooleanField(default=False)),
                (
                    "title",
                    models.CharField(
                        blank=True, help_text="Empty: the partnership's name.", max_length=200
                    ),
                ),
                (
                    "intro",
                    models.TextField(
                        blank=True,
                        help_text="A few sentences above the scorecard: who you are and why.",
                    ),
                ),
                (
                    "published_at",
                    models.DateTimeField(
                        blank=True, help_text="When it was last switched on.", null=True
                    ),
                ),
                (
                    "version",
                    models.PositiveIntegerField(
                        default=1,
                        help_text="Raised on every change; an edit based on an older one is "
                        "refused.",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "outcome_areas",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The outcome areas to show; none chosen shows every area.",
                        related_name="+",
                        to="outcomes.outcomearea",
                    ),
                ),
                (
                    "partnership",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="public_report_card",
                        to="partnership.partnership",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("enabled", False), ("published_at__isnull", False), _connector="OR"
                        ),
                        name="publicreportcard_published_when_enabled",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("version__gte", 1)),
                        name="publicreportcard_version_positive",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PublicReportCardEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("enabled", "Switched on"),
                            ("disabled", "Switched off"),
                            ("edited", "Edited"),
                        ],
                        max_length=12,
                    ),
                ),
                ("changed_at", models.DateTimeField(auto_now_add=True)),
                ("old", models.JSONField(blank=True, default=dict)),
                ("new", models.JSONField(blank=True, default=dict)),
                (
                    "changed_by",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "partnership",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="partnership.partnership",
                    ),
                ),
            ],
            options={
                "ordering": ["-changed_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["partnership", "-changed_at"], name="reportcardevent_recent_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("action__in", ["enabled", "disabled", "edited"])),
                        name="publicreportcardevent_action_valid",
                    )
                ],
            },
        ),
    ]
