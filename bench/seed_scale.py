"""How fast does ``seed_scale`` load N data points into the database DATABASE_URL names?

    python bench/seed_scale.py --points 1000000 [--workers 2]

Migrates the database (a new one from ``createdb`` works), then loads into the
partnership ``bench`` (emptied and vacuumed first, untimed), prints
the numbers and writes them to bench/results/seed_scale.json. The time includes
building the catalogue and the commit (when PostgreSQL checks the foreign keys).
"""

from __future__ import annotations

import argparse
import io

from common import setup_django, timed, write_result

SLUG = "bench"


def empty_partnership() -> None:
    """Delete earlier runs' points, and on PostgreSQL vacuum them away, so that the
    load does not pay for stepping over dead rows."""
    from django.db import connection, transaction

    from indicators.models import DataPoint
    from partnership import scale
    from partnership.models import Partnership

    if not Partnership.objects.filter(slug=SLUG).exists():
        return
    with transaction.atomic():
        scale.delete_data(scale.scale_partnership(SLUG))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {DataPoint._meta.db_table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1, help="PostgreSQL only.")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    empty_partnership()
    out = io.StringIO()
    options = {"points": args.points, "partnership": SLUG, "workers": args.workers}
    seconds, _ = timed(lambda: call_command("seed_scale", quiet=True, stdout=out, **options))
    write_result(
        "seed_scale",
        {
            "points": args.points,
            "seconds": round(seconds, 2),
            "points_per_second": round(args.points / seconds),
            "workers": args.workers,
            "output": out.getvalue().strip().splitlines(),
        },
    )


if __name__ == "__main__":
    main()
