"""``manage.py seed_scale --points N``: a synthetic partnership with N approved data points."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from partnership import scale, scale_load


class Command(BaseCommand):
    help = (
        "Build a synthetic partnership (default slug 'scale') holding exactly N approved "
        "data points, as fast as the database allows, for benchmarks: 140 indicators "
        "across 7 outcome areas, race/ethnicity and income categories, and as many "
        "geographies (a region, districts, schools) as N needs. Uses COPY on PostgreSQL "
        "and bulk_create elsewhere, in one transaction. Writes no change history, so the "
        "data is fit for nothing but measuring. Refuses to touch a partnership it did "
        "not make."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--points", type=int, required=True, help="How many data points.")
        parser.add_argument(
            "--partnership", default="scale", help="Slug of the partnership (default: scale)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the partnership's existing data points first.",
        )
        parser.add_argument(
            "--method",
            choices=("auto", "copy", "bulk_create"),
            default="auto",
            help="How to insert: COPY (PostgreSQL), bulk_create, or auto (the fastest "
            "available, the default).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="PostgreSQL only: load with this many connections at once, each in its "
            "own transaction (the catalogue is committed first; if a worker fails, all "
            "points are deleted again). Default 1: everything in one transaction.",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        points: int = options["points"]
        workers: int = options["workers"]
        if points < 1 or workers < 1:
            raise CommandError("--points and --workers must be at least 1.")
        started = time.perf_counter()
        try:
            loaded = self._seed(options["partnership"], points, workers, options)
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Loaded {loaded:,} data points in {elapsed:.1f}s ({loaded / elapsed:,.0f} points/s)."
        )

    def _seed(self, slug: str, points: int, workers: int, options: dict[str, Any]) -> int:
        if workers > 1 and (options["method"] == "bulk_create" or not scale_load.can_copy()):
            raise CommandError("--workers needs COPY: PostgreSQL with psycopg2.")
        with tqdm(total=points, unit="pt", unit_scale=True, disable=options["quiet"]) as bar:
            with transaction.atomic():
                plan = self._plan(slug, points, options["replace"])
                if workers == 1:
                    return scale_load.load(plan, options["method"], bar.update)
            # The catalogue is committed now, so the workers' connections see it.
            return scale_load.load_parallel(plan, workers, bar.update)

    def _plan(self, slug: str, points: int, replace: bool) -> scale.Plan:
        partnership = scale.scale_partnership(slug)
        existing = scale.existing_points(partnership)
        if existing and not replace:
            raise CommandError(
                f"The partnership '{slug}' already has {existing:,} data points; run again "
                "with --replace to delete them and load new ones."
            )
        if existing:
            scale.delete_data(partnership)
            self.stdout.write(f"Deleted {existing:,} data points.")
        plan = scale.plan(partnership, points)
        self.stdout.write(f"Shape: {plan.describe()}.")
        return plan
