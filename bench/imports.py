"""Import benchmark (issue: data entry, item 8), on the partnership built by
``bench/seed_scale.py`` (PostgreSQL):

    python bench/imports.py [--partnership bench] [--rows 100000] [--iie-rows 5000]

Writes a CSV of new data points for the partnership's school-year indicators,
then measures the import's preview (validation) and commit, and the process's
peak memory over both. Then, outside the total: importing the same file again
(which changes nothing) and a file with other values for the same points
(which updates them). References:

- the floor the issue names: PostgreSQL's COPY of the same file into a plain
  table (no indexes, constraints, triggers or history);
- the write floor: the rows the import must store (points and their history),
  formatted beforehand and COPied into the real tables, committed;
- django-import-export importing the same rows through a ModelResource for
  DataPoint (foreign keys by code through its widgets; one transaction). It
  takes milliseconds per row, so by default it imports the first ``--iie-rows``
  rows and its time is scaled linearly to ``--rows`` (the output says so);
  ``--iie-rows 0`` imports them all.

Besides wall time, each phase reports the CPU seconds of this process (Python)
and of its PostgreSQL backend: they say where the time goes, and hold still
when other work shares the machine. Everything imported is deleted afterwards.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import resource
import time
from collections.abc import Callable
from itertools import product
from typing import Any

from common import setup_django, timed, write_result

NULL = "\\N"
HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source"


def build_csv(partnership, rows: int, seed: int = 7) -> tuple[bytes, list[str]]:
    from indicators.models import Frequency, Geography
    from indicators.periods import school_year_span

    indicators = list(
        partnership.indicators.filter(frequency=Frequency.SCHOOL_YEAR).order_by("code")
    )
    codes = Geography.objects.filter(partnership=partnership).order_by("path")
    geographies = ["", *codes.values_list("code", flat=True)]
    labels = [school_year_span(year).label for year in range(2024, 2124)]
    rng = random.Random(seed)
    lines = [HEADER]
    used: list[str] = []
    for label, indicator, geo in product(labels, indicators, geographies):
        if len(lines) > rows:
            break
        if label not in used:
            used.append(label)
        value = (
            f"{rng.uniform(0, 100):.1f}"
            if indicator.unit == "percent"
            else str(rng.randint(0, 5000))
        )
        lines.append(f"{indicator.code},{label},{geo},,,{value},,,,bench")
    return ("\n".join(lines) + "\n").encode(), used


class Meter:
    """Wall time, this process's CPU time and its PostgreSQL backend's CPU time
    (read from /proc: the benchmark runs on the database's machine)."""

    def __init__(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.backend = cursor.fetchone()[0]
        self.tick = os.sysconf("SC_CLK_TCK")

    def _backend_cpu(self) -> float | None:
        try:
            with open(f"/proc/{self.backend}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None  # the database runs elsewhere
        return (int(fields[11]) + int(fields[12])) / self.tick

    def measure(self, fn: Callable[[], Any]) -> tuple[dict[str, float | None], Any]:
        wall, cpu, backend = time.perf_counter(), time.process_time(), self._backend_cpu()
        result = fn()
        after = self._backend_cpu()
        return {
            "seconds": round(time.perf_counter() - wall, 2),
            "python_cpu_seconds": round(time.process_time() - cpu, 2),
            "postgres_cpu_seconds": (
                round(after - backend, 2) if after is not None and backend is not None else None
            ),
        }, result


def copy_floor(data: bytes) -> float:
    from django.db import connection, transaction

    def run():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE import_floor (indicator text, period text, geography text, "
                "dimension text, category text, value numeric, numerator numeric, "
                "denominator numeric, note text, source text) ON COMMIT DROP"
            )
            cursor.cursor.copy_expert(
                "COPY import_floor FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(data)
            )

    return min(timed(run)[0] for _ in range(3))


def write_floor(partnership, user, data: bytes) -> float:
    """What storing the import's rows costs the database alone: the same new
    points and one history row each, formatted beforehand (untimed), COPied
    into the real tables (indexes, constraints, integrity triggers, foreign keys
    checked at commit) with their ids read back in one query. Timed: the two
    COPYs, the read-back and the commit."""
    from django.db import connection, transaction
    from django.utils import timezone

    from indicators import bulk
    from indicators.imports.apply import CHANGE_COLUMNS, POINT_COLUMNS
    from indicators.models import DataPoint, DataPointChange, Geography, Indicator
    from indicators.periods import parse_period
    from indicators.services import period_from_span

    indicators = dict(Indicator.objects.filter(partnership=partnership).values_list("code", "id"))
    geographies = dict(Geography.objects.filter(partnership=partnership).values_list("code", "id"))
    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    periods = {
        label: period_from_span(parse_period(label, "school_year")).pk
        for label in {row[1] for row in rows}
    }
    now, who = timezone.now(), user.pk
    points, history = [], {}
    for code, label, geography, _, _, value, *_ in rows:
        key = (indicators[code], periods[label], geographies.get(geography))
        points.append(
            f"{key[0]}\t{key[1]}\t{key[2] or NULL}\t{NULL}\t{value}\t{NULL}\t{NULL}\t\t"
            f"bench\tdraft\t1\t{who}\t{now}\t{who}\t{now}"
        )
        new = (
            f'{{"value": "{value}", "numerator": null, "denominator": null, "note": "", '
            f'"source": "bench", "status": "draft"}}'
        )
        history[key] = (
            f"{key[0]}\t{label}\t{geography}\t\tcreated\t{who}\t{now}\t{{}}\t{new}\t"
            "Imported from bench.csv"
        )

    def run() -> None:
        with transaction.atomic():
            bulk.copy_lines(DataPoint, POINT_COLUMNS, points)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT id, indicator_id, period_id, geography_id FROM indicators_datapoint "
                    "WHERE period_id = ANY(%s) AND category_id IS NULL",
                    [list(periods.values())],
                )
                ids = {tuple(key): pk for pk, *key in cursor.fetchall()}
            lines = (f"{ids[key]}\t{line}" for key, line in history.items())
            bulk.copy_lines(DataPointChange, CHANGE_COLUMNS, lines)

    return timed(run)[0]


def clean_up(partnership, labels: list[str]) -> None:
    from django.db import transaction

    from indicators.models import DataPoint, DataPointChange

    with transaction.atomic():
        DataPointChange.objects.filter(
            indicator__partnership=partnership, period_label__in=labels
        ).delete()
        DataPoint.objects.filter(
            indicator__partnership=partnership, period__label__in=labels
        )._raw_delete("default")


def data_point_resource(partnership):
    """What many Django teams would write: a ModelResource for DataPoint, its
    foreign keys found by code with django-import-export's widgets (scoped to
    the partnership), existing points matched on the series key."""
    from import_export import fields, resources, widgets

    from indicators.models import Category, DataPoint, Geography, Indicator, Period

    class InPartnership(widgets.ForeignKeyWidget):
        def get_queryset(self, value, row, *args, **kwargs):
            if self.model is Category:
                return Category.objects.filter(dimension__partnership=partnership)
            if self.model is Period:
                return Period.objects.all()
            return self.model.objects.filter(partnership=partnership)

    def key(name: str, model, field: str) -> fields.Field:
        return fields.Field(attribute=name, column_name=name, widget=InPartnership(model, field))

    class DataPointResource(resources.ModelResource):
        indicator = key("indicator", Indicator, "code")
        period = key("period", Period, "label")
        geography = key("geography", Geography, "code")
        category = key("category", Category, "code")

        class Meta:
            model = DataPoint
            fields = (
                "indicator",
                "period",
                "geography",
                "category",
                "value",
                "numerator",
                "denominator",
                "note",
                "source",
            )
            import_id_fields = ("indicator", "period", "geography", "category")

    return DataPointResource()


def import_export_run(partnership, data: bytes, rows: int) -> dict[str, Any]:
    """django-import-export importing the first ``rows`` rows (not a dry run: one
    real import in a transaction). Its Period rows are made first, untimed: its
    widgets find foreign keys, they do not create them."""
    import tablib

    from indicators.periods import parse_period
    from indicators.services import period_from_span

    text = data.decode()
    lines = text.splitlines()[: rows + 1]
    labels = {line.split(",")[1] for line in lines[1:]}
    for label in labels:
        period_from_span(parse_period(label, "school_year"))
    dataset = tablib.Dataset().load("\n".join(lines) + "\n", format="csv")
    resource_ = data_point_resource(partnership)
    seconds, result = timed(
        lambda: resource_.import_data(dataset, dry_run=False, raise_errors=True)
    )
    assert not result.has_errors() and not result.has_validation_errors()
    return {"rows": len(dataset), "seconds": round(seconds, 2), "totals": dict(result.totals)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnership", default="bench")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--iie-rows",
        type=int,
        default=5_000,
        help="rows for django-import-export, scaled to --rows (0: all of them)",
    )
    args = parser.parse_args()
    setup_django()
    from django.contrib.auth import get_user_model

    from indicators.imports import import_commit, import_preview
    from partnership.models import Partnership

    partnership = Partnership.objects.get(slug=args.partnership)
    user, _ = get_user_model().objects.get_or_create(
        username="bench-importer", defaults={"is_superuser": True, "is_staff": True}
    )
    data, labels = build_csv(partnership, args.rows)
    clean_up(partnership, labels)
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB, periods {labels[0]}..{labels[-1]}")
    floor = copy_floor(data)
    meter = Meter()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kwargs = {"partnership": partnership, "user": user, "file": data, "filename": "bench.csv"}
    preview_stats, preview = meter.measure(lambda: import_preview(**kwargs))
    assert preview.ok, preview.issues[:3]
    counts = preview.counts
    del preview  # as in the app, where the preview and the commit are separate tasks
    commit_stats, result = meter.measure(lambda: import_commit(**kwargs))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    again_stats, again = meter.measure(lambda: import_commit(**kwargs))
    assert (again.created, again.updated, again.unchanged) == (0, 0, args.rows), again
    # The same points with other values: every row updates its point.
    kwargs["file"] = build_csv(partnership, args.rows, seed=8)[0]
    update_stats, updated = meter.measure(lambda: import_commit(**kwargs))
    clean_up(partnership, labels)
    # After the import, so that its peak memory is the import's own.
    write_seconds = write_floor(partnership, user, data)
    clean_up(partnership, labels)

    iie_rows = args.iie_rows or args.rows
    iie = import_export_run(partnership, data, min(iie_rows, args.rows))
    clean_up(partnership, labels)
    iie_scaled = iie["seconds"] * args.rows / iie["rows"]

    total = preview_stats["seconds"] + commit_stats["seconds"]
    print(
        f"preview {preview_stats['seconds']:.1f} s, commit {commit_stats['seconds']:.1f} s "
        f"(created {result.created:,}), total {total:.1f} s; peak memory {peak:.0f} MB\n"
        f"COPY floor {floor:.3f} s (import {total / floor:.0f}x it); writing the same rows "
        f"with COPY alone {write_seconds:.1f} s ({total / write_seconds:.1f}x);\n"
        "django-import-export "
        f"{iie['seconds']:.1f} s for {iie['rows']:,} rows, {iie_scaled:.0f} s scaled to "
        f"{args.rows:,} ({iie_scaled / total:.1f}x the import's time)"
    )
    write_result(
        "imports",
        {
            "partnership": partnership.slug,
            "rows": args.rows,
            "megabytes": round(len(data) / 1e6, 2),
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
            "preview": preview_stats,
            "preview_counts": counts,
            "commit": commit_stats,
            "reimport_same_file": {**again_stats, "unchanged": again.unchanged},
            "reimport_other_values": {
                **update_stats,
                "updated": updated.updated,
                "unchanged": updated.unchanged,
            },
            "validate_and_commit_seconds": round(total, 2),
            "target_seconds": 10,
            "copy_floor_seconds": round(floor, 3),
            "ratio_to_copy_floor": round(total / floor, 1),
            "commit_ratio_to_copy_floor": round(commit_stats["seconds"] / floor, 1),
            "target_ratio_to_floor": 5,
            "write_floor_seconds": round(write_seconds, 2),
            "write_floor_note": (
                "the same points and their history rows, formatted beforehand, COPied into "
                "the real tables with ids read back, and committed: the database's own cost"
            ),
            "ratio_to_write_floor": round(total / write_seconds, 2),
            "peak_rss_mb": round(peak, 1),
            "rss_before_mb": round(rss_before, 1),
            "target_peak_mb": 300,
            "django_import_export": {
                **iie,
                "scaled_to_rows": args.rows,
                "scaled_seconds": round(iie_scaled, 1),
                "scaling": "linear in rows" if iie["rows"] < args.rows else "none (all rows)",
                "writes_history": False,
            },
            "speedup_over_django_import_export": round(iie_scaled / total, 1),
            "target_speedup": 10,
        },
    )


if __name__ == "__main__":
    main()
