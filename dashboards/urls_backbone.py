"""Backbone pages of the dashboards app under /p/<slug>/: engagement and the public
report card's settings."""

from django.urls import path

from . import views_engagement, views_report_card

urlpatterns = [
    path("engagement/", views_engagement.engagement, name="engagement"),
    path(
        "settings/report-card/",
        views_report_card.report_card_settings,
        name="report_card_settings",
    ),
]
