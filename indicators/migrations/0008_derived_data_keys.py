"""Derived data (trends, derived points, equity gaps) keeps a database foreign key
to its indicator only; see the note above ``Trend`` in indicators/models.py.

On PostgreSQL the other keys' constraints are dropped (their checks at commit
cost a fifth of a full trend recompute). On SQLite, the development database,
the tables keep them: removing one there means rebuilding the table, which the
integrity triggers on other tables that name these tables forbid, and the cost
does not matter there.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLES = {
    "indicators_trend": [
        ("partnership_id", "partnership_partnership"),
        ("geography_id", "indicators_geography"),
        ("category_id", "indicators_category"),
        ("baseline_period_id", "indicators_period"),
        ("latest_period_id", "indicators_period"),
        ("equity_dimension_id", "indicators_dimension"),
    ],
    "indicators_derivedpoint": [
        ("period_id", "indicators_period"),
        ("geography_id", "indicators_geography"),
        ("category_id", "indicators_category"),
    ],
    "indicators_equitygap": [
        ("geography_id", "indicators_geography"),
        ("dimension_id", "indicators_dimension"),
        ("latest_period_id", "indicators_period"),
        ("baseline_period_id", "indicators_period"),
        ("highest_category_id", "indicators_category"),
        ("lowest_category_id", "indicators_category"),
    ],
}


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, columns in TABLES.items():
            for column, _target in columns:
                cursor.execute(
                    """
                    SELECT c.conname FROM pg_constraint c
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                    WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s
                    """,
                    [table, column],
                )
                for (name,) in cursor.fetchall():
                    schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in TABLES.items():
        for column, target in columns:
            schema_editor.execute(
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{table}_{column}_fk" '
                f'FOREIGN KEY ("{column}") REFERENCES "{target}" ("id") '
                "DEFERRABLE INITIALLY DEFERRED"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0007_unit_and_category_triggers"),
        ("partnership", "0003_agenda_directory"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_constraints, add_constraints)],
            state_operations=[
                migrations.AlterField(
                    model_name="derivedpoint",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="derivedpoint",
                    name="geography",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.geography",
                    ),
                ),
                migrations.AlterField(
                    model_name="derivedpoint",
                    name="period",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                migrations.AlterField(
                    model_name="equitygap",
                    name="baseline_period",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                migrations.AlterField(
                    model_name="equitygap",
                    name="dimension",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.dimension",
                    ),
                ),
                migrations.AlterField(
                    model_name="equitygap",
                    name="geography",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.geography",
                    ),
                ),
                migrations.AlterField(
                    model_name="equitygap",
                    name="highest_category",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="equitygap",
                    name="latest_period",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                migrations.AlterField(
                    model_name="equitygap",
                    name="lowest_category",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="indicators.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="trend",
                    name="baseline_period",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                migrations.AlterField(
                    model_name="trend",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trends",
                        to="indicators.category",
                    ),
                ),
                migrations.AlterField(
                    model_name="trend",
                    name="equity_dimension",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="indicators.dimension",
                    ),
                ),
                migrations.AlterField(
                    model_name="trend",
                    name="geography",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trends",
                        to="indicators.geography",
                    ),
                ),
                migrations.AlterField(
                    model_name="trend",
                    name="latest_period",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.period",
                    ),
                ),
                migrations.AlterField(
                    model_name="trend",
                    name="partnership",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="trends",
                        to="partnership.partnership",
                    ),
                ),
            ],
        )
    ]
