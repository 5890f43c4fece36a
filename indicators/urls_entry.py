"""Pages for logging partner data: entry grid, approvals, history (under /p/<slug>/data/)."""

from django.urls import path

from . import views_approvals, views_entry, views_history, views_import

urlpatterns = [
    path("", views_entry.data_home, name="data_home"),
    path("approvals/", views_approvals.approval_queue, name="approval_queue"),
    path("points/<int:pk>/history/", views_history.datapoint_history, name="datapoint_history"),
    # Importing a file; before the ``<code>`` patterns, which would take "import".
    path("import/", views_import.import_upload, name="import_upload"),
    path("import/<uuid:code>/", views_import.import_detail, name="import_detail"),
    path("import/<uuid:code>/status/", views_import.import_status, name="import_status"),
    path("import/<uuid:code>/commit/", views_import.import_commit, name="import_commit"),
    path(
        "import/<uuid:code>/errors.csv",
        views_import.import_error_report,
        name="import_error_report",
    ),
    path("<slug:code>/template.csv", views_import.import_template, name="import_template"),
    path("<slug:code>/", views_entry.entry_grid, name="entry_grid"),
    path("<slug:code>/save/", views_entry.entry_save, name="entry_save"),
    path("<slug:code>/status/", views_entry.entry_status, name="entry_status"),
    path("<slug:code>/history/", views_history.indicator_history, name="indicator_history"),
]
