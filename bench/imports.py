"""Import benchmark (issue: data entry, item 8), on the partnership built by
``bench/seed_scale.py`` (PostgreSQL):

    python bench/imports.py [--partnership bench] [--rows 100000]

Writes a CSV of new data points for the partnership's school-year indicators,
then measures the import's preview (validation) and commit, the process's peak
memory, and the floor: PostgreSQL's COPY of the same file into a plain table.
The imported points are deleted again afterwards (untimed).
"""

from __future__ import annotations

import argparse
import io
import random
import resource
from itertools import product

from common import setup_django, timed, write_result

HEADER = "indicator,period,geography,dimension,category,value,numerator,denominator,note,source"


def build_csv(partnership, rows: int) -> tuple[bytes, list[str]]:
    from indicators.models import Frequency, Geography
    from indicators.periods import school_year_span

    indicators = list(
        partnership.indicators.filter(frequency=Frequency.SCHOOL_YEAR).order_by("code")
    )
    codes = Geography.objects.filter(partnership=partnership).order_by("path")
    geographies = ["", *codes.values_list("code", flat=True)]
    labels = [school_year_span(year).label for year in range(2024, 2124)]
    rng = random.Random(7)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnership", default="bench")
    parser.add_argument("--rows", type=int, default=100_000)
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
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kwargs = {"partnership": partnership, "user": user, "file": data, "filename": "bench.csv"}
    preview_seconds, preview = timed(lambda: import_preview(**kwargs))
    assert not preview.issues, preview.issues[:3]
    commit_seconds, result = timed(lambda: import_commit(**kwargs))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    clean_up(partnership, labels)
    total = preview_seconds + commit_seconds
    print(
        f"preview {preview_seconds:.1f} s, commit {commit_seconds:.1f} s (created "
        f"{result.created:,}); COPY floor {floor:.2f} s; peak memory {peak:.0f} MB"
    )
    write_result(
        "imports",
        {
            "partnership": partnership.slug,
            "rows": args.rows,
            "megabytes": round(len(data) / 1e6, 2),
            "preview_seconds": round(preview_seconds, 2),
            "commit_seconds": round(commit_seconds, 2),
            "validate_and_commit_seconds": round(total, 2),
            "target_seconds": 10,
            "copy_floor_seconds": round(floor, 3),
            "ratio_to_copy_floor": round(commit_seconds / floor, 1),
            "target_ratio_to_floor": 5,
            "peak_rss_mb": round(peak, 1),
            "rss_before_mb": round(rss_before, 1),
            "target_peak_mb": 300,
            "not_measured": "django-import-export comparison (not installed here yet)",
        },
    )


if __name__ == "__main__":
    main()
