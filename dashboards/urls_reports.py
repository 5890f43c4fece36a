"""Progress reports, under /p/<slug>/reports/."""

from django.urls import path

from . import views_reports

urlpatterns = [
    path("", views_reports.report_list, name="report_list"),
    path("<uuid:code>/", views_reports.report_detail, name="report_detail"),
    path("<uuid:code>/status/", views_reports.report_status, name="report_status"),
    path("<uuid:code>/download/", views_reports.report_download, name="report_download"),
]
