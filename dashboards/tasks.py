"""The dashboards app's Celery tasks, where ``app.autodiscover_tasks()`` looks for
them: the progress report builder lives with the rest of the reports."""

from .reports.tasks import build_report  # noqa: F401
