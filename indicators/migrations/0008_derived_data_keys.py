"""Derived data (trends, derived points, equity gaps) keeps a database foreign key
to its indicator only, and no single-column index on geography, category or
dimension; see the note above ``Trend`` in indicators/models.py.

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


# Single-column indexes Django made for these keys: no read uses them.
INDEXES = {
    "indicators_trend_geography_id_24f05e1d": ("indicators_trend", "geography_id"),
    "indicators_trend_category_id_57626e98": ("indicators_trend", "category_id"),
    "indicators_derivedpoint_geography_id_bb94cfb4": ("indicators_derivedpoint", "geography_id"),
    "indicators_derivedpoint_category_id_5f3e788c": ("indicators_derivedpoint", "category_id"),
    "indicators_equitygap_geography_id_9a58a3f0": ("indicators_equitygap", "geography_id"),
    "indicators_equitygap_dimension_id_3cbd1283": ("indicators_equitygap", "dimension_id"),
}


def drop_indexes(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def add_indexes(apps, schema_editor):
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')


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
            database_operations=[
                migrations.RunPython(drop_constraints, add_constraints),
                migrations.RunPython(drop_indexes, add_indexes),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="derivedpoint",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
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
                        db_index=False,
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
                        db_index=False,
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
                        db_index=False,
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
                        db_index=False,
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
                        db_index=False,
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
