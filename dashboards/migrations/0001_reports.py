import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dashboards.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("partnership", "0002_api_tokens"),
        ("outcomes", "0001_initial"),
        ("indicators", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Report",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False)),
                (
                    "format",
                    models.CharField(
                        choices=[
                            ("pdf", "PDF"),
                            ("xlsx", "Excel (.xlsx)"),
                            ("csv", "CSV (tidy long form)"),
                        ],
                        max_length=8,
                    ),
                ),
                ("outcome_areas", models.JSONField(blank=True, default=list)),
                ("scope_label", models.CharField(max_length=500)),
                ("disaggregate", models.BooleanField(default=False)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting for its turn"),
                            ("running", "Being built"),
                            ("ready", "Ready"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=16,
                    ),
                ),
                ("progress", models.PositiveSmallIntegerField(default=0)),
                ("progress_message", models.CharField(blank=True, max_length=200)),
                (
                    "file",
                    models.FileField(
                        blank=True,
                        max_length=400,
                        upload_to=dashboards.models._report_upload_to,
                    ),
                ),
                ("size", models.PositiveBigIntegerField(default=0, help_text="Bytes.")),
                ("indicator_count", models.PositiveIntegerField(default=0)),
                ("error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "started_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When a worker claimed it (the latest claim).",
                        null=True,
                    ),
                ),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "created_by",
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
                        related_name="reports",
                        to="partnership.partnership",
                    ),
                ),
                (
                    "period_from",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                (
                    "period_to",
                    models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["partnership", "-created_at"], name="report_recent_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("code",), name="report_code_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("format__in", ["pdf", "xlsx", "csv"])),
                        name="report_format_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["queued", "running", "ready", "failed"])
                        ),
                        name="report_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("progress__lte", 100)), name="report_progress_max"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "ready"), _negated=True),
                            models.Q(("file", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="report_ready_has_file",
                    ),
                ],
            },
        ),
    ]
