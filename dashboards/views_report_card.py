"""Backbone staff switch the public report card on or off and edit it at
/p/<slug>/settings/report-card/. Other members get 403, outsiders 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from outcomes.models import OutcomeArea
from partnership.models import Partnership
from partnership.permissions import Action
from partnership.view_helpers import partnership_for

from .report_card import report_card_for, report_card_history, report_card_save

EMBED_HEIGHT = 1200


class ReportCardForm(forms.Form):
    enabled = forms.BooleanField(
        required=False,
        label="Publish the report card",
        help_text="Anyone with the link can read it, without signing in.",
    )
    title = forms.CharField(
        max_length=200,
        required=False,
        help_text="Empty: the partnership's name.",
    )
    intro = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Introduction",
        help_text="A few sentences above the scorecard: who you are and what you work for.",
    )
    outcome_areas = forms.ModelMultipleChoiceField(
        queryset=OutcomeArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Outcome areas to show",
        help_text="Leave all unticked to show every outcome area.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["outcome_areas"].queryset = OutcomeArea.objects.filter(
            partnership=partnership
        ).order_by("order")


def _initial(card: Any) -> dict[str, Any]:
    if card is None:
        return {"version": 0}
    return {
        "enabled": card.enabled,
        "title": card.title,
        "intro": card.intro,
        "outcome_areas": list(card.outcome_areas.all()),
        "version": card.version,
    }


@login_required
def report_card_settings(request: HttpRequest, slug: str) -> HttpResponse:
    partnership = partnership_for(request, slug, Action.MANAGE_SETTINGS)
    card = report_card_for(partnership)
    form = ReportCardForm(request.POST or None, partnership=partnership, initial=_initial(card))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = report_card_save(
                user=request.user,
                partnership=partnership,
                expected_version=data["version"],
                enabled=data["enabled"],
                title=data["title"],
                intro=data["intro"],
                outcome_areas=data["outcome_areas"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            state = "published" if saved.enabled else "not published"
            messages.success(request, f"Saved. The public report card is {state}.")
            return redirect("report_card_settings", slug=partnership.slug)
    public_url = request.build_absolute_uri(reverse("public_report_card", args=[slug]))
    embed_url = request.build_absolute_uri(reverse("public_report_card_embed", args=[slug]))
    context = {
        "partnership": partnership,
        "card": card,
        "form": form,
        "public_url": public_url,
        "embed_url": embed_url,
        "embed_height": EMBED_HEIGHT,
        "history": report_card_history(partnership),
    }
    return render(request, "dashboards/backbone/report_card_settings.html", context)
