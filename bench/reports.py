"""Progress report benchmark (issue 6, item 6): the full-partnership PDF of the demo
partnership, built the way the reports page builds it (``report_request``, the
task run in-process), timed from the request to the ready file, with the peak
memory of the whole process tree (Python and the Chromium that kaleido drives):

    python bench/reports.py [--partnership riverside] [--runs 2] [--disaggregate]

Loads the demo partnership (``seed_demo``) when the database does not have it.
Each PDF starts its own Chromium for its charts and closes it after them (see
dashboards/reports/charts.py). Memory is the PSS of the process tree; CPU time is
reported beside wall time, since the machine may be shared. Also reports where
the time goes (reading the data, drawing the charts, laying
out the pages) and the Excel and CSV files of the same scope. Targets: at most
30 s and 1 GB for the PDF.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from common import setup_django, timed, write_result

TARGET_SECONDS = 30
TARGET_MB = 1024


def _children(pid: int) -> list[int]:
    """Every descendant of a process, from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _pss_mb(pid: int) -> float:
    """A process's proportional set size: its private memory plus its share of what
    it shares with others, so that summing over Chromium's processes (which share
    much) does not count the same pages several times."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeUsage:
    """Samples this process and all its descendants (the browser kaleido starts)
    every 50 ms: ``peak_mb`` is the largest sum of their memory (PSS) seen, and
    ``cpu_seconds`` their CPU time (the children's as last seen before they ended).
    CPU time holds still when other work shares the machine; wall time does not."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._children_cpu: dict[int, float] = {}
        self._own_cpu = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            children = _children(me)
            total = sum(_pss_mb(pid) for pid in [me, *children])
            self.peak_mb = max(self.peak_mb, total)
            for pid in children:
                self._children_cpu[pid] = max(self._children_cpu.get(pid, 0), _cpu_seconds(pid))
            self._stop.wait(0.05)

    @property
    def cpu_seconds(self) -> float:
        return self._own_cpu + sum(self._children_cpu.values())

    def __enter__(self) -> TreeUsage:
        self._started_cpu = time.process_time()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._own_cpu = time.process_time() - self._started_cpu


def _pages(path: Path) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    line = next(line for line in out.stdout.splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def build(partnership, user, fmt: str, disaggregate: bool):
    from dashboards.models import Report
    from dashboards.reports.services import report_request

    (report,) = report_request(
        partnership=partnership, user=user, formats=[fmt], disaggregate=disaggregate
    )
    report = Report.objects.get(pk=report.pk)  # the task ran when the request committed
    assert report.status == "ready", report.error
    return report


def phases(partnership, disaggregate: bool) -> dict[str, float]:
    """Where the PDF's time goes, each phase timed on its own."""
    from weasyprint import HTML

    from dashboards.reports.charts import report_figure, svg_images
    from dashboards.reports.data import report_data
    from dashboards.reports.pdf import _data_uri, _static_root, render_html

    read, data = timed(lambda: report_data(partnership=partnership, disaggregate=disaggregate))
    sections = [s for s in data.indicators if s.headline]
    draw, images = timed(lambda: svg_images([report_figure(s) for s in sections]))
    charts = {s.indicator.pk: _data_uri(svg) for s, svg in zip(sections, images, strict=True)}
    layout, _ = timed(
        lambda: HTML(string=render_html(data, charts), base_url=_static_root()).write_pdf()
    )
    return {"read_data_s": read, "draw_charts_s": draw, "layout_pdf_s": layout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partnership", default="riverside")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--disaggregate", action="store_true")
    args = parser.parse_args()
    media = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    os.environ["MEDIA_ROOT"] = str(media)
    # Build in this process, to measure it (a worker runs the same task function).
    os.environ["CELERY_BROKER_URL"] = ""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from partnership.models import Partnership

    if not Partnership.objects.filter(slug=args.partnership).exists():
        call_command("seed_demo")
    partnership = Partnership.objects.get(slug=args.partnership)
    user = get_user_model().objects.filter(is_superuser=True).first()
    indicators = partnership.indicators.count()

    runs, cpu, peaks = [], [], []
    for _ in range(args.runs):
        with TreeUsage() as usage:
            started = time.perf_counter()
            report = build(partnership, user, "pdf", args.disaggregate)
            runs.append(time.perf_counter() - started)
        cpu.append(usage.cpu_seconds)
        peaks.append(usage.peak_mb)
    path = Path(report.file.path)
    breakdown = phases(partnership, args.disaggregate)
    others = {}
    for fmt in ("xlsx", "csv"):
        seconds, other = timed(lambda fmt=fmt: build(partnership, user, fmt, args.disaggregate))
        others[fmt] = {"seconds": round(seconds, 2), "bytes": other.size}
    result = {
        "partnership": partnership.slug,
        "indicators": indicators,
        "indicators_in_report": report.indicator_count,
        "disaggregate": args.disaggregate,
        "pdf_seconds": [round(r, 2) for r in runs],
        "pdf_cpu_seconds_process_tree": [round(c, 2) for c in cpu],
        "pdf_peak_memory_mb_process_tree": [round(m) for m in peaks],
        "load_average_1min": round(os.getloadavg()[0], 1),
        "pdf_bytes": report.size,
        "pdf_pages": _pages(path),
        "phases_warm": {k: round(v, 2) for k, v in breakdown.items()},
        "other_formats": others,
        "targets": {"seconds": TARGET_SECONDS, "memory_mb": TARGET_MB},
        "meets_targets": max(runs) <= TARGET_SECONDS and max(peaks) <= TARGET_MB,
    }
    suffix = "-disaggregated" if args.disaggregate else ""
    write_result(f"reports{suffix}", result)
    shutil.rmtree(media, ignore_errors=True)


if __name__ == "__main__":
    main()
