"""Two more rules for the database to keep, on PostgreSQL and SQLite alike:

- an indicator's unit cannot change once it has data points (a count of 250
  turned into a percent would break the percent rules, which are checked only
  when a data point is written); added to the indicator UPDATE trigger of 0002,
  next to the same rule for its frequency;
- a category cannot move to another dimension while data points, derived totals
  or trends use it (the data points' indicators are disaggregated by the old
  dimension, not necessarily by the new one).

Both reuse 0002's trigger builders, so the rules read as (name, condition,
message) and fail as an IntegrityError whose message starts with the rule's name.

``TRIGGERS`` below is every integrity trigger as of this migration. A later
migration that rebuilds one of these tables on SQLite (which drops its
triggers) creates them again from here, with ``create_triggers(..., tables=)``.

Why the rule "a dimension with data cannot be removed from its indicator" stays
PostgreSQL-only: on SQLite Django empties tables (the flush between
transactional tests, ``manage.py flush``) with one ``DELETE FROM`` per table in
no fixed order (a set of names), and a row trigger on
``indicators_indicatordimension`` cannot tell that wipe, when it happens to run
before ``indicators_datapoint`` is emptied, from a real removal; SQLite has no
statement-level or deferred triggers that could wait for the end of it. The only
database-level form that would survive such a wipe is a deferred composite
foreign key from the data point (indicator, category's dimension) to the
indicator's dimension, which needs a denormalised column on every data point and
raw SQL that Django's own SQLite table rebuilds would drop. So on SQLite the
admin (``IndicatorDimensionFormSet``) and ``services.indicator_update`` keep it.
"""

from importlib import import_module

from django.db import migrations

base = import_module("indicators.migrations.0002_integrity_triggers")

INDICATOR_UPDATE_RULES = [
    *base.INDICATOR_UPDATE_RULES,
    (
        "indicator_unit_fixed_with_data",
        "NEW.unit <> OLD.unit AND EXISTS ("
        "SELECT 1 FROM indicators_datapoint dp WHERE dp.indicator_id = NEW.id)",
        "the unit of an indicator with data cannot change",
    ),
]

CATEGORY_UPDATE_RULES = [
    (
        "category_dimension_fixed_when_used",
        "NEW.dimension_id <> OLD.dimension_id AND ("
        "EXISTS (SELECT 1 FROM indicators_datapoint dp WHERE dp.category_id = OLD.id) OR "
        "EXISTS (SELECT 1 FROM indicators_derivedpoint dv WHERE dv.category_id = OLD.id) OR "
        "EXISTS (SELECT 1 FROM indicators_trend t WHERE t.category_id = OLD.id))",
        "a category used by data points or trends cannot move to another dimension",
    ),
]

OLD_INDICATOR_UPDATE = (
    "indicators_indicator",
    "indicator_update_integrity",
    ("UPDATE",),
    base.INDICATOR_UPDATE_RULES,
)
INDICATOR_UPDATE = (*OLD_INDICATOR_UPDATE[:3], INDICATOR_UPDATE_RULES)
CATEGORY_UPDATE = (
    "indicators_category",
    "category_update_integrity",
    ("UPDATE",),
    CATEGORY_UPDATE_RULES,
)

TRIGGERS = [
    *(t for t in base.TRIGGERS if t[1] != "indicator_update_integrity"),
    INDICATOR_UPDATE,
    CATEGORY_UPDATE,
]
POSTGRES_ONLY = base.POSTGRES_ONLY


def _build(vendor):
    build = {"sqlite": base._sqlite_statements, "postgresql": base._postgres_statements}
    if vendor not in build:
        raise RuntimeError(f"No integrity triggers written for the {vendor} database.")
    return build[vendor]


def _create(schema_editor, triggers):
    vendor = schema_editor.connection.vendor
    build = _build(vendor)
    for table, name, events, rules in triggers:
        if vendor == "sqlite" and name in POSTGRES_ONLY:
            continue
        for statement in build(table, name, events, rules):
            schema_editor.execute(statement)


def _drop(schema_editor, triggers):
    vendor = schema_editor.connection.vendor
    for table, name, events, _rules in triggers:
        for event in events:
            trigger = f"{name}_{event.lower()}"
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {trigger}();")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger};")


def create_triggers(apps, schema_editor, tables=None):
    """(Re)create the current triggers, of every table or of the given ones."""
    chosen = [t for t in TRIGGERS if tables is None or t[0] in tables]
    _drop(schema_editor, chosen)
    _create(schema_editor, chosen)


def forwards(apps, schema_editor):
    _drop(schema_editor, [OLD_INDICATOR_UPDATE])
    _create(schema_editor, [INDICATOR_UPDATE, CATEGORY_UPDATE])


def backwards(apps, schema_editor):
    _drop(schema_editor, [CATEGORY_UPDATE, INDICATOR_UPDATE])
    _create(schema_editor, [OLD_INDICATOR_UPDATE])


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0006_import_jobs"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
