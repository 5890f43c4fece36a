"""Running the partnership: the common agenda, the partner directory and invitations,
the Theory of Action (mounted under /p/<slug>/ in config/urls.py)."""

from django.urls import path

from . import views_agenda, views_directory, views_toa

urlpatterns = [
    path("agenda/", views_agenda.agenda_page, name="agenda"),
    path("agenda/edit/", views_agenda.agenda_edit, name="agenda_edit"),
    path("agenda/v<int:number>/", views_agenda.agenda_version, name="agenda_version"),
    path("agenda/v<int:number>/adopt/", views_agenda.agenda_adopt, name="agenda_adopt"),
    path("agenda/v<int:number>/endorse/", views_agenda.agenda_endorse, name="agenda_endorse"),
    path("partners/", views_directory.partner_directory, name="partner_directory"),
    # Before ``<org_slug>``, which would take "invitations" and "members".
    path("partners/invitations/", views_directory.invitation_list, name="invitation_list"),
    path(
        "partners/invitations/<int:pk>/resend/",
        views_directory.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "partners/invitations/<int:pk>/revoke/",
        views_directory.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "partners/members/<int:pk>/",
        views_directory.membership_edit,
        name="membership_edit",
    ),
    path(
        "partners/<slug:org_slug>/",
        views_directory.organization_detail,
        name="organization_detail",
    ),
    path(
        "partners/<slug:org_slug>/contacts/new/",
        views_directory.contact_create,
        name="contact_create",
    ),
    path(
        "partners/<slug:org_slug>/contacts/<int:pk>/",
        views_directory.contact_edit,
        name="contact_edit",
    ),
    path(
        "partners/<slug:org_slug>/contacts/<int:pk>/delete/",
        views_directory.contact_delete,
        name="contact_delete",
    ),
    path("theory-of-action/", views_toa.theory_of_action, name="theory_of_action"),
    path(
        "theory-of-action/benchmarks/<int:pk>/",
        views_toa.benchmark_detail,
        name="benchmark_detail",
    ),
    path(
        "theory-of-action/benchmarks/<int:pk>/assess/",
        views_toa.benchmark_assess,
        name="benchmark_assess",
    ),
    path(
        "theory-of-action/benchmarks/<int:pk>/change/",
        views_toa.benchmark_change,
        name="benchmark_change",
    ),
    path(
        "theory-of-action/gateways/<slug:stage>/add/",
        views_toa.benchmark_add,
        name="benchmark_add",
    ),
]
