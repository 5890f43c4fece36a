"""The public report card: no sign-in, only for partnerships that switched it on."""

from django.urls import path

from . import views_public

urlpatterns = [
    path("<slug:slug>/", views_public.report_card, name="public_report_card"),
    path("<slug:slug>/embed/", views_public.report_card_embed, name="public_report_card_embed"),
]
