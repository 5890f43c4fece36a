"""Celery tasks that keep trends fresh. Each takes ids, re-reads state, and is safe
to run twice or on two workers at once (the engine locks the indicator's
TrendState row and skips work that is already done)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.db.models import F, Q
from django.utils import timezone

from . import trend_engine
from .models import Indicator

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def recompute_indicator_trends(self, indicator_id: int, force: bool = False) -> str:
    try:
        outcome = trend_engine.recompute_indicator(indicator_id, force=force)
    except OperationalError:
        raise
    except Exception as exc:
        trend_engine.record_failure(indicator_id, f"{type(exc).__name__}: {exc}")
        raise
    if outcome.state == "busy":
        # Another worker is computing this indicator right now; look again when it
        # is likely done, in case the data changed after it started reading.
        raise self.retry(countdown=2, max_retries=60)
    stale = Indicator.objects.filter(
        pk=indicator_id, data_version__gt=outcome.data_version
    ).exists()
    if outcome.state == "computed" and stale:
        recompute_indicator_trends.apply_async((indicator_id,), countdown=1)
    return outcome.state


@shared_task(acks_late=True)
def recompute_pending_trends() -> int:
    """Sweep: queue every indicator whose trends are behind its data, e.g. because
    the broker was down when the data changed. Returns how many were queued."""
    lost_after = timezone.now() - timedelta(minutes=5)
    stale = Indicator.objects.filter(
        Q(trend_state__isnull=True, data_version__gt=0)
        | Q(trend_state__computed_version__lt=F("data_version"))
    ).filter(Q(recompute_requested_at__isnull=True) | Q(recompute_requested_at__lt=lost_after))
    ids = list(stale.values_list("id", flat=True))
    for indicator_id in ids:
        recompute_indicator_trends.delay(indicator_id)
    return len(ids)


@shared_task(acks_late=True)
def recompute_all_trends(partnership_id: int | None = None) -> int:
    """Nightly repair: recompute every indicator (of one partnership, or all), one
    task per indicator so that several workers share the work."""
    indicators = Indicator.objects.all()
    if partnership_id is not None:
        indicators = indicators.filter(partnership_id=partnership_id)
    ids = list(indicators.values_list("id", flat=True))
    for indicator_id in ids:
        recompute_indicator_trends.delay(indicator_id, force=True)
    return len(ids)


# Celery's autodiscovery imports only ``tasks`` modules: registering the data
# request reminder tasks and the import tasks here lets workers and beat find them.
from . import api_import_tasks, import_tasks, reminder_tasks  # noqa: E402, F401
