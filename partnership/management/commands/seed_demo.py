"""``manage.py seed_demo``: two demo partnerships with years of data and a user per role."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from indicators import trend_engine
from indicators.models import DataPoint, DataPointChange, Geography, Indicator
from partnership.demo import ADMIN_USERNAME, DEMO_PASSWORD, DEMO_USERS, RIVERSIDE
from partnership.demo_load import Seeded, seed_demo
from partnership.models import Organization, Role


class Command(BaseCommand):
    help = (
        f"Load the demo: the Riverside cradle-to-career partnership ({len(RIVERSIDE.areas)} "
        f"outcome areas, {len(RIVERSIDE.indicators)} indicators, "
        f"{len(RIVERSIDE.organizations)} organizations, a region with "
        f"{len(RIVERSIDE.districts)} districts and their schools, race/ethnicity and "
        "income, ten years of approved data with history) and a small second partnership, "
        "Lakeside; plus the users backbone, steward, viewer, funder and the superuser "
        f"admin, all with the password {DEMO_PASSWORD} (reset if changed). Safe to run "
        "again: it adds what is missing and leaves existing data points alone. Every "
        "number is made up."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="Print one line instead of the tables."
        )

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        started = time.perf_counter()
        with transaction.atomic():
            seeded = seed_demo()
        # Trends for what was loaded, now, so the demo opens with fresh figures.
        trend_engine.recompute_many(
            Indicator.objects.filter(partnership__in=[s.partnership for s in seeded]),
            force=False,
        )
        elapsed = time.perf_counter() - started
        new_points = sum(s.new_points for s in seeded)
        if quiet:
            self.stdout.write(f"seed_demo: {new_points} new data points in {elapsed:.1f}s.")
            return
        for item in seeded:
            self._summary(item)
        self.stdout.write(f"{new_points} new data points in {elapsed:.1f}s.\n")
        self._credentials()

    def _summary(self, item: Seeded) -> None:
        p = item.partnership
        points = DataPoint.objects.filter(indicator__partnership=p)
        geographies = Geography.objects.filter(partnership=p)
        counts = {
            "outcome areas": p.outcome_areas.count(),
            "indicators": p.indicators.count(),
            "organizations": p.organizations.count(),
            "geographies": geographies.count(),
            "dimensions": p.dimensions.count(),
            "data points": points.count(),
            "history entries": DataPointChange.objects.filter(indicator__partnership=p).count(),
        }
        self.stdout.write(self.style.MIGRATE_HEADING(f"{p.name} ({p.slug})"))
        for label, count in counts.items():
            self.stdout.write(f"  {label:<16} {count:>7}")
        self.stdout.write(f"  {'new this run':<16} {item.new_points:>7}")

    def _credentials(self) -> None:
        rows = [("username", "password", "role", "organization")]
        rows.append((ADMIN_USERNAME, DEMO_PASSWORD, "superuser", "(every partnership)"))
        names = dict(
            Organization.objects.filter(partnership__slug=RIVERSIDE.slug).values_list(
                "slug", "name"
            )
        )
        for spec in DEMO_USERS:
            role = Role(spec.role).label
            rows.append((spec.username, DEMO_PASSWORD, role, names[spec.organization]))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write(self.style.MIGRATE_HEADING("Demo users"))
        for n, row in enumerate(rows):
            self.stdout.write(
                "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))
            )
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
