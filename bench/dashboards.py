"""Dashboard page benchmarks (issue 5, item 7), on the partnership built by
``manage.py seed_scale`` with its trends computed (PostgreSQL).

    python bench/dashboards.py [--partnership bench] [--samples 40] [--duration 60]
                               [--clients 20] [--workers 4] [--no-load]

(a) server time of each dashboard page, in process (Django's test client, no
    network): median and p95 over ``--samples`` requests after a warm-up, with the
    SQL query count and the slowest queries of one request (to see what dominates);
(b) a load run: gunicorn with ``--workers`` processes, ``--clients`` concurrent
    connections for ``--duration`` seconds with wrk (Debian package ``wrk``), a Lua
    script sending a signed-in session cookie and cycling through the pages:
    requests per second, latency percentiles, errors (non-2xx, socket errors).

Prints the numbers and writes bench/results/dashboards.json. Target: the
partnership home at most 150 ms median; the load run without errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import ROOT, setup_django, summary, timed, write_result

# This file's name is the dashboards app's: take bench/ off the import path and
# import the app's package first, so that ``dashboards`` is the app, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
sys.path.insert(0, str(ROOT))
importlib.import_module("dashboards")

USERNAME = "bench-backbone"
VIEWER = "bench-viewer"


def bench_users(partnership) -> dict[str, Any]:
    """A backbone member and a viewer of the benchmark partnership (created once)."""
    from django.contrib.auth import get_user_model

    from partnership.models import Membership, Role

    users = {}
    for username, role in ((USERNAME, Role.BACKBONE), (VIEWER, Role.VIEWER)):
        user, _ = get_user_model().objects.get_or_create(username=username)
        Membership.objects.get_or_create(
            user=user, partnership=partnership, defaults={"role": role}
        )
        users[role] = user
    return users


def publish_report_card(partnership, user) -> None:
    from dashboards.models import PublicReportCard
    from dashboards.report_card import report_card_save

    card = PublicReportCard.objects.filter(partnership=partnership).first()
    if card is None or not card.enabled:
        report_card_save(
            user=user,
            partnership=partnership,
            expected_version=card.version if card else 0,
            enabled=True,
        )


def pages(partnership) -> dict[str, str]:
    """The pages to measure: whichever of them exist in this version of the app."""
    from django.urls import NoReverseMatch, reverse

    from indicators.models import Indicator

    area = partnership.outcome_areas.order_by("order").first()
    # The indicator page at its heaviest: the indicator with the most series.
    indicator = (
        Indicator.objects.filter(partnership=partnership)
        .order_by("-trend_state__n_series", "code")
        .first()
    )
    wanted = {
        "home": ("partnership_overview", [partnership.slug]),
        "outcome_area": ("outcome_area", [partnership.slug, area.slug]),
        "indicator": ("indicator_detail", [partnership.slug, indicator.code]),
        "engagement": ("engagement", [partnership.slug]),
        "public_report_card": ("public_report_card", [partnership.slug]),
    }
    found = {}
    for name, (url_name, args) in wanted.items():
        try:
            found[name] = reverse(url_name, args=args)
        except NoReverseMatch:
            print(f"  ({name}: no such page in this version, skipped)")
    return found


def slowest_queries(client, url: str, top: int = 5) -> tuple[int, list[dict[str, Any]]]:
    """The number of queries of one request and the slowest of them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    return len(captured.captured_queries), [
        {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:300]} for q in queries[:top]
    ]


def server_times(users: dict[str, Any], urls: dict[str, str], samples: int) -> dict[str, Any]:
    """Median and p95 of each page's server time, per role that reads it."""
    from django.core.cache import cache
    from django.test import Client

    from partnership.models import Role

    results: dict[str, Any] = {}
    clients = {}
    for role in (Role.BACKBONE, Role.VIEWER):
        client = Client()
        client.force_login(users[role])
        clients[role] = client
    measured = [(name, url, False) for name, url in urls.items()]
    if "public_report_card" in urls:  # its first reader after a change renders it
        measured.append(("public_report_card_uncached", urls["public_report_card"], True))
    for name, url, uncached in measured:
        roles = [Role.BACKBONE] if name == "engagement" else [Role.BACKBONE, Role.VIEWER]
        for role in roles:
            client = clients[role]
            for _ in range(3):  # warm up: caches, connections, lazy imports
                assert client.get(url).status_code == 200, (url, role)
            times = []
            for _ in range(samples):
                if uncached:
                    cache.clear()
                seconds, response = timed(lambda u=url, c=client: c.get(u))
                assert response.status_code == 200, (url, role, response.status_code)
                times.append(seconds)
            if uncached:
                cache.clear()
            n_queries, slow = slowest_queries(client, url)
            stats = summary(times)
            key = f"{name}:{role}"
            results[key] = {
                "url": url,
                "role": role,
                "median_ms": round(stats["median"] * 1000, 1),
                "p95_ms": round(stats["p95"] * 1000, 1),
                "max_ms": round(stats["max"] * 1000, 1),
                "queries": n_queries,
                "slowest_queries": slow,
                "bytes": len(response.content),
            }
            print(
                f"(a) {key:32} median {stats['median'] * 1000:7.1f} ms   "
                f"p95 {stats['p95'] * 1000:7.1f} ms   {n_queries:3} queries   "
                f"{len(response.content) / 1024:6.0f} KiB"
            )
    return results


# --- the load run ------------------------------------------------------------------

LUA = """
-- Cycle through the dashboard pages with a signed-in session.
local paths = {%(paths)s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {
    ["Cookie"] = "sessionid=%(session)s",
    ["Host"] = "127.0.0.1",
  })
end
"""


def session_cookie(user) -> str:
    """A database session for ``user``, as a browser would have after signing in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving the app with production settings, in its own process group."""

    def __init__(self, workers: int) -> None:
        self.port = free_port()
        self.log = Path(tempfile.mkdtemp(prefix="bench-gunicorn-")) / "gunicorn.log"
        env = {
            **os.environ,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(workers), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/accounts/login/", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not start; see {self.log}")

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        self.process.wait(30)


def _ms(text: str) -> float:
    """wrk's '12.34ms', '1.20s' or '950.00us' in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    percentiles = {
        f"p{p}_ms": _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.M)
    }
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    kinds = ("connect", "read", "write", "timeout")
    counts = map(int, socket_errors.groups()) if socket_errors else (0, 0, 0, 0)
    errors = {
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
        **dict(zip(kinds, counts, strict=True)),
    }
    return {
        "requests": requests,
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "latency": percentiles,
        "errors": errors,
        "error_total": sum(errors.values()),
    }


def load_run(
    user, urls: dict[str, str], *, duration: int, clients: int, workers: int
) -> dict[str, Any]:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("The load run needs wrk: apt-get install -y wrk (or pass --no-load).")
    paths = [u for name, u in urls.items() if name in ("home", "outcome_area", "indicator")]
    script = Path(tempfile.mkdtemp(prefix="bench-wrk-")) / "dashboards.lua"
    script.write_text(
        LUA % {"paths": ", ".join(f'"{p}"' for p in paths), "session": session_cookie(user)}
    )
    server = Gunicorn(workers)
    try:
        base = f"http://127.0.0.1:{server.port}"
        # Each page answers 200 to the session before the run (not a sign-in redirect).
        for path in paths:
            request = urllib.request.Request(
                base + path, headers={"Cookie": f"sessionid={session_cookie(user)}"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                assert response.status == 200 and response.url.endswith(path), response.url
        command = [wrk, "-t", "2", "-c", str(clients), "-d", f"{duration}s", "--timeout", "10s",
                   "--latency", "-s", str(script), base]  # fmt: skip
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        server.stop()
    print(output)
    result = parse_wrk(output)
    result.update(
        {"paths": paths, "clients": clients, "duration_s": duration, "gunicorn_workers": workers}
    )
    latency = result["latency"]
    print(
        f"(b) {clients} clients for {duration} s against gunicorn ({workers} workers): "
        f"{result['requests_per_second']:.1f} requests/s, median {latency.get('p50_ms')} ms, "
        f"p99 {latency.get('p99_ms')} ms, errors {result['error_total']}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnership", default="bench")
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load run")
    args = parser.parse_args()
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    setup_django()
    from django.core.management import call_command

    # Production settings serve hashed static file names from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum keeps them in production (a
        # benchmark load just wrote a million rows).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from indicators.models import DataPoint, Trend
    from partnership.models import Partnership, Role

    partnership = Partnership.objects.get(slug=args.partnership)
    points = DataPoint.objects.filter(indicator__partnership=partnership).count()
    trends = Trend.objects.filter(partnership=partnership).count()
    print(f"{partnership.slug}: {points} data points, {trends} trends")
    if not trends:
        raise SystemExit("No trends: run `manage.py recompute_trends` (or bench/trends.py) first.")
    users = bench_users(partnership)
    publish_report_card(partnership, users[Role.BACKBONE])
    urls = pages(partnership)
    times = server_times(users, urls, args.samples)
    load = None
    if not args.no_load:
        load = load_run(
            users[Role.VIEWER],
            urls,
            duration=args.duration,
            clients=args.clients,
            workers=args.workers,
        )
    home = times.get(f"home:{Role.BACKBONE}")
    write_result(
        "dashboards",
        {
            "partnership": partnership.slug,
            "data_points": points,
            "trends": trends,
            "samples": args.samples,
            "pages": times,
            "target_home_median_ms": 150,
            "home_median_ms": home["median_ms"] if home else None,
            "load": load,
        },
    )


if __name__ == "__main__":
    main()
