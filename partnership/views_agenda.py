"""The common agenda pages (under /p/<slug>/agenda/): every member reads the agenda
in force, its history and endorsements; backbone staff edit and adopt versions;
stewards and funders record their own organization's endorsement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import agenda
from .models import AgendaVersion, Organization
from .permissions import Action, can
from .view_helpers import add_errors, partnership_for


class AgendaForm(forms.Form):
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    vision = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the community wants to be, in a sentence or two.",
    )
    problem_statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What is wrong today, and for whom, with the evidence.",
    )
    goals = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One goal per line, e.g. “Every child reads at grade level by third grade.”",
    )
    equity_commitment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Which gaps the partnership commits to close, and how it will hold itself "
        "to account.",
    )
    summary = forms.CharField(
        max_length=300,
        required=False,
        label="What changed",
        help_text="A sentence for the version history, e.g. “Added the employment goal.”",
    )


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(
        label="Adopted on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the leadership table adopted it (today or earlier).",
    )


class EndorseForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        to_field_name="slug",
        empty_label="Choose the organization",
    )
    endorsed_on = forms.DateField(
        label="Endorsed on", widget=forms.DateInput(attrs={"type": "date"})
    )
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Optional: a sentence from the organization.",
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(
            pk__in=[o.pk for o in organizations]
        ).order_by("name")
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].slug


def _version(partnership: Any, number: int) -> AgendaVersion:
    return get_object_or_404(AgendaVersion, partnership=partnership, number=number)


def _page_context(request: HttpRequest, partnership: Any) -> dict[str, Any]:
    versions = agenda.agenda_versions(partnership)
    current = next((v for v in versions if v.adopted_on), None)
    organizations = agenda.endorsable_organizations(user=request.user, partnership=partnership)
    endorsed = {e.organization_id for e in current.endorsements.all()} if current else set()
    open_orgs = [o for o in organizations if o.pk not in endorsed]
    today = timezone.localdate()
    return {
        "partnership": partnership,
        "current": current,
        "versions": versions,
        "latest": versions[0] if versions else None,
        "drafts_after_current": [
            v
            for v in versions
            if not v.adopted_on and (current is None or v.number > current.number)
        ],
        "can_edit": can(request.user, Action.EDIT_AGENDA, partnership),
        "endorse_form": EndorseForm(organizations=open_orgs, initial={"endorsed_on": today})
        if current and open_orgs
        else None,
        "adopt_form": AdoptForm(initial={"adopted_on": today}),
        "organization_count": partnership.organizations.count(),
    }


@login_required
def agenda_page(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug)
    return render(request, "partnership/agenda.html", _page_context(request, partnership))


@login_required
def agenda_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    """One version, with what changed since the version before it."""
    partnership = partnership_for(request, slug)
    version = _version(partnership, number)
    previous = (
        AgendaVersion.objects.filter(partnership=partnership, number__lt=number)
        .order_by("-number")
        .first()
    )
    context = {
        "partnership": partnership,
        "version": version,
        "previous": previous,
        "diff": agenda.agenda_diff(previous, version),
        "endorsements": version.endorsements.select_related("organization").order_by(
            "organization__name"
        ),
        "current": agenda.current_agenda(partnership),
    }
    return render(request, "partnership/agenda_version.html", context)


@login_required
def agenda_edit(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.EDIT_AGENDA)
    latest = agenda.latest_agenda_version(partnership)
    conflict = None
    if request.method == "POST":
        form = AgendaForm(request.POST)
        if form.is_valid():
            try:
                version = agenda.agenda_save(
                    user=request.user, partnership=partnership, **form.cleaned_data
                )
            except agenda.AgendaConflictError as exc:
                conflict = exc.latest
                add_errors(form, exc)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Saved version {version.number} as a draft. Adopt it when the "
                    "leadership table has agreed it.",
                )
                return redirect("agenda", slug=partnership.slug)
    else:
        initial = {"based_on": latest.number if latest else 0}
        if latest:
            initial.update({name: getattr(latest, name) for name in agenda.FIELDS})
        form = AgendaForm(initial=initial)
    context = {"partnership": partnership, "form": form, "latest": latest, "conflict": conflict}
    return render(request, "partnership/agenda_edit.html", context)


@require_POST
@login_required
def agenda_adopt(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.EDIT_AGENDA)
    version = _version(partnership, number)
    form = AdoptForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the adoption date as a date, e.g. 2026-09-14.")
        return redirect("agenda", slug=partnership.slug)
    try:
        agenda.agenda_adopt(
            user=request.user, version=version, adopted_on=form.cleaned_data["adopted_on"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Version {version.number} is now the agenda in force.")
    return redirect("agenda", slug=partnership.slug)


@require_POST
@login_required
def agenda_endorse(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.ENDORSE_AGENDA)
    version = _version(partnership, number)
    organizations = agenda.endorsable_organizations(user=request.user, partnership=partnership)
    if not organizations:
        raise PermissionDenied("You belong to no organization whose endorsement you may record.")
    form = EndorseForm(request.POST, organizations=organizations)
    if form.is_valid():
        try:
            endorsement = agenda.agenda_endorse(
                user=request.user, version=version, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Recorded {endorsement.organization.name}'s endorsement of version "
                f"{version.number}.",
            )
            return redirect("agenda", slug=partnership.slug)
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return redirect("agenda", slug=partnership.slug)
