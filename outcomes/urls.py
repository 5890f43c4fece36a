"""Pages under /p/<slug>/ for action networks, activities, the contribution map,
meetings, action items and funding."""

from django.urls import path

from . import views_funding, views_meetings, views_networks

urlpatterns = [
    path("networks/", views_networks.network_list, name="network_list"),
    path("networks/new/", views_networks.network_create, name="network_create"),
    path("networks/<slug:network>/", views_networks.network_detail, name="network_detail"),
    path("networks/<slug:network>/edit/", views_networks.network_edit, name="network_edit"),
    path("networks/<slug:network>/remove/", views_networks.network_remove, name="network_remove"),
    path("activities/", views_networks.activity_list, name="activity_list"),
    path("activities/new/", views_networks.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views_networks.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views_networks.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/remove/", views_networks.activity_remove, name="activity_remove"),
    path("contributions/", views_networks.contributions, name="contributions"),
    path("meetings/", views_meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", views_meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views_meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/remove/", views_meetings.meeting_remove, name="meeting_remove"),
    path(
        "meetings/<int:pk>/meeting.ics",
        views_meetings.meeting_ics_download,
        name="meeting_ics",
    ),
    path("meetings/<int:pk>/decisions/", views_meetings.decision_add, name="decision_add"),
    path(
        "meetings/<int:pk>/action-items/",
        views_meetings.action_item_add,
        name="action_item_add",
    ),
    path("decisions/<int:decision>/edit/", views_meetings.decision_edit, name="decision_edit"),
    path("action-items/", views_meetings.action_items, name="action_items"),
    path(
        "action-items/<int:item>/edit/",
        views_meetings.action_item_edit,
        name="action_item_edit",
    ),
    path(
        "action-items/<int:item>/status/",
        views_meetings.action_item_status,
        name="action_item_status",
    ),
    path("funding/", views_funding.funding_list, name="funding_list"),
    path("funding/new/", views_funding.funding_create, name="funding_create"),
    path("funding/<int:pk>/edit/", views_funding.funding_edit, name="funding_edit"),
    path("funding/<int:pk>/remove/", views_funding.funding_remove, name="funding_remove"),
]
