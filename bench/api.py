"""REST API benchmark (issue: REST API, item 6), on the partnership built by
``bench/seed_scale.py`` (PostgreSQL; 1,000,000 data points by default):

    python bench/api.py [--partnership bench] [--requests 200]

Times whole requests through Django's test client with a token (authentication,
permission, throttling, filtering, the queries, serialising to JSON), as a
partner's system would call the API:

- the first 100-item page of data points, as backbone staff and as a viewer
  (approved data only, small-cell policy applied);
- 100-item pages deep in the collection, following the ``next`` cursors;
- a 100-item page of one indicator's data points;
- the same first page asked again with its ETag (answered 304);
- a 100-item page of trends (when bench/trends.py has computed them).

The tables' planner statistics are refreshed first (untimed).

Reports the median and 95th percentile of each, the SQL queries per request, and
the CPU time per request of this process (Django) and of its PostgreSQL backend,
which hold still when other work shares the machine and wall time does not.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from common import setup_django, summary, timed, write_result

TARGET_MEDIAN_MS = 50


def users(partnership) -> dict[str, str]:
    """Tokens of a backbone member and a viewer of the benchmark partnership."""
    from django.contrib.auth import get_user_model

    from partnership.models import Membership, Role
    from partnership.tokens import token_create

    keys = {}
    for role in (Role.BACKBONE, Role.VIEWER):
        user, _ = get_user_model().objects.get_or_create(username=f"bench-api-{role}")
        Membership.objects.get_or_create(
            user=user, partnership=partnership, defaults={"role": role}
        )
        keys[role] = token_create(user=user, name="bench").key
    return keys


class Cpu:
    """CPU seconds of this process and of its PostgreSQL backend (read from /proc:
    the benchmark runs on the database's machine)."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def now(self) -> tuple[float, float]:
        fields = self.stat.read_text().rsplit(")", 1)[1].split()
        return time.process_time(), (int(fields[11]) + int(fields[12])) / self.tick


def measure(client, url: str, n: int, **headers) -> dict:
    """Times ``n`` requests (after 5 to warm up): wall and CPU per request, and the
    status and SQL queries of one more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        client.get(url, secure=True, **headers)
    samples = []
    cpu = Cpu()
    (python_before, db_before) = cpu.now()
    for _ in range(n):
        seconds, response = timed(lambda: client.get(url, secure=True, **headers))
        samples.append(seconds)
    (python_after, db_after) = cpu.now()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True, **headers)
    return {
        **ms(summary(samples)),
        "django_cpu_ms": round((python_after - python_before) / n * 1000, 2),
        "postgres_cpu_ms": round((db_after - db_before) / n * 1000, 2),
        "status": response.status_code,
        "queries": len(queries),
    }


def deep_pages(client, first: str, n: int) -> tuple[list[float], int]:
    """Follow ``next`` from the first page, timing each page; returns how many
    points were paged through."""
    samples, url, seen = [], first, 0
    while url and len(samples) < n:
        seconds, response = timed(lambda u=url: client.get(u, secure=True))
        samples.append(seconds)
        body = response.json()
        seen += len(body["results"])
        url = body["next"]
    return samples, seen


def analyze() -> None:
    """Fresh planner statistics (untimed): the tables were just bulk-loaded and
    rewritten, and autovacuum would get there only later."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("datapoint", "trend", "derivedpoint", "equitygap"):
                cursor.execute(f"ANALYZE indicators_{table}")


def ms(stats: dict[str, float]) -> dict[str, float]:
    return {k: (round(v * 1000, 2) if k != "n" else v) for k, v in stats.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnership", default="bench")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    # The test client's host, and no throttling of the benchmark itself.
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("API_THROTTLE_USER", "1000000/minute")
    setup_django()
    from rest_framework.test import APIClient

    from indicators.models import DataPoint, Trend
    from partnership.models import Partnership

    partnership = Partnership.objects.get(slug=args.partnership)
    analyze()
    points = DataPoint.objects.filter(indicator__partnership=partnership).count()
    trends = Trend.objects.filter(partnership=partnership).count()
    print(f"{partnership.slug}: {points:,} data points, {trends:,} trends")
    keys = users(partnership)
    backbone = APIClient(HTTP_AUTHORIZATION=f"Token {keys['backbone']}")
    viewer = APIClient(HTTP_AUTHORIZATION=f"Token {keys['viewer']}")
    base = f"/api/v1/partnerships/{partnership.slug}"
    page = f"{base}/datapoints/?page_size=100"
    indicator = partnership.indicators.order_by("code").values_list("code", flat=True)[5]
    etag = backbone.get(page, secure=True)["ETag"]

    n = args.requests
    cases = {
        "datapoints_first_page_backbone": measure(backbone, page, n),
        "datapoints_first_page_viewer": measure(viewer, page, n),
        "datapoints_one_indicator": measure(backbone, f"{page}&indicator={indicator}", n),
        "datapoints_not_modified_304": measure(backbone, page, n, HTTP_IF_NONE_MATCH=etag),
    }
    if trends:  # computed by bench/trends.py (or manage.py recompute_trends)
        cases["trends_page"] = measure(viewer, f"{base}/trends/?page_size=100", n)
    else:
        print("No trends yet: run bench/trends.py or recompute_trends to time the trends page.")
    results = {}
    for name, result in cases.items():
        results[name] = result
        print(f"{name}: median {result['median']} ms, p95 {result['p95']} ms (CPU: Django "
              f"{result['django_cpu_ms']} ms, PostgreSQL {result['postgres_cpu_ms']} ms), "
              f"{result['queries']} queries, HTTP {result['status']}")  # fmt: skip
    deep, seen = deep_pages(backbone, page, n)
    results["datapoints_following_next"] = {**ms(summary(deep)), "points_paged": seen}
    print(f"following next: median {results['datapoints_following_next']['median']} ms "
          f"over {seen:,} points")  # fmt: skip
    median = results["datapoints_first_page_backbone"]["median"]
    write_result(
        "api",
        {
            "partnership": partnership.slug,
            "data_points": points,
            "trends": trends,
            "page_size": 100,
            "target_median_ms": TARGET_MEDIAN_MS,
            "load_average": os.getloadavg(),
            "meets_target": median <= TARGET_MEDIAN_MS,
            "results_ms": results,
        },
    )


if __name__ == "__main__":
    main()
