"""Database triggers for the invariants that span tables.

CHECK constraints see one row; these rules need a second table, so they are
triggers, on PostgreSQL (plpgsql) and SQLite alike. Services validate the same
rules first and give friendly messages; the triggers make sure that nothing
(a bulk insert, a raw script, a bug) can store data that breaks them. A
violation is an IntegrityError whose message starts with the rule's name.

On SQLite, a migration that alters one of these tables rebuilds it and drops its
triggers: such a migration must create them again (call ``create_triggers``).
The integrity tests fail if any rule stops being enforced.
"""

from django.db import migrations

FREQ_TO_KIND = (
    "CASE {f} WHEN 'annual' THEN 'year' WHEN 'school_year' THEN 'school_year' "
    "WHEN 'quarterly' THEN 'quarter' WHEN 'monthly' THEN 'month' END"
)

# (name, condition that is TRUE for a violating row, message). Conditions use
# NEW.* and sub-selects only, so the same text serves both databases.
DATAPOINT_RULES = [
    (
        "datapoint_period_fits_frequency",
        "(SELECT p.kind FROM indicators_period p WHERE p.id = NEW.period_id) <> "
        "(SELECT " + FREQ_TO_KIND.format(f="i.frequency") + " FROM indicators_indicator i "
        "WHERE i.id = NEW.indicator_id)",
        "the period does not fit the indicator's frequency",
    ),
    (
        "datapoint_geography_in_partnership",
        "NEW.geography_id IS NOT NULL AND "
        "(SELECT g.partnership_id FROM indicators_geography g WHERE g.id = NEW.geography_id) <> "
        "(SELECT i.partnership_id FROM indicators_indicator i WHERE i.id = NEW.indicator_id)",
        "the geography belongs to another partnership",
    ),
    (
        "datapoint_category_of_indicator_dimension",
        "NEW.category_id IS NOT NULL AND NOT EXISTS ("
        "SELECT 1 FROM indicators_category c JOIN indicators_indicatordimension d "
        "ON d.dimension_id = c.dimension_id "
        "WHERE c.id = NEW.category_id AND d.indicator_id = NEW.indicator_id)",
        "the category belongs to a dimension the indicator is not disaggregated by",
    ),
    (
        "datapoint_percent_in_range",
        "(NEW.value < 0 OR NEW.value > 100) AND "
        "(SELECT i.unit FROM indicators_indicator i WHERE i.id = NEW.indicator_id) = 'percent'",
        "a percent must be between 0 and 100",
    ),
    (
        "datapoint_percent_matches_ratio",
        "NEW.numerator IS NOT NULL AND NEW.denominator IS NOT NULL AND NEW.denominator > 0 AND "
        "ABS(NEW.value - 100.0 * NEW.numerator / NEW.denominator) > 0.5 AND "
        "(SELECT i.unit FROM indicators_indicator i WHERE i.id = NEW.indicator_id) = 'percent'",
        "a percent must equal 100 x numerator / denominator (within 0.5)",
    ),
]

INDICATOR_DIMENSION_RULES = [
    (
        "indicator_dimension_same_partnership",
        "(SELECT d.partnership_id FROM indicators_dimension d WHERE d.id = NEW.dimension_id) <> "
        "(SELECT i.partnership_id FROM indicators_indicator i WHERE i.id = NEW.indicator_id)",
        "the dimension belongs to another partnership",
    ),
]

INDICATOR_RULES = [
    (
        "indicator_outcome_area_same_partnership",
        "(SELECT o.partnership_id FROM outcomes_outcomearea o WHERE o.id = NEW.outcome_area_id) "
        "<> NEW.partnership_id",
        "the outcome area belongs to another partnership",
    ),
    (
        "indicator_steward_same_partnership",
        "NEW.steward_id IS NOT NULL AND "
        "(SELECT s.partnership_id FROM partnership_organization s WHERE s.id = NEW.steward_id) "
        "<> NEW.partnership_id",
        "the steward organization belongs to another partnership",
    ),
]

INDICATOR_UPDATE_RULES = [
    (
        "indicator_frequency_fixed_with_data",
        "NEW.frequency <> OLD.frequency AND EXISTS ("
        "SELECT 1 FROM indicators_datapoint dp WHERE dp.indicator_id = NEW.id)",
        "the frequency of an indicator with data cannot change",
    ),
]

GEOGRAPHY_RULES = [
    (
        "geography_parent_same_partnership",
        "NEW.parent_id IS NOT NULL AND "
        "(SELECT g.partnership_id FROM indicators_geography g WHERE g.id = NEW.parent_id) "
        "<> NEW.partnership_id",
        "the parent geography belongs to another partnership",
    ),
]

MEMBERSHIP_RULES = [
    (
        "membership_organization_same_partnership",
        "NEW.organization_id IS NOT NULL AND "
        "(SELECT o.partnership_id FROM partnership_organization o WHERE o.id = NEW.organization_id) "
        "<> NEW.partnership_id",
        "the organization belongs to another partnership",
    ),
]

INDICATOR_DIMENSION_DELETE_RULES = [
    (
        "indicator_dimension_in_use",
        "EXISTS (SELECT 1 FROM indicators_datapoint dp JOIN indicators_category c "
        "ON c.id = dp.category_id WHERE dp.indicator_id = OLD.indicator_id "
        "AND c.dimension_id = OLD.dimension_id)",
        "the indicator has data for this dimension's categories",
    ),
]

# table -> list of (trigger name, events, rules)
TRIGGERS = [
    ("indicators_datapoint", "datapoint_integrity", ("INSERT", "UPDATE"), DATAPOINT_RULES),
    (
        "indicators_indicatordimension",
        "indicator_dimension_integrity",
        ("INSERT", "UPDATE"),
        INDICATOR_DIMENSION_RULES,
    ),
    (
        "indicators_indicatordimension",
        "indicator_dimension_delete",
        ("DELETE",),
        INDICATOR_DIMENSION_DELETE_RULES,
    ),
    ("indicators_indicator", "indicator_integrity", ("INSERT", "UPDATE"), INDICATOR_RULES),
    ("indicators_indicator", "indicator_update_integrity", ("UPDATE",), INDICATOR_UPDATE_RULES),
    ("indicators_geography", "geography_integrity", ("INSERT", "UPDATE"), GEOGRAPHY_RULES),
    ("partnership_membership", "membership_integrity", ("INSERT", "UPDATE"), MEMBERSHIP_RULES),
]


# On SQLite, Django empties tables (a test's flush) with one DELETE per table in no
# fixed order, and a row trigger cannot tell that from removing a dimension one
# indicator still has data for; so there this rule is the services' and the
# admin's alone. PostgreSQL empties tables with TRUNCATE, which fires no DELETE
# trigger, and keeps it.
POSTGRES_ONLY = {"indicator_dimension_delete"}


def _quoted(text):
    return text.replace("'", "''")


def _sqlite_statements(table, name, events, rules):
    for event in events:
        body = " ".join(
            f"SELECT RAISE(ABORT, '{rule}: {_quoted(message)}') WHERE {condition};"
            for rule, condition, message in rules
        )
        yield (
            f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} "
            f"FOR EACH ROW BEGIN {body} END;"
        )


# PostgreSQL checks each statement's rows as a set (statement-level triggers with
# transition tables), so a COPY or bulk insert of a million rows pays for a few
# joins, not a plpgsql call per row. The same conditions, with NEW/OLD read as
# the rows the statement inserted, updated (joined to their old versions) or deleted.
_PG_ROWS = {
    "INSERT": ("REFERENCING NEW TABLE AS new_rows", "new_rows AS n"),
    "UPDATE": (
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "new_rows AS n JOIN old_rows AS o ON o.id = n.id",
    ),
    "DELETE": ("REFERENCING OLD TABLE AS old_rows", "old_rows AS o"),
}


def _postgres_statements(table, name, events, rules):
    for event in events:
        referencing, rows = _PG_ROWS[event]
        checks = "\n".join(
            f"  IF EXISTS (SELECT 1 FROM {rows} WHERE "
            f"{condition.replace('NEW.', 'n.').replace('OLD.', 'o.')}) THEN "
            f"RAISE EXCEPTION '{rule}: {_quoted(message)}' USING ERRCODE = '23514'; END IF;"
            for rule, condition, message in rules
        )
        function = f"{name}_{event.lower()}"
        yield (
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$\n"
            f"BEGIN\n{checks}\n  RETURN NULL;\nEND;\n$$ LANGUAGE plpgsql;"
        )
        yield (
            f"CREATE TRIGGER {function} AFTER {event} ON {table} {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        )


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    build = {"sqlite": _sqlite_statements, "postgresql": _postgres_statements}.get(vendor)
    if build is None:
        raise RuntimeError(f"No integrity triggers written for the {vendor} database.")
    for table, name, events, rules in TRIGGERS:
        if vendor == "sqlite" and name in POSTGRES_ONLY:
            continue
        for statement in build(table, name, events, rules):
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table, name, events, _rules in TRIGGERS:
        for event in events:
            trigger = f"{name}_{event.lower()}"
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table};")
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {trigger}();")
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger};")


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0001_initial"),
        ("partnership", "0001_initial"),
        ("outcomes", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
