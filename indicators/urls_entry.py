"""Pages for logging partner data: entry grid, approvals, history (under /p/<slug>/data/)."""

from django.urls import path

from . import views_approvals, views_entry, views_history

urlpatterns = [
    path("", views_entry.data_home, name="data_home"),
    path("approvals/", views_approvals.approval_queue, name="approval_queue"),
    path("points/<int:pk>/history/", views_history.datapoint_history, name="datapoint_history"),
    path("<slug:code>/", views_entry.entry_grid, name="entry_grid"),
    path("<slug:code>/save/", views_entry.entry_save, name="entry_save"),
    path("<slug:code>/status/", views_entry.entry_status, name="entry_status"),
    path("<slug:code>/history/", views_history.indicator_history, name="indicator_history"),
]
