"""Pages for funding commitments and the investment summary (outcomes/funding.py).

Backbone staff and funders read (``VIEW_FUNDING``); backbone staff record and edit
(``MANAGE_FUNDING``); data stewards and viewers get 403, outsiders 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partnership.permissions import Action, can
from partnership.view_helpers import partnership_for

from . import funding as services
from .forms import FundingForm
from .history import history_of
from .models import ChangeSubject, FundingCommitment
from .views_base import confirm_removal, render_form, save_form


@login_required
def funding_list(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.VIEW_FUNDING)
    commitments = services.funding_list(partnership=partnership)
    context = {
        "partnership": partnership,
        "commitments": commitments,
        "summaries": services.investment_summary(partnership=partnership, commitments=commitments),
        "can_manage": can(request.user, Action.MANAGE_FUNDING, partnership),
    }
    return render(request, "outcomes/funding.html", context)


def _funding_form(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_FUNDING)
    scope = FundingCommitment.objects.filter(partnership=partnership)
    instance = get_object_or_404(scope, pk=pk) if pk else FundingCommitment(partnership=partnership)
    form = FundingForm(request.POST or None, instance=instance, partnership=partnership)

    def save() -> FundingCommitment:
        if pk is None:
            return services.funding_create(
                user=request.user, partnership=partnership, values=form.values()
            )
        return services.funding_update(
            user=request.user,
            commitment=scope.get(pk=pk),
            expected_version=form.expected_version,
            values=form.values(),
        )

    saved, conflict = save_form(request, form, save)
    if saved is not None:
        return redirect("funding_list", slug=partnership.slug)
    if conflict:
        form = FundingForm(instance=scope.get(pk=pk), partnership=partnership)
    return render_form(
        request,
        partnership,
        form,
        conflict=conflict,
        title="Edit a funding commitment" if pk else "New funding commitment",
        lead="A multi-year commitment is spread evenly over its years in the summary.",
        cancel_url=reverse("funding_list", args=[partnership.slug]),
        submit="Save the commitment",
        history=history_of(ChangeSubject.FUNDING, instance) if pk else None,
    )


@login_required
def funding_create(request: HttpRequest, slug: str) -> HttpResponse:
    return _funding_form(request, slug, None)


@login_required
def funding_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _funding_form(request, slug, pk)


@login_required
def funding_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_FUNDING)
    commitment = get_object_or_404(
        FundingCommitment.objects.select_related("funder", "network", "outcome_area"),
        partnership=partnership,
        pk=pk,
    )
    target = commitment.network or commitment.outcome_area
    return confirm_removal(
        request,
        partnership,
        obj=commitment,
        kind="funding commitment",
        details=[
            ("Funder", commitment.funder.name),
            ("Amount", f"{commitment.currency} {commitment.amount}"),
            ("Years", f"{commitment.start_year}–{commitment.end_year}"),
            ("Purpose", commitment.get_purpose_display() + (f": {target}" if target else "")),
            ("Note", commitment.note),
        ],
        remove=lambda version: services.funding_delete(
            user=request.user, commitment=commitment, expected_version=version
        ),
        done_url=reverse("funding_list", args=[partnership.slug]),
        cancel_url=reverse("funding_list", args=[partnership.slug]),
    )
