"""Run every benchmark in order, against the PostgreSQL database DATABASE_URL names:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/impact_bench \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/13 python bench/run.py [--points 1000000]

1. seed_scale.py loads the benchmark partnership (N approved data points);
2. trends.py measures the trend engine on it (full recompute against the SQL
   floor, edit-to-trend latency with a real worker, the worker's peak memory);
3. imports.py imports 100,000 new rows (preview and commit) against the COPY floor;
4. api.py times 100-item pages of the REST API's data points and trends;
5. dashboards.py times the dashboard pages (median, p95, queries) and runs a
   60 s load of 20 clients against gunicorn with wrk (apt-get install -y wrk);
6. reports.py builds the full-partnership PDF progress report of the demo
   partnership (loaded with seed_demo if missing): time, CPU and peak memory.

Each prints its numbers and writes JSON to bench/results/. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the benchmarks measure production.")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/13")
    steps = [
        ["seed_scale.py", "--points", str(args.points)],
        ["trends.py", "--partnership", "bench"],
        ["imports.py", "--partnership", "bench", "--rows", "100000"],
        ["api.py", "--partnership", "bench"],
        ["dashboards.py", "--partnership", "bench"],
        ["reports.py", "--partnership", "riverside"],
    ]
    for step in steps:
        print(f"\n=== {' '.join(step)}", flush=True)
        subprocess.run([sys.executable, str(HERE / step[0]), *step[1:]], check=True)


if __name__ == "__main__":
    main()
