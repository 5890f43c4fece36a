"""manage.py recompute_trends [--partnership SLUG] [--indicator CODE]"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from indicators import trend_engine
from indicators.models import Indicator
from partnership.models import Partnership


class Command(BaseCommand):
    help = (
        "Recompute indicator trends, derived totals and equity gaps now, in this process. "
        "Without options: every indicator of every partnership."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnership", metavar="SLUG", help="only this partnership")
        parser.add_argument(
            "--indicator",
            metavar="CODE",
            action="append",
            help="only this indicator (repeat for several; needs --partnership)",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            metavar="N",
            help="recompute in N processes in parallel (PostgreSQL; default 1)",
        )
        parser.add_argument(
            "--stale-only",
            action="store_true",
            help="skip indicators whose trends are already up to date",
        )

    def handle(
        self, *args, partnership=None, indicator=None, stale_only=False, processes=1, **options
    ):
        if processes < 1:
            raise CommandError("--processes must be at least 1.")
        indicators = Indicator.objects.order_by("partnership_id", "id")
        if partnership:
            if not Partnership.objects.filter(slug=partnership).exists():
                raise CommandError(f"No partnership with slug '{partnership}'.")
            indicators = indicators.filter(partnership__slug=partnership)
        if indicator:
            if not partnership:
                raise CommandError("--indicator needs --partnership: codes are per partnership.")
            found = set(indicators.filter(code__in=indicator).values_list("code", flat=True))
            missing = sorted(set(indicator) - found)
            if missing:
                raise CommandError(f"No indicator {', '.join(missing)} in '{partnership}'.")
            indicators = indicators.filter(code__in=indicator)
        selected = list(indicators.only("id", "partnership_id", "code"))
        started = time.monotonic()
        series = 0
        with tqdm(
            total=len(selected),
            unit="indicator",
            disable=options["verbosity"] == 0,
            file=self.stderr._out,
        ) as bar:

            def tick(outcome):
                nonlocal series
                series += outcome.n_series
                bar.update(1)

            if stale_only or processes == 1:
                trend_engine.recompute_many(selected, force=not stale_only, progress=tick)
            else:
                trend_engine.recompute_parallel(
                    [i.pk for i in selected], processes=processes, progress=tick
                )
        self.stdout.write(
            f"Recomputed {len(selected)} indicators ({series} series) "
            f"in {time.monotonic() - started:.1f} s."
        )
