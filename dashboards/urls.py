from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("p/<slug:slug>/", views.partnership_overview, name="partnership_overview"),
    path("p/<slug:slug>/areas/<slug:area>/", views.outcome_area, name="outcome_area"),
    path("p/<slug:slug>/indicators/<slug:code>/", views.indicator_detail, name="indicator_detail"),
    path(
        "p/<slug:slug>/organizations/<slug:org>/",
        views.organization_dashboard,
        name="organization_dashboard",
    ),
]
