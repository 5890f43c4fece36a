"""Trend engine benchmarks (issue: shared measurement engine), on the partnership
built by ``manage.py seed_scale`` (PostgreSQL, Redis).

    python bench/trends.py [--partnership bench] [--edits 25]

(a) full recompute time (in one process and in one per core), against the
    practical floor: one SQL pass computing count, first, last and regr_slope per
    series over the same rows; each the median of three runs;
(b) time from one data point edit to its updated trend, with a running worker;
(c) the worker's peak memory (resident set) during a full recompute.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, setup_django, summary, timed, write_result

RUNS = 3  # the floor and each full recompute: the median of three runs

FLOOR_SQL = """
SELECT dp.indicator_id, dp.geography_id, dp.category_id, count(*),
       (array_agg(dp.value ORDER BY p.start))[1],
       (array_agg(dp.value ORDER BY p.start DESC))[1],
       regr_slope(dp.value::float8, extract(epoch FROM p.start) / 31557600.0)
FROM indicators_datapoint dp
JOIN indicators_period p ON p.id = dp.period_id
JOIN indicators_indicator i ON i.id = dp.indicator_id
WHERE i.partnership_id = %s AND dp.status = 'approved'
GROUP BY dp.indicator_id, dp.geography_id, dp.category_id
"""


def floor_seconds(partnership_id: int) -> tuple[float, int]:
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [partnership_id])
            return len(cursor.fetchall())

    run()  # warm the cache, as the recompute below also runs warm
    return median_of(RUNS, run)


def median_of(runs: int, fn) -> tuple[float, object]:
    """The median time of ``runs`` calls of ``fn``, and its last result."""
    samples = [timed(fn) for _ in range(runs)]
    return statistics.median(t for t, _ in samples), samples[-1][1]


def full_recompute(partnership, processes: int) -> tuple[float, int]:
    from indicators import trend_engine

    ids = list(partnership.indicators.order_by("id").values_list("id", flat=True))
    seconds, outcomes = median_of(
        RUNS, lambda: trend_engine.recompute_parallel(ids, processes=processes)
    )
    return seconds, sum(o.n_series for o in outcomes)


class Worker:
    """A Celery worker in its own process group, with its log in a temp file."""

    def __init__(self) -> None:
        self.log = Path(tempfile.mkdtemp(prefix="bench-worker-")) / "worker.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1",
             "--pool=prefork", "--loglevel=warning", "--without-gossip", "--without-mingle"],
            cwd=ROOT, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        from config.celery import app

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                return
        raise SystemExit(f"The worker did not start; see {self.log}")

    def pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-g", str(self.process.pid)], capture_output=True, text=True
        ).stdout
        return [int(p) for p in out.split()]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) among the worker's processes."""
        peaks = []
        for pid in self.pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
            except FileNotFoundError:
                continue
        return max(peaks, default=0.0)

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(30)


def edit_latency(partnership, edits: int) -> list[float]:
    """Edit an approved point, approve it again, and wait for its trend."""
    from indicators.models import DataPoint, DataStatus, Trend
    from indicators.services import datapoint_set_status, datapoint_update

    samples = []
    points = list(
        DataPoint.objects.filter(
            indicator__partnership=partnership,
            status=DataStatus.APPROVED,
            indicator__unit="count",
        ).select_related("indicator")[: edits * 50 : 50]
    )
    for point in points:
        started = time.perf_counter()
        point = datapoint_update(point=point, expected_version=point.version, value=point.value + 1)
        point = datapoint_set_status(
            point=point, status=DataStatus.APPROVED, expected_version=point.version
        )
        version = type(point.indicator).objects.get(pk=point.indicator_id).data_version
        while not Trend.objects.filter(
            indicator_id=point.indicator_id,
            geography_id=point.geography_id,
            category_id=point.category_id,
            data_version__gte=version,
        ).exists():
            if time.perf_counter() - started > 60:
                raise SystemExit("The trend did not update within 60 s: is the worker running?")
            time.sleep(0.005)
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnership", default="bench")
    parser.add_argument("--edits", type=int, default=25)
    args = parser.parse_args()
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
    setup_django()
    from django.utils import timezone

    from indicators.models import DataPoint, TrendState
    from indicators.tasks import recompute_all_trends
    from partnership.models import Partnership

    partnership = Partnership.objects.get(slug=args.partnership)
    points = DataPoint.objects.filter(indicator__partnership=partnership).count()
    print(f"{partnership.slug}: {points} data points")

    floor, floor_series = floor_seconds(partnership.pk)
    serial, series = full_recompute(partnership, processes=1)
    processes = os.cpu_count() or 1
    recompute, _ = full_recompute(partnership, processes=processes)
    print(
        f"(a) full recompute {serial:.2f} s in one process ({serial / floor:.2f}x the floor), "
        f"{recompute:.2f} s in {processes} ({recompute / floor:.2f}x); SQL floor {floor:.2f} s"
    )

    from config.celery import app

    app.control.purge()
    worker = Worker()
    try:
        latencies = edit_latency(partnership, args.edits)
        print(f"(b) edit to trend: median {summary(latencies)['median'] * 1000:.0f} ms")
        started = time.monotonic()
        since = timezone.now()
        recompute_all_trends.delay(partnership.pk)
        total = partnership.indicators.count()
        while time.monotonic() - started < 1800:
            done = TrendState.objects.filter(
                indicator__partnership=partnership, computed_at__gte=since
            ).count()
            if done >= total:
                break
            time.sleep(0.2)
        worker_seconds = time.monotonic() - started
        peak = worker.peak_rss_mb()
        print(f"(c) worker full recompute {worker_seconds:.1f} s, peak memory {peak:.0f} MB")
    finally:
        worker.stop()

    write_result(
        "trends",
        {
            "partnership": partnership.slug,
            "data_points": points,
            "series": series,
            "full_recompute_seconds_one_process": round(serial, 3),
            "full_recompute_processes": processes,
            "full_recompute_seconds": round(recompute, 3),
            "sql_floor_seconds": round(floor, 3),
            "sql_floor_series": floor_series,
            "ratio_to_floor_one_process": round(serial / floor, 2),
            "ratio_to_floor": round(recompute / floor, 2),
            "target_ratio": 3.0,
            "edit_to_trend_seconds": {k: round(v, 4) for k, v in summary(latencies).items()},
            "target_edit_to_trend_median_seconds": 1.0,
            "worker_full_recompute_seconds": round(worker_seconds, 1),
            "worker_peak_rss_mb": round(peak, 1),
            "target_worker_peak_rss_mb": 500,
        },
    )


if __name__ == "__main__":
    main()
