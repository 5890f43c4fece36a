"""Pages for data requests and completeness (under /p/<slug>/requests/)."""

from django.urls import path

from . import views_requests as views

urlpatterns = [
    path("", views.data_request_list, name="data_request_list"),
    path("new/", views.data_request_create, name="data_request_create"),
    path(
        "new/stewards/",
        views.data_request_create_for_stewards,
        name="data_request_create_for_stewards",
    ),
    path("<uuid:code>/cancel/", views.data_request_cancel, name="data_request_cancel"),
    path("completeness/", views.completeness, name="completeness"),
]
